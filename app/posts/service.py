"""Threads and posts: writing them, and reading what a given person may see."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session, defer, joinedload

from app.accounts.models import MemberMute, User
from app.db import utcnow
from app.forums.models import Forum, Membership, MembershipRole, MembershipStatus
from app.i18n import _
from app.notifications import fanout
from app.notifications import service as notifications
from app.pictures import service as pictures
from app.pictures.models import PostPicture
from app.posts.models import (
    REACTION_LABELS,
    EditStatus,
    Post,
    PostEdit,
    PostStatus,
    Reaction,
    ReactionKind,
    Thread,
)
from app.posts.rendering import render_markdown
from app.search import service as search
from app.security import signature, signature_is_valid

# Statuses an author still sees on their own posts (with an explanation), but nobody else does.
OWN_VISIBLE_STATUSES = (
    PostStatus.AWAITING_ASSESSMENT,
    PostStatus.AWAITING_VERIFICATION,
    PostStatus.HELD,
    PostStatus.REJECTED,
)
# Statuses in which the author's change replaces the text at once (nobody else has seen it).
UNPUBLISHED_EDITABLE = (
    PostStatus.HELD,
    PostStatus.AWAITING_ASSESSMENT,
    PostStatus.AWAITING_VERIFICATION,
)


class PostInputError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("post refused")
        self.errors = errors


def validate_post_input(
    *, body: str, max_body: int, title: str | None = None, max_title: int = 0
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if title is not None:
        if not title.strip():
            errors["title"] = _("Give your thread a title.")
        elif len(title.strip()) > max_title:
            errors["title"] = _("Keep the title under {limit} characters.").format(limit=max_title)
    if not body.strip():
        errors["body"] = _("Write something before posting.")
    elif len(body) > max_body:
        errors["body"] = _(
            "This post is {length:,} characters long; the limit is {limit:,}. "
            "You could split it into two posts."
        ).format(length=len(body), limit=max_body)
    elif len(mentioned := fanout.mentioned_keys(body)) > fanout.MAX_MENTIONS:
        errors["body"] = _(
            "This post mentions {count} people; you can mention up to {limit} in one post."
        ).format(count=len(mentioned), limit=fanout.MAX_MENTIONS)
    return errors


def _new_post(thread: Thread, author: User, body: str, *, is_opening: bool) -> Post:
    return Post(
        thread=thread,
        author_id=author.id,
        author=author,
        is_opening=is_opening,
        body_source=body,
        body_html=render_markdown(body),
        status=PostStatus.AWAITING_ASSESSMENT,
    )


def start_thread(session: Session, forum: Forum, author: User, title: str, body: str) -> Post:
    """Save a new thread and its opening post, awaiting assessment; returns the opening post."""
    thread = Thread(forum_id=forum.id, forum=forum, author_id=author.id, title=title.strip())
    post = _new_post(thread, author, body, is_opening=True)
    session.add_all([thread, post])
    session.flush()
    # Its author hears of replies by watching it, like anyone else, so they can stop.
    notifications.watch(session, author.id, thread_id=thread.id)
    return post


def add_reply(session: Session, thread: Thread, author: User, body: str) -> Post:
    post = _new_post(thread, author, body, is_opening=False)
    session.add(post)
    session.flush()
    return post


def publish(session: Session, post: Post) -> None:
    """Make a post visible to everyone who can read its forum, and bump its thread."""
    now = utcnow()
    post.status = PostStatus.PUBLISHED
    post.published_at = now
    thread_values: dict[str, object] = {"last_activity_at": now}
    if post.is_opening:
        thread_values["published_at"] = now
    else:
        thread_values["reply_count"] = Thread.reply_count + 1
    # One atomic UPDATE, so two replies published at once both count.
    session.execute(update(Thread).where(Thread.id == post.thread_id).values(**thread_values))
    session.flush()
    # Only what the UPDATE changed is read again, when someone asks for it.
    session.expire(post.thread, list(thread_values))
    search.index_post(session, post, was_indexed=False)
    # Only now does anyone hear of it: held posts never notify.
    fanout.post_published(session, post)


def unpublish(session: Session, post: Post, status: PostStatus) -> None:
    """Take a published post down (removed or withdrawn); its thread stops counting it."""
    was_published = post.status is PostStatus.PUBLISHED
    post.status = status
    search.unindex_post(session, post.id)
    if not was_published:
        return
    if post.is_opening:
        # Without its opening post a thread disappears from the forum for everyone.
        values: dict[str, object] = {"published_at": None}
    else:
        values = {"reply_count": Thread.reply_count - 1}
    session.execute(update(Thread).where(Thread.id == post.thread_id).values(**values))
    session.flush()
    session.expire(post.thread)


def republish(session: Session, post: Post) -> None:
    """Put back a post taken down by mistake (an undone removal, an upheld appeal): it counts in
    its thread again, as before, but nobody is notified of it a second time."""
    post.status = PostStatus.PUBLISHED
    if post.is_opening:
        values: dict[str, object] = {"published_at": post.published_at or utcnow()}
    else:
        values = {"reply_count": Thread.reply_count + 1}
    session.execute(update(Thread).where(Thread.id == post.thread_id).values(**values))
    session.flush()
    session.expire(post.thread)
    search.index_post(session, post)


# An author's edit that has not yet replaced the published version, from the author's side.
WAITING_EDIT = (EditStatus.AWAITING_ASSESSMENT, EditStatus.PENDING)


def pending_edit(session: Session, post: Post, *, unassessed_too: bool = False) -> PostEdit | None:
    """The edit waiting for a moderator (or, for the author's view, for the gate as well)."""
    statuses = WAITING_EDIT if unassessed_too else (EditStatus.PENDING,)
    return session.scalar(
        select(PostEdit).where(PostEdit.post_id == post.id, PostEdit.status.in_(statuses))
    )


def pending_edit_ids(session: Session, post_ids: Sequence[int]) -> set[int]:
    """The posts among these with an edit their author is still waiting on."""
    if not post_ids:
        return set()
    return set(
        session.scalars(
            select(PostEdit.post_id).where(
                PostEdit.post_id.in_(post_ids), PostEdit.status.in_(WAITING_EDIT)
            )
        )
    )


def edit_post(
    session: Session,
    post: Post,
    body: str,
    new_pictures: Sequence[tuple[pictures.Staged, str]] | None = None,
) -> PostEdit | None:
    """Change a post (and its pictures, unless `new_pictures` is None). A held post changes at
    once (it is still waiting for a moderator); a published post's edit is kept apart, awaiting
    assessment, until it passes the gate."""
    if post.status in UNPUBLISHED_EDITABLE:
        post.body_source = body
        post.body_html = render_markdown(body)
        if new_pictures is not None:
            pictures.replace(session, post.id, new_pictures)
        return None
    edit = PostEdit(
        post_id=post.id,
        body_source=body,
        body_html=render_markdown(body),
        replaces_pictures=new_pictures is not None,
    )
    session.add(edit)
    session.flush()
    if new_pictures is not None:
        pictures.attach(session, post.id, new_pictures, edit_id=edit.id)
    # Only the latest edit is waiting; discarded after this one took its pictures, so a picture
    # both keep is never taken for unused.
    for older in session.scalars(
        select(PostEdit).where(
            PostEdit.post_id == post.id, PostEdit.status.in_(WAITING_EDIT), PostEdit.id != edit.id
        )
    ):
        discard_edit(session, older)
    return edit


def apply_edit(session: Session, post: Post, edit: PostEdit) -> None:
    post.body_source = edit.body_source
    post.body_html = edit.body_html
    edit.status = EditStatus.APPLIED
    if edit.replaces_pictures:
        pictures.apply_edit(session, post.id, edit.id)
    search.index_post(session, post)


def discard_edit(session: Session, edit: PostEdit) -> None:
    """An edit that will not be applied (replaced, rejected, or its post taken down)."""
    edit.status = EditStatus.DISCARDED
    if edit.replaces_pictures:
        pictures.discard_edit(session, edit.id)


def withdraw(session: Session, post: Post) -> None:
    """The author takes their own post down; it stays in their data export."""
    unpublish(session, post, PostStatus.WITHDRAWN)


# How long a member has to change their mind after withdrawing a published post.
UNDO_WITHDRAW_SECONDS = 60


def undo_withdraw_token(secret_key: str, post: Post, now: datetime) -> str:
    stamp = int(now.timestamp())
    return f"{stamp}.{signature(secret_key, 'undo-withdraw', post.author_id, post.id, stamp)[:32]}"


def can_undo_withdraw(secret_key: str, post: Post, token: str, now: datetime) -> bool:
    """Whether this token, given when the author withdrew the published post, is still fresh."""
    stamp, _dot, sent = token.partition(".")
    if not stamp.isdigit() or post.status is not PostStatus.WITHDRAWN or post.published_at is None:
        return False
    fresh = 0 <= now.timestamp() - int(stamp) <= UNDO_WITHDRAW_SECONDS
    return fresh and signature_is_valid(
        secret_key, sent, "undo-withdraw", post.author_id, post.id, int(stamp), length=32
    )


def restore_withdrawn(session: Session, post: Post) -> None:
    """Undo a withdrawal moments later: the post is back where it was, and nobody is told again."""
    post.status = PostStatus.PUBLISHED
    if post.is_opening:
        values: dict[str, object] = {"published_at": post.published_at}
    else:
        values = {"reply_count": Thread.reply_count + 1}
    session.execute(update(Thread).where(Thread.id == post.thread_id).values(**values))
    session.flush()
    session.expire(post.thread)
    search.index_post(session, post)


def get_thread(session: Session, forum: Forum, thread_id: int) -> Thread | None:
    """A thread only by way of its forum, so an id from another forum is simply not found."""
    return session.scalar(select(Thread).where(Thread.id == thread_id, Thread.forum_id == forum.id))


def get_thread_with(
    session: Session, forum: Forum, thread_id: int, extra: Sequence[ColumnElement[Any]]
) -> tuple[Thread, tuple[Any, ...]] | None:
    """`get_thread`, with `extra` columns (correlated with Thread.id) read in the same statement."""
    row = session.execute(
        select(Thread, *extra).where(Thread.id == thread_id, Thread.forum_id == forum.id)
    ).first()
    return (row[0], tuple(row[1:])) if row is not None else None


def can_see_thread(thread: Thread, viewer: User | None, *, is_moderator: bool) -> bool:
    if thread.published_at is not None or is_moderator:
        return True
    return viewer is not None and thread.author_id == viewer.id


def _visible_to(viewer: User | None) -> ColumnElement[bool]:
    published = Post.status == PostStatus.PUBLISHED
    if viewer is None:
        return published
    return or_(published, and_(Post.author_id == viewer.id, Post.status.in_(OWN_VISIBLE_STATUSES)))


@dataclass(frozen=True)
class PostPage:
    """A page of posts and what the page shows beside them, read with them in one statement."""

    posts: Sequence[Post]
    page: int
    page_count: int
    roles: dict[int, MembershipRole] = field(default_factory=dict)  # author id → forum role
    muted_ids: set[int] = field(default_factory=set)  # authors the viewer muted
    pending_edit_ids: set[int] = field(
        default_factory=set
    )  # the viewer's posts with an edit waiting
    # Posts with pictures: only these cost a second look, so a page without any costs none.
    picture_post_ids: set[int] = field(default_factory=set)


# Only what a post's header shows of its author: the rest of the account stays in the database.
AUTHOR_SHOWN = joinedload(Post.author).load_only(
    User.id, User.handle, User.avatar, User.deleted_at, raiseload=False
)


def _page_query(forum_id: int, viewer: User | None) -> Select[Any]:
    role = Membership.role
    # The markdown source stays behind: the page shows the HTML rendered when it was saved.
    query = select(Post, role).options(AUTHOR_SHOWN, defer(Post.body_source))
    query = query.outerjoin(
        Membership,
        and_(
            Membership.forum_id == forum_id,
            Membership.user_id == Post.author_id,
            Membership.status == MembershipStatus.ACTIVE,
        ),
    )
    with_pictures = exists().where(PostPicture.post_id == Post.id, pictures.SHOWN)
    if viewer is None:
        return query.add_columns(literal(False), literal(False), with_pictures)
    muted = exists().where(
        MemberMute.user_id == viewer.id, MemberMute.muted_user_id == Post.author_id
    )
    edit_waiting = and_(
        Post.author_id == viewer.id,
        exists().where(PostEdit.post_id == Post.id, PostEdit.status.in_(WAITING_EDIT)),
    )
    return query.add_columns(muted, edit_waiting, with_pictures)


def _post_page(rows: Sequence[Any], page: int, page_count: int) -> PostPage:
    result = PostPage(posts=[r[0] for r in rows], page=page, page_count=page_count)
    for post, role, muted, edit_waiting, with_pictures in (r[:5] for r in rows):
        if role is not None:
            result.roles[post.author_id] = role
        if muted:
            result.muted_ids.add(post.author_id)
        if edit_waiting:
            result.pending_edit_ids.add(post.id)
        if with_pictures:
            result.picture_post_ids.add(post.id)
    return result


def posts_for_page(
    session: Session, forum: Forum, posts: Sequence[Post], viewer: User | None
) -> PostPage:
    """Given posts (a permalink, a new reply) with what the page shows beside them."""
    ids = [p.id for p in posts]
    if not ids:
        return PostPage(posts=[], page=1, page_count=1)
    rows = session.execute(_page_query(forum.id, viewer).where(Post.id.in_(ids))).all()
    return _post_page(rows, 1, 1)


def thread_posts(
    session: Session, thread: Thread, viewer: User | None, *, page: int, per_page: int
) -> PostPage:
    """One page of the posts the viewer may see, in order. The total rides along as a window
    count, and the index on (thread_id, created_at, id) serves the order, so a page costs one
    statement whatever the thread's or the table's size."""
    visible = and_(Post.thread_id == thread.id, _visible_to(viewer))
    query = (
        _page_query(thread.forum_id, viewer)
        .add_columns(func.count().over())
        .where(visible)
        .order_by(Post.created_at, Post.id)
        .limit(per_page)
    )
    page = max(page, 1)
    rows = session.execute(query.offset((page - 1) * per_page)).all()
    if not rows and page > 1:
        # Past the end (an old link to a page that has since shrunk): show the last page.
        total = session.scalar(select(func.count()).select_from(Post).where(visible)) or 0
        page = max(1, -(-total // per_page))
        rows = session.execute(query.offset((page - 1) * per_page)).all()
    total = rows[0][-1] if rows else 0
    return _post_page(rows, page, max(1, -(-total // per_page)))


def page_of_post(session: Session, post: Post, viewer: User | None, per_page: int) -> int:
    before = session.scalar(
        select(func.count())
        .select_from(Post)
        .where(
            Post.thread_id == post.thread_id,
            _visible_to(viewer),
            or_(
                Post.created_at < post.created_at,
                and_(Post.created_at == post.created_at, Post.id < post.id),
            ),
        )
    )
    return (before or 0) // per_page + 1


def can_see_post(post: Post, viewer: User | None) -> bool:
    if post.status is PostStatus.PUBLISHED:
        return True
    return (
        viewer is not None and post.author_id == viewer.id and post.status in OWN_VISIBLE_STATUSES
    )


def author_roles(session: Session, forum: Forum, author_ids: set[int]) -> dict[int, MembershipRole]:
    """The forum role of each author on a page, in one query, for the badges."""
    if not author_ids:
        return {}
    rows = session.execute(
        select(Membership.user_id, Membership.role).where(
            Membership.forum_id == forum.id,
            Membership.user_id.in_(author_ids),
            Membership.status == MembershipStatus.ACTIVE,
        )
    ).all()
    return {user_id: role for user_id, role in rows}


# Keyset pagination for the forum page: threads by latest activity, newest first.
def encode_cursor(thread: Thread) -> str:
    raw = f"{thread.last_activity_at.isoformat()}|{thread.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, thread_id = raw.split("|")
        return datetime.fromisoformat(stamp), int(thread_id)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class ThreadPage:
    threads: Sequence[Thread]
    next_cursor: str | None
    # Each thread's values of the `extra` columns asked for with the page.
    extra: dict[int, tuple[Any, ...]] = field(default_factory=dict)


def forum_threads(
    session: Session,
    forum: Forum,
    *,
    after: tuple[datetime, int] | None,
    per_page: int,
    extra: Sequence[ColumnElement[Any]] = (),
) -> ThreadPage:
    """A page of published threads, latest activity first, keyset-paginated; `extra` columns
    (correlated with Thread.id, e.g. when the viewer last read each) ride in the same statement."""
    query = select(Thread, *extra).where(
        Thread.forum_id == forum.id, Thread.published_at.is_not(None)
    )
    if after is not None:
        stamp, thread_id = after
        query = query.where(
            or_(
                Thread.last_activity_at < stamp,
                and_(Thread.last_activity_at == stamp, Thread.id < thread_id),
            )
        )
    rows = session.execute(
        query.order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(per_page + 1)
    ).all()
    threads = [r[0] for r in rows]
    next_cursor = encode_cursor(threads[per_page - 1]) if len(threads) > per_page else None
    return ThreadPage(
        threads=threads[:per_page],
        next_cursor=next_cursor,
        extra={r[0].id: tuple(r[1:]) for r in rows[:per_page]},
    )


def own_unpublished_threads(
    session: Session, forum: Forum, viewer: User | None
) -> Sequence[Thread]:
    if viewer is None:
        return []
    return session.scalars(
        select(Thread)
        .where(
            Thread.forum_id == forum.id,
            Thread.author_id == viewer.id,
            Thread.published_at.is_(None),
        )
        .order_by(Thread.created_at.desc())
    ).all()


def opening_post(session: Session, thread: Thread) -> Post | None:
    return session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening))


@dataclass(frozen=True)
class ReactionSummary:
    """One post's reactions as a reader sees them; who reacted is shown to the author only."""

    counts: dict[ReactionKind, int]
    mine: set[ReactionKind]
    who: dict[ReactionKind, list[str]]

    @property
    def labels(self) -> dict[ReactionKind, str]:
        return REACTION_LABELS


def toggle_reaction(session: Session, post: Post, user: User, kind: ReactionKind) -> None:
    existing = session.scalar(
        select(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind
        )
    )
    if existing is not None:
        session.delete(existing)
    else:
        session.add(Reaction(post_id=post.id, user_id=user.id, kind=kind))
    session.flush()


def reactions_for(
    session: Session, posts_on_page: Sequence[Post], viewer: User | None
) -> dict[int, ReactionSummary]:
    """Every post's reactions on a page, in one query."""
    ids = [p.id for p in posts_on_page]
    if not ids:
        return {}
    authors = {p.id: p.author_id for p in posts_on_page}
    rows = session.execute(
        select(Reaction.post_id, Reaction.kind, Reaction.user_id, User.handle)
        .join(User, User.id == Reaction.user_id)
        .where(Reaction.post_id.in_(ids))
        .order_by(Reaction.created_at)
    ).all()
    summaries = {pid: ReactionSummary(dict.fromkeys(ReactionKind, 0), set(), {}) for pid in ids}
    for post_id, kind, user_id, handle in rows:
        summary = summaries[post_id]
        summary.counts[kind] += 1
        if viewer is not None and user_id == viewer.id:
            summary.mine.add(kind)
        if viewer is not None and authors[post_id] == viewer.id:
            summary.who.setdefault(kind, []).append(handle)
    return summaries


def unanswered_threads(
    session: Session,
    forum_ids: Sequence[int],
    *,
    older_than: timedelta | None = None,
    limit: int = 50,
) -> Sequence[Thread]:
    """Published threads nobody has replied to yet, oldest first: someone is waiting."""
    query = select(Thread).where(
        Thread.forum_id.in_(forum_ids), Thread.published_at.is_not(None), Thread.reply_count == 0
    )
    if older_than is not None:
        query = query.where(Thread.published_at <= utcnow() - older_than)
    return session.scalars(query.order_by(Thread.published_at).limit(limit)).all()

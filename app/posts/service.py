"""Threads and posts: writing them, and reading what a given person may see."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.forums.models import Forum, Membership, MembershipRole, MembershipStatus
from app.i18n import _
from app.notifications import fanout
from app.notifications import service as notifications
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
    session.expire(post.thread)
    search.index_post(session, post, post.thread.title)
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


def edit_post(session: Session, post: Post, body: str) -> PostEdit | None:
    """Change a post. A held post changes at once (it is still waiting for a moderator); a
    published post's edit is kept apart, awaiting assessment, until it passes the gate."""
    if post.status in UNPUBLISHED_EDITABLE:
        post.body_source = body
        post.body_html = render_markdown(body)
        return None
    for older in session.scalars(
        select(PostEdit).where(PostEdit.post_id == post.id, PostEdit.status.in_(WAITING_EDIT))
    ):
        older.status = EditStatus.DISCARDED  # only the latest edit is waiting
    edit = PostEdit(post_id=post.id, body_source=body, body_html=render_markdown(body))
    session.add(edit)
    session.flush()
    return edit


def apply_edit(session: Session, post: Post, edit: PostEdit) -> None:
    post.body_source = edit.body_source
    post.body_html = edit.body_html
    edit.status = EditStatus.APPLIED
    search.index_post(session, post, post.thread.title)


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
    search.index_post(session, post, post.thread.title)


def get_thread(session: Session, forum: Forum, thread_id: int) -> Thread | None:
    """A thread only by way of its forum, so an id from another forum is simply not found."""
    return session.scalar(select(Thread).where(Thread.id == thread_id, Thread.forum_id == forum.id))


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
    posts: Sequence[Post]
    page: int
    page_count: int


def thread_posts(
    session: Session, thread: Thread, viewer: User | None, *, page: int, per_page: int
) -> PostPage:
    visible = and_(Post.thread_id == thread.id, _visible_to(viewer))
    total = session.scalar(select(func.count()).select_from(Post).where(visible)) or 0
    page_count = max(1, -(-total // per_page))
    page = min(max(page, 1), page_count)
    posts = session.scalars(
        select(Post)
        .where(visible)
        .order_by(Post.created_at, Post.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return PostPage(posts=posts, page=page, page_count=page_count)


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


def forum_threads(
    session: Session, forum: Forum, *, after: tuple[datetime, int] | None, per_page: int
) -> ThreadPage:
    query = select(Thread).where(Thread.forum_id == forum.id, Thread.published_at.is_not(None))
    if after is not None:
        stamp, thread_id = after
        query = query.where(
            or_(
                Thread.last_activity_at < stamp,
                and_(Thread.last_activity_at == stamp, Thread.id < thread_id),
            )
        )
    threads = session.scalars(
        query.order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(per_page + 1)
    ).all()
    next_cursor = encode_cursor(threads[per_page - 1]) if len(threads) > per_page else None
    return ThreadPage(threads=threads[:per_page], next_cursor=next_cursor)


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

"""What a moderator sees around an item: thread context, the author's history, notes, shift figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.conversations import service as conversations
from app.db import utcnow
from app.forums import service as forums
from app.forums.models import Forum
from app.moderation_queue import service, wellbeing
from app.moderation_queue.models import (
    ModerationDecision,
    ModeratorNote,
    Report,
    ReviewItem,
    ReviewStatus,
    Sanction,
)
from app.pictures import service as pictures
from app.posts import service as posts
from app.posts.models import Post, PostStatus, Thread

if TYPE_CHECKING:
    from app.deps import ModeratorScope

CONTEXT_POSTS = 5
CONTEXT_MESSAGES = 10


@dataclass(frozen=True)
class AuthorHistory:
    author: User
    account_age_days: int
    recent_posts: Sequence[Post]
    decisions: Sequence[ModerationDecision]
    sanctions: Sequence[Sanction]
    notes: Sequence[ModeratorNote]
    held_now: int


def author_history(
    session: Session, author: User, forum: Forum, visible_forum_ids: Sequence[int]
) -> AuthorHistory:
    """The author's record as this moderator may see it: posts, decisions and sanctions in the
    forums they moderate (and site-wide sanctions), never another forum's (whose name alone can
    reveal a member's condition)."""
    in_view = Thread.forum_id.in_(visible_forum_ids)
    recent = session.scalars(
        select(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == author.id, in_view)
        .order_by(Post.created_at.desc())
        .limit(5)
    ).all()
    decisions = session.scalars(
        select(ModerationDecision)
        .join(Post, Post.id == ModerationDecision.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == author.id, in_view)
        .order_by(ModerationDecision.created_at.desc())
        .limit(10)
    ).all()
    sanctions = session.scalars(
        select(Sanction)
        .where(
            Sanction.user_id == author.id,
            or_(Sanction.forum_id.in_(visible_forum_ids), Sanction.forum_id.is_(None)),
        )
        .order_by(Sanction.created_at.desc())
    ).all()
    notes = session.scalars(
        select(ModeratorNote)
        .where(ModeratorNote.subject_id == author.id, ModeratorNote.forum_id == forum.id)
        .order_by(ModeratorNote.created_at.desc())
    ).all()
    held_now = (
        session.scalar(
            select(func.count())
            .select_from(Post)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.author_id == author.id, Post.status == PostStatus.HELD, in_view)
        )
        or 0
    )
    return AuthorHistory(
        author=author,
        account_age_days=(utcnow() - author.created_at).days,
        recent_posts=recent,
        decisions=decisions,
        sanctions=sanctions,
        notes=notes,
        held_now=held_now,
    )


def thread_context(session: Session, post: Post) -> Sequence[Post]:
    """The published posts just before this one, oldest first."""
    before = session.scalars(
        select(Post)
        .where(
            Post.thread_id == post.thread_id,
            Post.status == PostStatus.PUBLISHED,
            Post.id != post.id,
            Post.created_at <= post.created_at,
        )
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(CONTEXT_POSTS)
    ).all()
    return list(reversed(before))


def senior_moderators(session: Session, forum_id: int) -> Sequence[User]:
    return forums.moderators_with_role(session, forum_id, "is_senior")


def senior_moderator(session: Session, forum_id: int, user_id: int) -> User | None:
    return next((u for u in senior_moderators(session, forum_id) if u.id == user_id), None)


def card_context(
    session: Session, scope: ModeratorScope, entry: service.QueueEntry, *, claimed: bool
) -> dict[str, Any]:
    forum = next(f for f in scope.forums if f.id == entry.item.forum_id)
    post = entry.post
    edit = (
        posts.pending_edit(session, post)
        if post is not None and post.status is PostStatus.PUBLISHED
        else None
    )
    if edit is not None and edit.replaces_pictures:
        shown_pictures = pictures.for_edit(session, edit.id)  # what approving would show
    else:
        shown_pictures = pictures.for_posts(session, [post.id]).get(post.id, []) if post else []
    return {
        "scope": scope,
        "entry": entry,
        "forum": forum,
        "claimed": claimed,
        "context_posts": thread_context(session, post) if post is not None else [],
        "conversation_messages": conversations.visible_messages(
            session, entry.message.conversation, scope.user, as_team=True
        )[-CONTEXT_MESSAGES:]
        if entry.message is not None
        else [],
        "history": author_history(session, entry.author, forum, scope.forum_ids),
        "rejection_reasons": forum.policy.rejection_reasons,
        "blur": wellbeing.settings_for(session, scope.user).blur_distressing,
        "message_templates": conversations.templates_for(session, forum),
        "edit": edit,
        "reports": session.scalars(
            select(Report).where(Report.review_item_id == entry.item.id).order_by(Report.id)
        ).all(),
        "now": utcnow(),
        "pictures": shown_pictures,
    }


def bulk_entries(
    session: Session, scope: ModeratorScope, item_ids: Sequence[int], author_id: int | None
) -> list[service.QueueEntry]:
    """The pending items a bulk action covers: those ticked, or all held posts by one author."""
    if author_id is not None:
        item_ids = list(
            session.scalars(
                select(ReviewItem.id)
                .join(Post, Post.id == ReviewItem.post_id)
                .where(
                    Post.author_id == author_id,
                    ReviewItem.status == ReviewStatus.PENDING,
                    ReviewItem.forum_id.in_(scope.forum_ids),
                )
            )
        )
    entries = [service.get_entry(session, i, scope.forum_ids) for i in dict.fromkeys(item_ids)]
    return [e for e in entries if e is not None and e.item.status is ReviewStatus.PENDING]


def shared_rejection_reasons(
    scope: ModeratorScope, entries: Sequence[service.QueueEntry]
) -> list[str]:
    """The reasons every one of these items' forums offers (a bulk rejection gives all the
    authors one reason), in the first forum's order."""
    forum_ids = {e.item.forum_id for e in entries}
    lists = [f.policy.rejection_reasons for f in scope.forums if f.id in forum_ids]
    if not lists:
        return []
    first, *rest = lists
    return [r for r in first if all(r in other for other in rest)]


def add_note(
    session: Session, entry: service.QueueEntry, moderator: User, body: str
) -> ModeratorNote:
    note = ModeratorNote(
        forum_id=entry.item.forum_id,
        subject_id=entry.author.id,
        author_id=moderator.id,
        body=body.strip(),
    )
    session.add(note)
    session.flush()
    return note


@dataclass(frozen=True)
class Shift:
    reviewed: int
    minutes: int


def shift_summary(session: Session, moderator: User) -> Shift:
    """Items this moderator decided in the last 12 hours and the time spent on them."""
    since = utcnow() - timedelta(hours=12)
    reviewed, seconds = session.execute(
        select(func.count(), func.coalesce(func.sum(ModerationDecision.seconds_spent), 0)).where(
            ModerationDecision.moderator_id == moderator.id,
            ModerationDecision.created_at >= since,
        )
    ).one()
    return Shift(reviewed=reviewed, minutes=round((seconds or 0) / 60))

"""Follow-ups: after an urgent item is decided, its moderator is reminded (after the forum's
follow_up_hours, 24 by default) to look in on the author again. The dashboard shows each one,
with whether the author has posted since and replied to the team, until someone marks it done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, delete, func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.conversations import service as conversations
from app.conversations.models import ConversationMessage
from app.db import utcnow
from app.forums.models import Forum
from app.moderation_queue.models import FollowUp, ModerationDecision, ReviewItem
from app.posts.models import Post, Thread

DEFAULT_HOURS = 24


def schedule(
    session: Session, item: ReviewItem, decision: ModerationDecision, member: User
) -> FollowUp:
    forum = session.get(Forum, item.forum_id)
    hours = forum.policy.follow_up_hours if forum is not None else DEFAULT_HOURS
    follow_up = FollowUp(
        review_item_id=item.id,
        decision_id=decision.id,
        forum_id=item.forum_id,
        member_id=member.id,
        moderator_id=decision.moderator_id,
        due_at=utcnow() + timedelta(hours=hours),
    )
    session.add(follow_up)
    session.flush()
    return follow_up


def cancel_for(session: Session, decision_id: int) -> None:
    """An undone decision's follow-up is not needed (the item is back on the queue)."""
    session.execute(
        delete(FollowUp).where(FollowUp.decision_id == decision_id, FollowUp.done_at.is_(None))
    )


@dataclass(frozen=True)
class DueFollowUp:
    follow_up: FollowUp
    forum: Forum
    posted_since: int  # the member's posts in the forum since the decision
    conversation_id: int | None  # their conversation with the team, if there is one
    replied: bool  # a message from them in it since the decision


def due(session: Session, moderator: User, forum_ids: Sequence[int]) -> list[DueFollowUp]:
    """Follow-ups now due in these forums: this moderator's own first, oldest first."""
    if not forum_ids:
        return []
    rows = session.scalars(
        select(FollowUp)
        .where(
            FollowUp.forum_id.in_(forum_ids),
            FollowUp.done_at.is_(None),
            FollowUp.due_at <= utcnow(),
        )
        .order_by(
            case((FollowUp.moderator_id == moderator.id, 0), else_=1),
            FollowUp.due_at,
            FollowUp.id,
        )
        .limit(50)
    ).all()
    return [_with_facts(session, f) for f in rows]


def _with_facts(session: Session, follow_up: FollowUp) -> DueFollowUp:
    forum = session.get(Forum, follow_up.forum_id)
    assert forum is not None
    posted = session.scalar(
        select(func.count())
        .select_from(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Post.author_id == follow_up.member_id,
            Thread.forum_id == forum.id,
            Post.created_at > follow_up.created_at,
        )
    )
    conversation = conversations.team_conversation(session, forum, follow_up.member)
    replied = False
    if conversation is not None:
        replied = (
            session.scalar(
                select(func.count())
                .select_from(ConversationMessage)
                .where(
                    ConversationMessage.conversation_id == conversation.id,
                    ConversationMessage.author_id == follow_up.member_id,
                    ConversationMessage.created_at > follow_up.created_at,
                )
            )
            or 0
        ) > 0
    return DueFollowUp(
        follow_up=follow_up,
        forum=forum,
        posted_since=posted or 0,
        conversation_id=conversation.id if conversation is not None else None,
        replied=replied,
    )


def get(session: Session, follow_up_id: int, forum_ids: Sequence[int]) -> FollowUp | None:
    """A follow-up only within the forums this moderator moderates (no IDOR through the id)."""
    return session.scalar(
        select(FollowUp).where(FollowUp.id == follow_up_id, FollowUp.forum_id.in_(forum_ids))
    )


def mark_done(session: Session, follow_up: FollowUp, moderator: User) -> bool:
    """Mark it done, once (a colleague may have done it a moment ago); audited."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(FollowUp)
            .where(FollowUp.id == follow_up.id, FollowUp.done_at.is_(None))
            .values(done_at=utcnow(), done_by_id=moderator.id)
            .execution_options(synchronize_session=False)
        ),
    )
    session.refresh(follow_up)
    if result.rowcount != 1:
        return False
    audit.record(
        session,
        actor_id=moderator.id,
        action="follow_up.done",
        target_type="user",
        target_id=follow_up.member_id,
        forum_id=follow_up.forum_id,
        review_item_id=follow_up.review_item_id,
    )
    return True

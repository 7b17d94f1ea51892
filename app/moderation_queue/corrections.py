"""Decisions people can trust: a moderator undoes their own decision within ten minutes, and an
author appeals a rejected post once, to a moderator other than the one who rejected it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Select, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.conversations import gate as conversation_gate
from app.conversations.models import ConversationMessage, MessageStatus
from app.db import utcnow
from app.i18n import N_
from app.moderation_queue import followups
from app.moderation_queue.models import (
    UNDO_WINDOW,
    AppealStatus,
    DecisionAction,
    ModerationDecision,
    PostAppeal,
    Report,
    ReviewItem,
    ReviewStatus,
    claim_length,
)
from app.moderation_queue.service import NEW_STATUS
from app.notifications import service as notifications
from app.notifications.models import Notification
from app.posts import service as posts
from app.posts.models import EditStatus, Post, PostEdit, PostStatus
from app.posts.rendering import render_markdown
from app.search import service as search

# Every decision on a post, an author's edit or a private message can be undone: the decision
# keeps what it changed (the status before, the words it replaced, the edit it decided). An
# escalation is not undone: it changes nothing for the author, the item is still on the queue,
# and its alert and safeguarding record must stand.
UNDOABLE = (
    DecisionAction.APPROVE,
    DecisionAction.EDIT_APPROVE,
    DecisionAction.REJECT,
    DecisionAction.REMOVE,
    DecisionAction.DISMISS,
)
APPEALABLE = (PostStatus.REJECTED, PostStatus.REMOVED)
MAX_APPEAL_CHARS = 2000


class Refused(Exception):
    """Nothing was changed; `message` (translatable) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---- undo ---------------------------------------------------------------------------------


def can_undo(decision: ModerationDecision, moderator: User) -> bool:
    return (
        decision.moderator_id == moderator.id
        and decision.undone_at is None
        and decision.action in UNDOABLE
        # Decisions recorded before undo kept what they changed ("edit": an edit, unnamed).
        and decision.post_status_before not in (None, "edit")
        and utcnow() - decision.created_at <= UNDO_WINDOW
    )


def undoable_decision(
    session: Session, decision_id: int | None, moderator: User
) -> ModerationDecision | None:
    """The decision, if this moderator can still undo it (for the Undo button)."""
    if decision_id is None:
        return None
    decision = session.get(ModerationDecision, decision_id)
    return decision if decision is not None and can_undo(decision, moderator) else None


def undo(session: Session, decision: ModerationDecision, moderator: User) -> ReviewItem:
    """Put the item back on the queue (claimed by this moderator) and what it was about back as
    it was: the post's status and words, the author's edit, the private message's status. The
    author's notice is withdrawn if they have not read it, else they are told it was corrected."""
    if decision.moderator_id != moderator.id:
        raise Refused(N_("Only the moderator who made a decision can undo it."))
    if decision.undone_at is not None:
        raise Refused(N_("This decision has already been undone."))
    if not can_undo(decision, moderator):
        raise Refused(
            N_(
                "This decision can no longer be undone (after ten minutes). "
                "Open the post to change it."
            )
        )
    item = session.get(ReviewItem, decision.review_item_id) if decision.review_item_id else None
    post = session.get(Post, decision.post_id) if decision.post_id is not None else None
    message = (
        session.get(ConversationMessage, item.message_id)
        if item is not None and item.message_id is not None and post is None
        else None
    )
    if item is None or (post is None and message is None):
        raise Refused(N_("The post is gone, so there is nothing to undo."))
    if post is not None and _changed_since(session, decision, post, item):
        raise Refused(N_("Something else happened to this post since, so it cannot be undone."))
    now = utcnow()
    result = cast(
        CursorResult[Any],
        session.execute(
            update(ReviewItem)
            .where(
                ReviewItem.id == item.id,
                ReviewItem.status == NEW_STATUS[decision.action],
                ReviewItem.decided_by_id == moderator.id,
            )
            .values(
                status=ReviewStatus.PENDING,
                decided_at=None,
                decided_by_id=None,
                version=ReviewItem.version + 1,
                claimed_by_id=moderator.id,
                claimed_at=now,
                claimed_until=now + claim_length(item),
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise Refused(N_("Something else happened to this post since, so it cannot be undone."))
    session.refresh(item)
    before = decision.post_status_before
    assert before is not None
    if post is not None:
        _restore_post(session, post, PostStatus(before), decision)
        _withdraw_or_correct(session, decision, post)
    elif message is not None:
        if message.status is MessageStatus.DELIVERED and before != MessageStatus.DELIVERED.value:
            conversation_gate.withdraw_recipient_notices(session, message)
        message.status = MessageStatus(before)
    for report in session.scalars(select(Report).where(Report.review_item_id == item.id)):
        report.outcome = None
    followups.cancel_for(session, decision.id)
    decision.undone_at = now
    audit.record(
        session,
        actor_id=moderator.id,
        action="review.undo",
        target_type="post" if post is not None else "conversation",
        target_id=post.id if post is not None else item.conversation_id,
        forum_id=item.forum_id,
        review_item_id=item.id,
        decision_id=decision.id,
        undone_action=decision.action.value,
    )
    return item


def _changed_since(
    session: Session, decision: ModerationDecision, post: Post, item: ReviewItem
) -> bool:
    """A newer item is open for the post, or the author has edited it again since."""
    newer_item = session.scalar(
        select(ReviewItem.id).where(
            ReviewItem.post_id == post.id,
            ReviewItem.status == ReviewStatus.PENDING,
            ReviewItem.id != item.id,
        )
    )
    newer_edit = decision.edit_id is not None and session.scalar(
        select(PostEdit.id).where(
            PostEdit.post_id == post.id,
            PostEdit.id != decision.edit_id,
            PostEdit.status.in_(posts.WAITING_EDIT),
        )
    )
    return newer_item is not None or bool(newer_edit)


def _restore_post(
    session: Session, post: Post, before: PostStatus, decision: ModerationDecision
) -> None:
    if post.status is before:
        pass
    elif post.status is PostStatus.PUBLISHED:
        posts.unpublish(session, post, before)  # approved by mistake: held again
    elif before is PostStatus.PUBLISHED:
        posts.republish(session, post)  # removed by mistake: back as it was
    else:
        post.status = before  # rejected by mistake: waiting again
    post.rejection_reason = None
    if decision.body_before is not None:  # the words the decision replaced
        post.body_source = decision.body_before
        post.body_html = render_markdown(decision.body_before)
        if post.status is PostStatus.PUBLISHED:
            search.index_post(session, post)
    edit = session.get(PostEdit, decision.edit_id) if decision.edit_id is not None else None
    if edit is not None:  # the author's edit waits for a moderator again
        edit.status = EditStatus.PENDING


def _withdraw_or_correct(session: Session, decision: ModerationDecision, post: Post) -> None:
    notice = (
        session.get(Notification, decision.author_notification_id)
        if decision.author_notification_id is not None
        else None
    )
    if notice is None:
        return
    if notice.read_at is None:
        session.delete(notice)  # never seen: as if it had not been sent
        session.flush()
        return
    notifications.notify(
        session,
        post.author_id,
        "post.decision_corrected",
        url=f"/posts/{post.id}",
        title=post.thread.title,
    )


# ---- appeals of rejected posts ------------------------------------------------------------


def rejection_of(session: Session, post: Post) -> ModerationDecision | None:
    """The decision that took the post out of view (the latest not undone)."""
    return session.scalar(
        select(ModerationDecision)
        .where(
            ModerationDecision.post_id == post.id,
            ModerationDecision.action.in_((DecisionAction.REJECT, DecisionAction.REMOVE)),
            ModerationDecision.undone_at.is_(None),
        )
        .order_by(ModerationDecision.id.desc())
        .limit(1)
    )


def appeal_of(session: Session, post: Post) -> PostAppeal | None:
    return session.scalar(select(PostAppeal).where(PostAppeal.post_id == post.id))


def appeal(session: Session, post: Post, author: User, body: str) -> PostAppeal:
    """The author's one appeal (the unique post_id makes a second impossible, even at once)."""
    if post.author_id != author.id or post.status not in APPEALABLE:
        raise Refused(N_("Only a post a moderator did not publish can be appealed."))
    if appeal_of(session, post) is not None:
        raise Refused(N_("You have already appealed this decision; you can appeal only once."))
    body = body.strip()
    if not body:
        raise Refused(N_("Tell the moderators why the decision should change."))
    if len(body) > MAX_APPEAL_CHARS:
        raise Refused(N_("Keep your appeal under 2,000 characters."))
    decision = rejection_of(session, post)
    row = PostAppeal(
        post_id=post.id,
        decision_id=decision.id if decision is not None else None,
        forum_id=post.thread.forum_id,
        body=body,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=author.id,
        action="post_appeal.create",
        target_type="post",
        target_id=post.id,
        forum_id=row.forum_id,
    )
    return row


def _reviewable_by(reviewer: User, forum_ids: Sequence[int]) -> Select[PostAppeal]:
    """Pending appeals this moderator may review: in their forums, never against their own
    decision."""
    return (
        select(PostAppeal)
        .outerjoin(ModerationDecision, ModerationDecision.id == PostAppeal.decision_id)
        .where(
            PostAppeal.status == AppealStatus.PENDING,
            PostAppeal.forum_id.in_(forum_ids),
            or_(
                PostAppeal.decision_id.is_(None),
                ModerationDecision.moderator_id != reviewer.id,
            ),
        )
    )


def appeals_for(session: Session, reviewer: User, forum_ids: Sequence[int]) -> Sequence[PostAppeal]:
    return session.scalars(
        _reviewable_by(reviewer, forum_ids).order_by(PostAppeal.created_at, PostAppeal.id)
    ).all()


def appeal_to_review(
    session: Session, reviewer: User, forum_ids: Sequence[int], appeal_id: int
) -> PostAppeal | None:
    """One appeal, if this moderator may review it (loaded alone, not picked from the list)."""
    return session.scalar(_reviewable_by(reviewer, forum_ids).where(PostAppeal.id == appeal_id))


def decide_appeal(
    session: Session, reviewer: User, row: PostAppeal, overturn: bool, response: str
) -> None:
    if row.decision is not None and row.decision.moderator_id == reviewer.id:
        raise Refused(N_("A different moderator must review an appeal against your own decision."))
    result = cast(
        CursorResult[Any],
        session.execute(
            update(PostAppeal)
            .where(PostAppeal.id == row.id, PostAppeal.status == AppealStatus.PENDING)
            .values(
                status=AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD,
                reviewer_id=reviewer.id,
                response=response or None,
                decided_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise Refused(N_("This appeal has already been decided."))
    session.refresh(row)
    post = session.get(Post, row.post_id)
    assert post is not None
    if overturn and post.status in APPEALABLE:
        was_removed = post.status is PostStatus.REMOVED and post.published_at is not None
        post.rejection_reason = None
        if was_removed:
            posts.republish(session, post)
        else:
            posts.publish(session, post)
    notifications.notify(
        session,
        post.author_id,
        "post_appeal.decided",
        url=f"/posts/{post.id}",
        title=post.thread.title,
        overturned=overturn,
        response=response or None,
    )
    audit.record(
        session,
        actor_id=reviewer.id,
        action="post_appeal.overturn" if overturn else "post_appeal.uphold",
        target_type="post",
        target_id=post.id,
        forum_id=row.forum_id,
        appeal_id=row.id,
    )

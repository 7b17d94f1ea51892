"""The first moderator page: held posts with their assessment, approve or reject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import moderation
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.forums.models import Forum
from app.moderation_queue.gate import policy_for
from app.moderation_queue.models import DecisionAction, ModerationDecision, PostAssessment
from app.notifications import service as notifications
from app.posts import service as posts
from app.posts.models import Post, PostStatus, Thread


class AlreadyDecided(Exception):
    """A colleague decided this post first (or it is no longer held)."""


@dataclass(frozen=True)
class QueueItem:
    post: Post
    thread: Thread
    assessment: PostAssessment | None


def latest_assessments(session: Session, post_ids: Sequence[int]) -> dict[int, PostAssessment]:
    if not post_ids:
        return {}
    rows = session.scalars(
        select(PostAssessment)
        .where(PostAssessment.post_id.in_(post_ids))
        .order_by(PostAssessment.post_id, PostAssessment.created_at, PostAssessment.id)
    ).all()
    return {row.post_id: row for row in rows}  # later rows overwrite earlier ones


def urgent_post_ids(
    session: Session, forum: Forum, posts_on_page: Sequence[Post], viewer_id: int | None
) -> set[int]:
    """The viewer's own posts on a page that suggest a crisis, so they can be shown where to get help."""
    own = [
        p
        for p in posts_on_page
        if p.author_id == viewer_id
        and p.status in (PostStatus.HELD, PostStatus.AWAITING_ASSESSMENT)
    ]
    if not own:
        return set()
    assessments = latest_assessments(session, [p.id for p in own])
    urgent = {pid for pid, a in assessments.items() if a.route == moderation.Route.URGENT}
    # Not assessed yet (a slow scorer): the crisis rules are fast, so ask them directly.
    context = moderation.AssessmentContext(policy=policy_for(forum))
    for p in own:
        if p.id not in assessments and any(
            r.code.startswith("crisis.") for r in moderation.detect_rules(p.body_source, context)
        ):
            urgent.add(p.id)
    return urgent


def held_posts(session: Session, forum: Forum) -> list[QueueItem]:
    """Held posts of a forum, riskiest first (crisis on top), then oldest first."""
    rows = session.execute(
        select(Post, Thread)
        .join(Thread, Post.thread_id == Thread.id)
        .where(Thread.forum_id == forum.id, Post.status == PostStatus.HELD)
        .order_by(Post.created_at, Post.id)
    ).all()
    assessments = latest_assessments(session, [post.id for post, _ in rows])
    items = [QueueItem(post, thread, assessments.get(post.id)) for post, thread in rows]
    items.sort(key=lambda item: -(item.assessment.priority if item.assessment else 50))
    return items


def get_held_post(session: Session, forum: Forum, post_id: int) -> Post | None:
    return session.scalar(
        select(Post)
        .join(Thread, Post.thread_id == Thread.id)
        .where(Post.id == post_id, Thread.forum_id == forum.id)
    )


def _claim_decision(session: Session, post: Post, new_status: PostStatus) -> None:
    # A conditional UPDATE: of two moderators deciding at once, exactly one changes the row.
    result = session.execute(
        update(Post)
        .where(Post.id == post.id, Post.status == PostStatus.HELD)
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AlreadyDecided()
    session.refresh(post)


def _tell_author(session: Session, post: Post, action: DecisionAction, reason: str | None) -> None:
    what = "thread" if post.is_opening else "reply"
    title = post.thread.title
    if action is DecisionAction.APPROVE:
        text = (
            f"A moderator approved your {what} in “{title}”. Everyone in the forum can see it now."
        )
    else:
        text = f"A moderator didn't publish your {what} in “{title}”."
        if reason:
            text += f" Their reason: {reason}"
    notifications.notify(
        session, post.author_id, f"post.{action.value}", text[:500], url=f"/posts/{post.id}"
    )


def decide(
    session: Session,
    forum: Forum,
    post: Post,
    moderator: User,
    action: DecisionAction,
    reason: str | None = None,
) -> ModerationDecision:
    assessment = latest_assessments(session, [post.id]).get(post.id)
    machine_route = assessment.route if assessment else None
    if action is DecisionAction.APPROVE:
        _claim_decision(session, post, PostStatus.PUBLISHED)
        posts.publish(session, post)
        agreed = machine_route == "publish" if machine_route else None
    else:
        _claim_decision(session, post, PostStatus.REJECTED)
        post.rejection_reason = reason
        agreed = machine_route in ("hold", "urgent") if machine_route else None
    _tell_author(session, post, action, reason)
    decision = ModerationDecision(
        post_id=post.id,
        moderator_id=moderator.id,
        action=action,
        reason=reason,
        machine_route=machine_route,
        agreed_with_machine=agreed,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        actor_id=moderator.id,
        action=f"post.{action.value}",
        target_type="post",
        target_id=post.id,
        forum_id=forum.id,
        decision_id=decision.id,
        machine_route=machine_route,
    )
    return decision

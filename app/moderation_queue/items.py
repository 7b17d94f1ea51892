"""Putting things on the review queue: one open item per post (or per private conversation, or
per screened text), which new signals join."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app import events
from app.db import utcnow
from app.moderation_queue.models import (
    QUEUE_RANK,
    URGENT_CLAIM_IDLE,
    ReviewItem,
    ReviewQueue,
    ReviewStatus,
)
from app.posts.models import Post

# Reason codes whose text moderators may find distressing: blurred until they choose to read.
DISTRESSING_PREFIXES = ("crisis",)


def open_item(
    session: Session,
    post: Post,
    forum_id: int,
    queue: ReviewQueue,
    *,
    priority: int,
    reason_codes: Iterable[str],
    needs_clinical_review: bool = False,
) -> ReviewItem:
    """Queue a post for review, or add this signal to the item already open for it."""
    return _open(
        session,
        ReviewItem.post_id == post.id,
        lambda: ReviewItem(post_id=post.id, forum_id=forum_id),
        queue,
        priority=priority,
        reason_codes=reason_codes,
        needs_clinical_review=needs_clinical_review,
    )


def open_conversation_item(
    session: Session,
    conversation_id: int,
    message_id: int,
    forum_id: int,
    queue: ReviewQueue,
    *,
    priority: int,
    reason_codes: Iterable[str],
) -> ReviewItem:
    """Queue a private conversation because of one message; later messages join the open item."""
    item = _open(
        session,
        ReviewItem.conversation_id == conversation_id,
        lambda: ReviewItem(conversation_id=conversation_id, forum_id=forum_id),
        queue,
        priority=priority,
        reason_codes=reason_codes,
    )
    item.message_id = message_id  # the card opens at the newest message that needs a human
    session.flush()
    return item


def open_screened_text_item(
    session: Session,
    screened_text_id: int,
    forum_id: int,
    queue: ReviewQueue,
    *,
    priority: int,
    reason_codes: Iterable[str],
    needs_clinical_review: bool = False,
) -> ReviewItem:
    """Queue a goal, buddy request or group prompt that needs a person (app/moderation_queue/
    screening.py)."""
    return _open(
        session,
        ReviewItem.screened_text_id == screened_text_id,
        lambda: ReviewItem(screened_text_id=screened_text_id, forum_id=forum_id),
        queue,
        priority=priority,
        reason_codes=reason_codes,
        needs_clinical_review=needs_clinical_review,
    )


def _open(
    session: Session,
    same_subject: ColumnElement[bool],
    new_item: Callable[[], ReviewItem],
    queue: ReviewQueue,
    *,
    priority: int,
    reason_codes: Iterable[str],
    needs_clinical_review: bool = False,
) -> ReviewItem:
    codes = list(dict.fromkeys(reason_codes))
    item = session.scalar(
        select(ReviewItem).where(same_subject, ReviewItem.status == ReviewStatus.PENDING)
    )
    was_urgent = item is not None and item.queue is ReviewQueue.URGENT
    if item is None:
        item = new_item()
        item.queue, item.priority, item.reason_codes = queue, priority, codes
        session.add(item)
    else:
        if QUEUE_RANK[queue] < QUEUE_RANK[item.queue]:
            item.queue = queue  # a stronger signal moves it up (a report on a flagged post…)
            if queue is ReviewQueue.URGENT:
                _shorten_claim(item)
        item.priority = max(item.priority, priority)
        item.reason_codes = list(dict.fromkeys([*item.reason_codes, *codes]))
        item.version += 1
    item.distressing = any(c.startswith(DISTRESSING_PREFIXES) for c in item.reason_codes)
    item.needs_clinical_review = item.needs_clinical_review or needs_clinical_review
    session.flush()
    if item.queue is ReviewQueue.URGENT and not was_urgent:
        events.announce(
            session, events.ItemNeedsAttention(item.id, item.forum_id, item.queue.value)
        )
    return item


def _shorten_claim(item: ReviewItem) -> None:
    """An item that has just become urgent keeps a claim only while its moderator is active."""
    latest = utcnow() + URGENT_CLAIM_IDLE
    if item.claimed_until is not None and item.claimed_until > latest:
        item.claimed_until = latest

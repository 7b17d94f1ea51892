"""Putting posts on the review queue: one open item per post, which new signals join."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.moderation_queue.models import QUEUE_RANK, ReviewItem, ReviewQueue, ReviewStatus
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
    codes = list(dict.fromkeys(reason_codes))
    item = session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ReviewStatus.PENDING
        )
    )
    if item is None:
        item = ReviewItem(
            post_id=post.id, forum_id=forum_id, queue=queue, priority=priority, reason_codes=codes
        )
        session.add(item)
    else:
        if QUEUE_RANK[queue] < QUEUE_RANK[item.queue]:
            item.queue = queue  # a stronger signal moves it up (a report on a flagged post…)
        item.priority = max(item.priority, priority)
        item.reason_codes = list(dict.fromkeys([*item.reason_codes, *codes]))
        item.version += 1
    item.distressing = any(c.startswith(DISTRESSING_PREFIXES) for c in item.reason_codes)
    item.needs_clinical_review = item.needs_clinical_review or needs_clinical_review
    session.flush()
    return item

"""Moderation figures: time to decision, queue length over time, overrides; the decided history."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.db import utcnow
from app.forums.models import Forum
from app.moderation_queue.models import ModerationDecision, ReviewItem
from app.posts.models import Post, Thread

WINDOW_DAYS = 30
TREND_DAYS = 14


def percentile(values: Sequence[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass(frozen=True)
class ForumMetrics:
    forum: Forum
    decided: int
    median_minutes: float | None
    p90_minutes: float | None
    override_share: float | None
    queue_by_day: list[tuple[date, int]]


def forum_metrics(
    session: Session, forum: Forum, now: datetime | None = None, *, days: int = WINDOW_DAYS
) -> ForumMetrics:
    now = now or utcnow()
    since = now - timedelta(days=days)
    rows = session.execute(
        select(ReviewItem.decided_at, Post.created_at)
        .join(Post, Post.id == ReviewItem.post_id)
        .where(ReviewItem.forum_id == forum.id, ReviewItem.decided_at >= since)
    ).all()
    minutes = [(decided - created).total_seconds() / 60 for decided, created in rows if decided]
    agreements = session.scalars(
        select(ModerationDecision.agreed_with_machine)
        .join(ReviewItem, ReviewItem.id == ModerationDecision.review_item_id)
        .where(
            ReviewItem.forum_id == forum.id,
            ModerationDecision.created_at >= since,
            ModerationDecision.agreed_with_machine.is_not(None),
        )
    ).all()
    overrides = sum(1 for agreed in agreements if agreed is False)
    return ForumMetrics(
        forum=forum,
        decided=len(rows),
        median_minutes=statistics.median(minutes) if minutes else None,
        p90_minutes=percentile(minutes, 0.9),
        override_share=overrides / len(agreements) if agreements else None,
        queue_by_day=queue_length_by_day(session, forum.id, now),
    )


def queue_length_by_day(session: Session, forum_id: int, now: datetime) -> list[tuple[date, int]]:
    """Items waiting at the end of each of the last days."""
    days = [(now - timedelta(days=n)).date() for n in range(TREND_DAYS - 1, -1, -1)]
    result = []
    for day in days:
        end = datetime.combine(day, time.max, tzinfo=UTC)
        count = session.scalar(
            select(func.count())
            .select_from(ReviewItem)
            .where(
                ReviewItem.forum_id == forum_id,
                ReviewItem.created_at <= end,
                or_(ReviewItem.decided_at.is_(None), ReviewItem.decided_at > end),
            )
        )
        result.append((day, count or 0))
    return result


@dataclass(frozen=True)
class DecidedQuery:
    forum_ids: Sequence[int]
    author: str | None = None
    moderator: str | None = None
    reason: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class DecidedRow:
    decision: ModerationDecision
    thread: Thread
    author: str
    moderator: str


def decided(session: Session, query: DecidedQuery, limit: int = 200) -> list[DecidedRow]:
    author = aliased(User)
    moderator = aliased(User)
    conditions: list[ColumnElement[bool]] = [Thread.forum_id.in_(query.forum_ids)]
    if query.author:
        conditions.append(author.handle_key == query.author.casefold())
    if query.moderator:
        conditions.append(moderator.handle_key == query.moderator.casefold())
    if query.reason:
        conditions.append(ModerationDecision.reason.ilike(f"%{query.reason}%"))
    if query.since:
        conditions.append(
            ModerationDecision.created_at >= datetime.combine(query.since, time.min, tzinfo=UTC)
        )
    if query.until:
        conditions.append(
            ModerationDecision.created_at <= datetime.combine(query.until, time.max, tzinfo=UTC)
        )
    rows = session.execute(
        select(ModerationDecision, Thread, author.handle, moderator.handle)
        .join(Post, Post.id == ModerationDecision.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(author, author.id == Post.author_id)
        .join(moderator, moderator.id == ModerationDecision.moderator_id)
        .where(and_(*conditions))
        .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc())
        .limit(limit)
    ).all()
    return [DecidedRow(d, t, a, m) for d, t, a, m in rows]

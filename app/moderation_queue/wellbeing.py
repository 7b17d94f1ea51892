"""Looking after moderators: their own blur setting, a shift timer that counts from the start of
their shift, and a suggestion to take a break after a number of crisis items or minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.moderation_queue.models import (
    ModerationDecision,
    ModeratorShift,
    ModeratorWellbeing,
    ReviewItem,
    ReviewQueue,
)

# A shift nobody ended (a closed laptop) is over after this long.
LONGEST_SHIFT = timedelta(hours=12)
CRISIS_ITEMS_RANGE = (1, 100)
MINUTES_RANGE = (15, 720)


def settings_for(session: Session, moderator: User) -> ModeratorWellbeing:
    """The moderator's settings (the defaults until they save their own)."""
    found = session.get(ModeratorWellbeing, moderator.id)
    return (
        found
        if found is not None
        else ModeratorWellbeing(
            user_id=moderator.id,
            blur_distressing=True,
            break_after_crisis_items=5,
            break_after_minutes=90,
        )
    )


def _own_settings(session: Session, moderator: User) -> ModeratorWellbeing:
    row = session.get(ModeratorWellbeing, moderator.id)
    if row is None:
        row = settings_for(session, moderator)
        session.add(row)
    return row


def set_blur(session: Session, moderator: User, blur: bool) -> None:
    """The one blur setting: distressing posts and every picture on the queue stay blurred
    until the moderator chooses to see them (the item card's own switch sets it too)."""
    _own_settings(session, moderator).blur_distressing = blur
    session.flush()


def save_settings(
    session: Session, moderator: User, *, blur: bool, crisis_items: int, minutes: int
) -> ModeratorWellbeing:
    row = _own_settings(session, moderator)
    row.blur_distressing = blur
    row.break_after_crisis_items = crisis_items
    row.break_after_minutes = minutes
    session.flush()
    return row


def current_shift(session: Session, moderator: User) -> ModeratorShift | None:
    return session.scalar(
        select(ModeratorShift)
        .where(
            ModeratorShift.user_id == moderator.id,
            ModeratorShift.ended_at.is_(None),
            ModeratorShift.started_at > utcnow() - LONGEST_SHIFT,
        )
        .order_by(ModeratorShift.started_at.desc())
        .limit(1)
    )


def start_shift(session: Session, moderator: User) -> ModeratorShift:
    """Start a shift, or keep the one under way (deciding an item starts one too)."""
    shift = current_shift(session, moderator)
    if shift is None:
        shift = ModeratorShift(user_id=moderator.id, started_at=utcnow())
        session.add(shift)
        session.flush()
    return shift


def end_shift(session: Session, moderator: User) -> None:
    shift = current_shift(session, moderator)
    if shift is not None:
        shift.ended_at = utcnow()


@dataclass(frozen=True)
class ShiftNow:
    started: bool  # False: not on shift (the figures are then for the last 12 hours)
    minutes: int
    reviewed: int
    crisis_items: int
    suggest_break: bool


def shift_now(session: Session, moderator: User) -> ShiftNow:
    now = utcnow()
    shift = current_shift(session, moderator)
    since = shift.started_at if shift is not None else now - LONGEST_SHIFT
    crisis = or_(ReviewItem.distressing.is_(True), ReviewItem.queue == ReviewQueue.URGENT)
    reviewed, crisis_items = session.execute(
        select(
            func.count(ModerationDecision.id),
            func.count(ReviewItem.id).filter(crisis),
        )
        .select_from(ModerationDecision)
        .outerjoin(ReviewItem, ReviewItem.id == ModerationDecision.review_item_id)
        .where(
            ModerationDecision.moderator_id == moderator.id, ModerationDecision.created_at >= since
        )
    ).one()
    minutes = int((now - shift.started_at).total_seconds() // 60) if shift is not None else 0
    settings = settings_for(session, moderator)
    suggest = shift is not None and (
        crisis_items >= settings.break_after_crisis_items or minutes >= settings.break_after_minutes
    )
    return ShiftNow(
        started=shift is not None,
        minutes=minutes,
        reviewed=reviewed or 0,
        crisis_items=crisis_items or 0,
        suggest_break=suggest,
    )

"""In-app notifications: what happened to my posts, reports and account."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db import utcnow
from app.notifications.models import Notification


def notify(session: Session, user_id: int, kind: str, text: str, url: str) -> Notification:
    """Tell a member something. `text` is Harbour's own words: never quote what someone wrote."""
    notification = Notification(user_id=user_id, kind=kind, text=text, url=url)
    session.add(notification)
    return notification


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(session: Session, user_id: int, limit: int = 50) -> Sequence[Notification]:
    return session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def mark_all_read(session: Session, user_id: int) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )

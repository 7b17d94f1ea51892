"""In-app notifications: what happened to my posts, reports and account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import SQLColumnExpression, String, cast, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import User
from app.db import upsert, utcnow
from app.notifications import email, texts
from app.notifications.models import Notification, ThreadRead, Watch
from app.posts.models import Post


def notify(session: Session, user_id: int, kind: str, url: str, **facts: Any) -> Notification:
    """Tell a member something, in Harbour's own words (notifications/texts.py) built from `facts`:
    titles, forum names and moderators' reasons, never the words of a post."""
    with i18n.language("en"):
        text = texts.describe(kind, facts)[:500]
    notification = Notification(user_id=user_id, kind=kind, text=text, facts=facts, url=url)
    session.add(notification)
    user = session.get(User, user_id)
    if user is not None:
        email.notification_email(session, user)
    return notification


def has_unread(session: Session, user_id: int, url: str) -> bool:
    """Whether the member has not yet read a notification pointing at `url`."""
    return (
        session.scalar(
            select(Notification.id).where(
                Notification.user_id == user_id,
                Notification.url == url,
                Notification.read_at.is_(None),
            )
        )
        is not None
    )


def unread_count_query(user_id: int | SQLColumnExpression[int]) -> Any:
    """The member's unread notifications, as a scalar subquery (the header counts in one go);
    `user_id` may be a column, to correlate with the session being looked up."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(unread_count_query(user_id))) or 0


def recent(session: Session, user_id: int, limit: int = 50) -> Sequence[Notification]:
    return session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def own_notification(session: Session, user_id: int, notification_id: int) -> Notification | None:
    return session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )


def mark_notification_read(session: Session, user_id: int, notification_id: int) -> None:
    session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


def mark_thread_notifications_read(
    session: Session, user_id: int, thread_id: int, thread_url: str
) -> None:
    """Reading a thread reads what the member was told about it: notifications pointing at the
    thread or at any of its posts."""
    post_urls = select(literal("/posts/") + cast(Post.id, String)).where(
        Post.thread_id == thread_id
    )
    session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
            or_(Notification.url == thread_url, Notification.url.in_(post_urls)),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def mark_url_read(session: Session, user_id: int, url: str) -> None:
    """Reading a page reads the notifications that pointed at it (a group's thread…)."""
    session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.url == url,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


def mark_all_read(session: Session, user_id: int) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def is_watching(
    session: Session, user_id: int, *, thread_id: int | None = None, forum_id: int | None = None
) -> bool:
    query = select(Watch.id).where(Watch.user_id == user_id)
    query = (
        query.where(Watch.thread_id == thread_id)
        if thread_id
        else query.where(Watch.forum_id == forum_id)
    )
    return session.scalar(query) is not None


def watch(session: Session, user_id: int, *, thread_id: int) -> None:
    session.add(Watch(user_id=user_id, thread_id=thread_id))
    session.flush()


def toggle_watch(
    session: Session, user_id: int, *, thread_id: int | None = None, forum_id: int | None = None
) -> bool:
    """Start or stop watching; returns whether the member is now watching."""
    query = select(Watch).where(Watch.user_id == user_id)
    query = (
        query.where(Watch.thread_id == thread_id)
        if thread_id
        else query.where(Watch.forum_id == forum_id)
    )
    existing = session.scalar(query)
    if existing is not None:
        session.delete(existing)
        return False
    session.add(Watch(user_id=user_id, thread_id=thread_id, forum_id=forum_id))
    return True


def last_read_query(user_id: int, thread_id: SQLColumnExpression[int]) -> Any:
    """When the member last read the thread, as a scalar subquery beside the thread's row."""
    return (
        select(ThreadRead.read_at)
        .where(ThreadRead.user_id == user_id, ThreadRead.thread_id == thread_id)
        .scalar_subquery()
    )


def watching_query(user_id: int, thread_id: SQLColumnExpression[int]) -> Any:
    """Whether the member watches the thread, as an EXISTS beside the thread's row."""
    return exists().where(Watch.user_id == user_id, Watch.thread_id == thread_id)


def last_reads(session: Session, user_id: int, thread_ids: list[int]) -> dict[int, datetime]:
    if not thread_ids:
        return {}
    rows = session.execute(
        select(ThreadRead.thread_id, ThreadRead.read_at).where(
            ThreadRead.user_id == user_id, ThreadRead.thread_id.in_(thread_ids)
        )
    ).all()
    return {thread_id: read_at for thread_id, read_at in rows}


def mark_read(session: Session, user_id: int, thread_id: int) -> None:
    """Record that the member has read the thread up to now (one upsert: two first reads of a
    thread at once never collide on the unique key)."""
    now = utcnow()
    upsert(
        session,
        ThreadRead,
        {"user_id": user_id, "thread_id": thread_id, "read_at": now},
        conflict=("user_id", "thread_id"),
        update={"read_at": now},
        where=ThreadRead.read_at < now,
    )

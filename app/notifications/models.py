from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from app.notifications.texts import describe


class Notification(Base):
    """An in-app notice for one member. Its text is written by Harbour, never a quote of a post."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(
        String(40)
    )  # e.g. post.approved, post.rejected, report.outcome
    # The sentence in English, as sent; `facts` rebuild it in the reader's language when shown.
    text: Mapped[str] = mapped_column(String(500))
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def sentence(self) -> str:
        """What the notification says, in the reader's language."""
        return self.text if self.facts is None else describe(self.kind, self.facts)


class Watch(Base):
    """A member following a thread (new replies) or a whole forum (new threads)."""

    __tablename__ = "watch"
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id"),
        UniqueConstraint("user_id", "forum_id"),
        Index("ix_watch_thread_id", "thread_id"),
        Index("ix_watch_forum_id", "forum_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThreadRead(Base):
    """When a member last read a thread: unread markers and "new since your last visit"."""

    __tablename__ = "thread_read"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEmail(Base):
    """Every email Harbour sends, kept so the CLI and tests can read it (and sent by SMTP when set).

    Subjects and bodies never name a condition or quote a post: they link to it.
    """

    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    # The RFC 8058 one-click unsubscribe address (List-Unsubscribe header) of a notification email.
    list_unsubscribe: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

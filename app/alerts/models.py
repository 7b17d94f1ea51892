"""Urgent alerts: per-forum settings, one alert per item that needs a person, and its deliveries
(durable jobs: each email or webhook post is a row the worker sends, retries and records)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow

DEFAULT_ESCALATE_AFTER_MINUTES = 5


class ForumAlerting(Base):
    """How a forum's urgent alerts go out: its webhook (Slack, Microsoft Teams or any receiver
    that checks the signature) and how long an unclaimed alert waits before it escalates."""

    __tablename__ = "forum_alerting"

    forum_id: Mapped[int] = mapped_column(
        ForeignKey("forum.id", ondelete="CASCADE"), primary_key=True
    )
    webhook_url: Mapped[str | None] = mapped_column(String(500), default=None)
    # The HMAC-SHA256 key of the X-Harbour-Signature header; the receiver keeps a copy.
    webhook_secret: Mapped[str] = mapped_column(String(64))
    escalate_after_minutes: Mapped[int] = mapped_column(default=DEFAULT_ESCALATE_AFTER_MINUTES)
    # The language of the webhook's text (the team's channel has no one reader; emails are in
    # each recipient's own language).
    webhook_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AlertKind(StrEnum):
    URGENT = "urgent"  # an item entered the Urgent queue
    SAFEGUARDING = "safeguarding"  # a moderator escalated an item to the safeguarding queue
    CLINICAL = "clinical"  # … or to the clinical reviewers
    TEST = "test"  # an admin's test from the console


class AlertStatus(StrEnum):
    OPEN = "open"  # nobody has claimed the item yet: it escalates when `escalate_at` passes
    ACKNOWLEDGED = "acknowledged"  # someone claimed (or decided) it
    CLOSED = "closed"  # nothing left to escalate (a test, or every tier alerted)


class Alert(Base):
    """One alert about one item: who was told at which tier, and who acknowledged it."""

    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_status_escalate_at", "status", "escalate_at"),
        Index("ix_alert_review_item_id", "review_item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    review_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_item.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind, "alert_kind"))
    status: Mapped[AlertStatus] = mapped_column(
        enum_column(AlertStatus, "alert_status"), default=AlertStatus.OPEN
    )
    # 0: the first responders; each escalation moves one tier on (see service.TIERS).
    tier: Mapped[int] = mapped_column(default=0)
    # Whether it went out outside the forum's staffed hours (to the out-of-hours contacts).
    out_of_hours: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalate_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )

    acknowledged_by: Mapped[User | None] = relationship()


class DeliveryChannel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt (admins see it on the console)


class AlertDelivery(Base):
    """One email or webhook post of an alert: a job the worker takes when `next_attempt_at` has
    passed, so it survives restarts; a failed attempt is retried with exponential backoff."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        Index("ix_alert_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    tier: Mapped[int] = mapped_column(default=0)
    channel: Mapped[DeliveryChannel] = mapped_column(
        enum_column(DeliveryChannel, "alert_delivery_channel")
    )
    # The person emailed (None for the forum's webhook).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), default=None
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "alert_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A short code (an HTTP status, an exception's class), never a receiver's response body.
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    outbox_email_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_email.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    alert: Mapped[Alert] = relationship()
    user: Mapped[User | None] = relationship()

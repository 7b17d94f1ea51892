"""Safeguarding records: one case per escalated item, with what happened, who was contacted,
what was done and when, and the outcome, for the charity's designated safeguarding officer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, utcnow
from app.i18n import N_

# What a line of the record is; "escalated" and "outcome" are written by Harbour's own actions.
ENTRY_KINDS = {
    "escalated": N_("Escalated"),
    "contacted": N_("Contacted"),
    "action": N_("Action taken"),
    "note": N_("Note"),
    "outcome": N_("Outcome"),
}
# The kinds a safeguarding lead adds by hand.
MANUAL_KINDS = ("contacted", "action", "note")


class SafeguardingCase(Base):
    __tablename__ = "safeguarding_case"
    __table_args__ = (Index("ix_safeguarding_case_forum_id_closed_at", "forum_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    # The item escalated (kept as None if the post is later erased: the record stays).
    review_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_item.id", ondelete="SET NULL"), index=True
    )
    queue: Mapped[str] = mapped_column(String(16))  # ESCALATION_QUEUES
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    outcome: Mapped[str | None] = mapped_column(Text, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )

    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    entries: Mapped[list[CaseEntry]] = relationship(
        order_by="CaseEntry.created_at, CaseEntry.id", cascade="all, delete-orphan"
    )


class CaseEntry(Base):
    __tablename__ = "safeguarding_case_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("safeguarding_case.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(16))  # ENTRY_KINDS
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()

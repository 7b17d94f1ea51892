"""Buddying: trained supporters offer themselves as buddies; a member asks for one; a coordinator
pairs them for an agreed length, and the pair talk in a private (peer) conversation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow
from app.i18n import N_

# What a buddy has lived through and a member may hope to talk about (short, fixed codes: the
# profile says which experiences, never anyone's medical history in their own words).
EXPERIENCES = {
    "newly_diagnosed": N_("Being newly diagnosed"),
    "dialysis": N_("Dialysis"),
    "transplant": N_("A transplant"),
    "pump": N_("An insulin pump or sensor"),
    "rehab": N_("Rehabilitation"),
    "surgery": N_("Surgery"),
    "work_study": N_("Work or study"),
    "family": N_("Family and relationships"),
}
AGE_BANDS = ("18-29", "30-49", "50-69", "70+")
LANGUAGES = {"en": "English", "cy": "Cymraeg"}
DEFAULT_WEEKS = 8


class RequestStatus(StrEnum):
    OPEN = "open"  # waiting for a coordinator
    PAIRED = "paired"
    WITHDRAWN = "withdrawn"


class PairingStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class BuddyProfile(Base):
    """A trained supporter's offer to be a buddy in one forum, and for how many people at once."""

    __tablename__ = "buddy_profile"
    __table_args__ = (UniqueConstraint("forum_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    experiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    age_band: Mapped[str | None] = mapped_column(String(8), default=None)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(default=1)
    available: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class BuddyRequest(Base):
    """A member asking for a buddy (self-referral, or suggested by their clinician)."""

    __tablename__ = "buddy_request"
    __table_args__ = (Index("ix_buddy_request_forum_id_status", "forum_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # What they hope for, in their words: read only by the forum's coordinators.
    hopes: Mapped[str] = mapped_column(Text, default="")
    experiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    age_band: Mapped[str | None] = mapped_column(String(8), default=None)
    language: Mapped[str] = mapped_column(String(8), default="en")
    via_clinician: Mapped[bool] = mapped_column(default=False)
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "buddy_request_status"), default=RequestStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[User] = relationship(lazy="joined")


class BuddyPairing(Base):
    __tablename__ = "buddy_pairing"
    __table_args__ = (
        Index("ix_buddy_pairing_status_next_check_in_at", "status", "next_check_in_at"),
        Index("ix_buddy_pairing_buddy_id_status", "buddy_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("buddy_request.id", ondelete="SET NULL"), default=None
    )
    buddy_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    paired_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    weeks: Mapped[int] = mapped_column(default=DEFAULT_WEEKS)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime]
    next_check_in_at: Mapped[datetime | None] = mapped_column(default=None)
    check_ins_sent: Mapped[int] = mapped_column(default=0)
    status: Mapped[PairingStatus] = mapped_column(
        enum_column(PairingStatus, "buddy_pairing_status"), default=PairingStatus.ACTIVE
    )
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )

    buddy: Mapped[User] = relationship(foreign_keys=[buddy_id], lazy="joined")
    member: Mapped[User] = relationship(foreign_keys=[member_id], lazy="joined")

    def involves(self, user_id: int) -> bool:
        return user_id in (self.buddy_id, self.member_id)

    def other(self, user_id: int) -> User:
        return self.member if user_id == self.buddy_id else self.buddy


class BuddyFeedback(Base):
    """The two questions at the end of a pairing, answered once by each person (no free text)."""

    __tablename__ = "buddy_feedback"
    __table_args__ = (UniqueConstraint("pairing_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("buddy_pairing.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    helpful: Mapped[int]  # 1 (not at all) … 5 (a great deal)
    recommend: Mapped[str] = mapped_column(String(8))  # yes / no / unsure
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

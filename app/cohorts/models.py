"""Cohort groups: people who met on a course keep meeting in a private space inside a forum.

A cohort's threads are conversations (app/conversations, kind "cohort"): every message is
assessed like a post. Who may read them is the cohort's members and the forum's moderators.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow
from app.forums.models import Forum


class CohortRole(StrEnum):
    FACILITATOR = "facilitator"  # created it (or was handed it); leads it
    PEER_LEADER = "peer_leader"  # a participant who leads it after the course
    PARTICIPANT = "participant"
    STEPPED_BACK = "stepped_back"  # a facilitator who handed over: reads, no longer leads


LEADING_ROLES = (CohortRole.FACILITATOR, CohortRole.PEER_LEADER)


class Cohort(Base):
    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    # The invite link's secret part (anyone with it who can join the forum can join the cohort).
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    # The weekly rhythm: on this day (0 = Monday, the forum's time zone) a check-in thread opens.
    check_in_day: Mapped[int | None] = mapped_column(default=None)
    check_in_prompt: Mapped[str] = mapped_column(Text, default="")
    check_in_prompt_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    last_check_in_on: Mapped[date | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    forum: Mapped[Forum] = relationship(lazy="joined")


class CohortMember(Base):
    __tablename__ = "cohort_member"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        Index("ix_cohort_member_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[CohortRole] = mapped_column(
        enum_column(CohortRole, "cohort_role"), default=CohortRole.PARTICIPANT
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def leads(self) -> bool:
        return self.role in LEADING_ROLES

"""Personal goals: what, how often, until when; kept private or shared with one's buddy or one
cohort; a reminder on the chosen days; progress in one tap; encouragement from those shared with."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow


class GoalSharing(StrEnum):
    PRIVATE = "private"
    BUDDY = "buddy"  # the member's buddy pairing (both people in it)
    COHORT = "cohort"  # one cohort the member is in


class Goal(Base):
    __tablename__ = "goal"
    __table_args__ = (Index("ix_goal_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # The forum whose policy assessed the text (and whose time zone the reminder days follow).
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(200))
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 = Monday
    until: Mapped[date]
    sharing: Mapped[GoalSharing] = mapped_column(
        enum_column(GoalSharing, "goal_sharing"), default=GoalSharing.PRIVATE
    )
    pairing_id: Mapped[int | None] = mapped_column(
        ForeignKey("buddy_pairing.id", ondelete="SET NULL"), default=None
    )
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohort.id", ondelete="SET NULL"), default=None, index=True
    )
    last_reminded_on: Mapped[date | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(lazy="joined")


class GoalProgress(Base):
    """A day the member did what the goal says (one tap; once a day)."""

    __tablename__ = "goal_progress"
    __table_args__ = (UniqueConstraint("goal_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"))
    day: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GoalEncouragement(Base):
    """Someone the goal is shared with cheering it on (once each)."""

    __tablename__ = "goal_encouragement"
    __table_args__ = (UniqueConstraint("goal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

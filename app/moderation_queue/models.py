from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow


class PostAssessment(Base):
    """One run of the moderation engine over a post; a rescore adds a new row."""

    __tablename__ = "post_assessment"
    __table_args__ = (Index("ix_post_assessment_post_id_created_at", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scorer_name: Mapped[str] = mapped_column(String(64))
    scorer_version: Mapped[str] = mapped_column(String(128))
    route: Mapped[str] = mapped_column(String(16))  # publish / hold / urgent
    priority: Mapped[int] = mapped_column(default=0)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # [{"code": ..., "message": ..., "label": ..., "spans": [[start, end], ...]}]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    review_flag: Mapped[bool] = mapped_column(default=False)
    needs_clinical_review: Mapped[bool] = mapped_column(default=False)


class DecisionAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class ModerationDecision(Base):
    __tablename__ = "moderation_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[DecisionAction] = mapped_column(enum_column(DecisionAction, "decision_action"))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    # The machine's route at decision time, and whether the human agreed (calibration data).
    machine_route: Mapped[str | None] = mapped_column(String(16), default=None)
    agreed_with_machine: Mapped[bool | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderator: Mapped[User] = relationship()

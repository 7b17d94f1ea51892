from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class Submission(Base):
    """A form's one-time key, kept for a day with what the form made: sending the same form again
    (a double click, a retry after a dropped connection or a server restart) gets the first
    result instead of making a second post, report or decision."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_submission_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    # Where the first submission sent the member (every form that creates something redirects).
    result_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Outcome measures: optional short check-ins (ONS4 personal wellbeing and one confidence item).

Each answer may be skipped; commissioners only ever see aggregates over at least ten people.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from app.i18n import N_

# The Office for National Statistics' four personal wellbeing questions (ONS4), 0 to 10, and a
# single confidence item. For "anxious", lower is better.
QUESTIONS = {
    "life_satisfaction": N_("Overall, how satisfied are you with your life nowadays?"),
    "worthwhile": N_(
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?"
    ),
    "happy": N_("Overall, how happy did you feel yesterday?"),
    "anxious": N_("Overall, how anxious did you feel yesterday?"),
    "confidence": N_("How confident do you feel managing your health?"),
}
LOWER_IS_BETTER = frozenset({"anxious"})


class OutcomeResponse(Base):
    __tablename__ = "outcome_response"
    __table_args__ = (
        Index(
            "ix_outcome_response_forum_id_user_id_created_at", "forum_id", "user_id", "created_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    life_satisfaction: Mapped[int | None] = mapped_column(default=None)
    worthwhile: Mapped[int | None] = mapped_column(default=None)
    happy: Mapped[int | None] = mapped_column(default=None)
    anxious: Mapped[int | None] = mapped_column(default=None)
    confidence: Mapped[int | None] = mapped_column(default=None)

    def answer(self, key: str) -> int | None:
        value: int | None = getattr(self, key)
        return value

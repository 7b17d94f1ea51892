"""Site-wide settings an admin changes in the console (one row; absent until first saved)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

SITE_SETTINGS_ID = 1


class SiteSettings(Base):
    __tablename__ = "site_setting"

    id: Mapped[int] = mapped_column(primary_key=True, default=SITE_SETTINGS_ID)
    # Two-factor sign-in required of moderators and admins. None: as the environment says
    # (HARBOUR_STAFF_TWO_FACTOR; unset, on in production), until an admin chooses.
    staff_two_factor: Mapped[bool | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )

"""Reading and changing the site-wide settings (app/admin/models.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, Select, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.admin.models import SITE_SETTINGS_ID, SiteSettings
from app.audit import service as audit
from app.config import Settings


def _staff_two_factor_choice() -> Select[bool | None]:
    return select(SiteSettings.staff_two_factor).where(SiteSettings.id == SITE_SETTINGS_ID)


def staff_two_factor_choice() -> ScalarSelect[Any]:
    """The admin's choice (NULL: none yet), as a column for the session lookup's one statement."""
    return _staff_two_factor_choice().scalar_subquery()


def staff_two_factor_required(choice: bool | None, settings: Settings) -> bool:
    """The admin's choice; until there is one, the environment's default (on in production)."""
    return settings.staff_two_factor_required if choice is None else choice


def staff_two_factor(session: Session, settings: Settings) -> bool:
    return staff_two_factor_required(session.scalar(_staff_two_factor_choice()), settings)


def set_staff_two_factor(session: Session, admin: User, required: bool, settings: Settings) -> None:
    """Record the admin's choice (audited); saving the same value again changes nothing."""
    row = session.get(SiteSettings, SITE_SETTINGS_ID)
    before = staff_two_factor_required(row.staff_two_factor if row else None, settings)
    if row is None:
        row = SiteSettings(id=SITE_SETTINGS_ID)
        session.add(row)
    elif row.staff_two_factor is required:
        return
    row.staff_two_factor = required
    row.updated_by_id = admin.id
    session.flush()
    audit.record(
        session,
        actor_id=admin.id,
        action="site_settings.staff_two_factor",
        target_type="site_settings",
        target_id=SITE_SETTINGS_ID,
        required=required,
        before=before,
    )

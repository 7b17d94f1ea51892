"""Consent to Harbour holding health information (UK GDPR Article 9), and the privacy notice.

Joining a peer-support forum for a condition tells Harbour something about a person's health,
so Harbour asks for explicit consent: at sign-up, and (for accounts from before this was asked)
at the next sign-in. Each consent records the notice version the person read and when; taking
it back means Harbour can no longer keep the account, so withdrawing leads to deletion, with
the person's data offered to download first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Consent, PrivacyNotice, User
from app.audit import service as audit

# The text an admin starts from (also what the migration publishes as version 1).
DEFAULT_NOTICE = """\
## Who we are

Harbour is an online peer-support community run by a charity for people living with long-term
health conditions, and the people close to them.

## What we hold about you

- Your email address and password (stored scrambled), used only to sign you in and to send you
  the emails you choose.
- Your handle, avatar and short bio, which other members see.
- What you write, and which forums you join. Because our forums are about health conditions,
  **joining one tells us something about your health**. The law (UK GDPR Article 9) treats this
  as special-category data, so we only hold it with your explicit consent.
- Moderation records: decisions about your posts, warnings or other sanctions, and appeals.

## What we do with it

We use it to run the community and keep it safe. We never sell it, never use it for
advertising, and never put what you wrote or which forums you are in into emails or logs.

## Your rights

You can download everything we hold about you at any time from your account page, correct it,
or delete your account. You can withdraw your consent at any time: we then delete your account,
offering you a copy of your data first. You can complain to the Information Commissioner's
Office (ico.org.uk).
"""


# With no notice published (a database made without the migration's first version), the
# default text is version 1.
DEFAULT_VERSION = 1


def current_notice(session: Session) -> PrivacyNotice | None:
    return session.scalar(select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1))


def notice_versions(session: Session) -> Sequence[PrivacyNotice]:
    return session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())).all()


def publish_notice(session: Session, body: str, actor: User, now: datetime) -> PrivacyNotice:
    """A new version of the notice. Consent already given stays on record (with the version
    read), but everyone is asked to read and agree to the new version at their next request,
    as members from before consent was asked are."""
    latest = session.scalar(select(func.max(PrivacyNotice.version))) or DEFAULT_VERSION
    notice = PrivacyNotice(
        version=latest + 1, body=body, published_at=now, published_by_id=actor.id
    )
    session.add(notice)
    session.flush()
    session.execute(update(User).where(User.consented_at.is_not(None)).values(consented_at=None))
    audit.record(
        session,
        actor_id=actor.id,
        action="privacy_notice.publish",
        target_type="privacy_notice",
        target_id=notice.id,
    )
    return notice


def give(session: Session, user: User, now: datetime) -> Consent:
    notice = current_notice(session)
    consent = Consent(
        user_id=user.id, notice_version=notice.version if notice else DEFAULT_VERSION, given_at=now
    )
    session.add(consent)
    user.consented_at = now
    session.flush()
    return consent


def withdraw(session: Session, user: User, now: datetime) -> None:
    for consent in session.scalars(
        select(Consent).where(Consent.user_id == user.id, Consent.withdrawn_at.is_(None))
    ):
        consent.withdrawn_at = now
    user.consented_at = None


def history(session: Session, user_id: int) -> Sequence[Consent]:
    return session.scalars(
        select(Consent).where(Consent.user_id == user_id).order_by(Consent.given_at, Consent.id)
    ).all()

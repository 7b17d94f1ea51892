"""Password reset by email: a link that works once, for 30 minutes.

Asking for a link answers the same way, and does the same work, whether or not the address is
registered: a registered address gets a link, any other gets an email saying no account uses it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.accounts import emails, tokens
from app.accounts import service as accounts
from app.accounts.models import AccountStatus, AccountToken, TokenPurpose, User
from app.config import Settings

RESET_LIFETIME = timedelta(minutes=30)


def request_reset(
    session: Session, settings: Settings, address: str, *, now: datetime, language: str
) -> None:
    """Email a reset link to the account at `address`, or say no account uses it."""
    user = accounts.get_by_email(session, address)
    if user is None or user.deleted_at is not None or user.status is AccountStatus.DEACTIVATED:
        emails.no_account(session, settings, accounts.normalise_email(address), language)
        return
    token = tokens.issue(
        session,
        user,
        TokenPurpose.PASSWORD_RESET,
        secret_key=settings.secret_key,
        now=now,
        lifetime=RESET_LIFETIME,
    )
    emails.password_reset(session, settings, user.email, user.language, token)


def reset_link(
    session: Session, settings: Settings, token: str, *, now: datetime
) -> AccountToken | None:
    """The live reset link this token opens, or None (unknown, used or expired)."""
    return tokens.find(
        session, token, TokenPurpose.PASSWORD_RESET, secret_key=settings.secret_key, now=now
    )


def reset_password(
    session: Session, settings: Settings, link: AccountToken, password: str, *, now: datetime
) -> User:
    """Set the new password through a live link; every session of the account ends."""
    user = session.get(User, link.user_id)
    assert user is not None
    accounts.check_new_password(user, password)
    if not tokens.use(session, link, now):
        raise accounts.LinkUsed()
    tokens.retire(session, user.id, TokenPurpose.PASSWORD_RESET, now)
    if user.email_verified_at is None and link.email == user.email:
        user.email_verified_at = now  # the link reached them, so the address is theirs
    accounts.set_password(session, settings, user, password, now=now)
    return user

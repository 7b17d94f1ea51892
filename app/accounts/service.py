"""Accounts: registration, authentication and server-side sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, CursorResult, func, select, update
from sqlalchemy.orm import Session

from app.accounts import emails
from app.accounts.models import AccountStatus, SiteRole, User, UserSession
from app.accounts.passwords import hash_password, password_problem, verify_password
from app.audit import service as audit
from app.config import Settings
from app.db import utcnow
from app.forums.models import Membership, MembershipRole, MembershipStatus
from app.i18n import N_, _

HANDLE_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{2,29}$")
# Refresh last_seen_at at most this often, so reading pages does not write on every request.
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)


class RegistrationError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("registration refused")
        self.errors = errors


# Identity: two emails or handles that look the same are the same. Each is compared by its key:
# NFKC (compatibility forms such as full-width letters fold to plain ones, and NFC and NFD
# spellings of one accent become one) then casefold. The keys are unique in the database.
def handle_key(handle: str) -> str:
    return unicodedata.normalize("NFKC", handle.strip()).casefold()


def email_key(email: str) -> str:
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFC", email.strip()).lower()


def set_email(user: User, address: str) -> None:
    """The address and its lookup key change together: sign-in finds accounts by the key."""
    user.email = normalise_email(address)
    user.email_key = email_key(address)


# Characters that show nothing or reorder text (right-to-left overrides, zero-width joiners…):
# in a handle they let one member pass as another.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Zl", "Zp"})


def handle_problem(handle: str) -> str | None:
    """Why a handle can't be used, or None. Only plain letters a-z, digits, dots, dashes and
    underscores, so no look-alike letter from another script can impersonate anyone."""
    folded = unicodedata.normalize("NFKC", handle.strip())
    if any(unicodedata.category(c) in INVISIBLE_CATEGORIES for c in folded):
        return _(
            "Handles can't contain invisible or formatting characters (such as right-to-left "
            "marks or zero-width joiners). Type it again with plain letters."
        )
    if not folded.isascii():
        return _(
            "Handles use the letters a to z, numbers, dots, dashes and underscores, so that "
            "nobody can pass as someone else with a look-alike letter."
        )
    if not HANDLE_PATTERN.match(folded):
        return _(
            "Choose a handle of 3 to 30 letters, numbers, dots, dashes or underscores. "
            "It is shown to others, so it need not be your real name."
        )
    return None


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email_key == email_key(email)))


def get_by_handle(session: Session, handle: str) -> User | None:
    return session.scalar(select(User).where(User.handle_key == handle_key(handle)))


def validate_registration(
    session: Session, handle: str, email: str, password: str, *, email_must_be_new: bool = True
) -> dict[str, str]:
    """What is wrong with these details, field by field. Sign-up on the web passes
    `email_must_be_new=False`: whether an address is registered is never said there."""
    errors: dict[str, str] = {}
    handle = unicodedata.normalize("NFKC", handle.strip())
    if problem := handle_problem(handle):
        errors["handle"] = problem
    elif get_by_handle(session, handle) is not None:
        errors["handle"] = _("That handle is taken; try another.")
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = _("Enter an email address like name@example.org.")
    else:
        if email_must_be_new and get_by_email(session, email) is not None:
            errors["email"] = _(
                "An account with that email address already exists. Try signing in."
            )
    weak = password_problem(password, handle=handle, email=email)
    if weak:
        errors["password"] = weak
    return errors


def register(
    session: Session,
    *,
    handle: str,
    email: str,
    password: str,
    site_role: SiteRole = SiteRole.MEMBER,
    language: str = "en",
    verified: bool = True,
) -> User:
    """Create an account. Accounts an operator creates (the CLI, the demo) count as verified;
    sign-up on the web passes `verified=False` and emails a confirmation link."""
    errors = validate_registration(session, handle, email, password)
    if errors:
        raise RegistrationError(errors)
    handle = unicodedata.normalize("NFKC", handle.strip())
    user = User(
        handle=handle,
        handle_key=handle_key(handle),
        password_hash=hash_password(password),
        site_role=site_role,
        language=language,
        email_verified_at=utcnow() if verified else None,
    )
    set_email(user, email)
    session.add(user)
    session.flush()
    return user


def check_credentials(session: Session, email: str, password: str) -> User | None:
    """The account these credentials prove, whatever its status, or None; the same cost whether
    or not the email exists."""
    user = get_by_email(session, email)
    ok = verify_password(password, user.password_hash if user else None)
    return user if ok and user is not None else None


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user for these credentials if they may sign in, or None."""
    user = check_credentials(session, email, password)
    return None if user is None or user.status is AccountStatus.DEACTIVATED else user


class PasswordRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LinkUsed(Exception):
    """An emailed link was used by another request first."""


def check_new_password(user: User, password: str) -> None:
    problem = password_problem(password, handle=user.handle, email=user.email)
    if problem:
        raise PasswordRefused(problem)


def set_password(
    session: Session,
    settings: Settings,
    user: User,
    password: str,
    *,
    now: datetime,
    keep: UserSession | None = None,
) -> None:
    """A new password: every session ends (but `keep`, the device making the change), and the
    account's address is told, in case it wasn't them."""
    user.password_hash = hash_password(password)
    end_all_sessions(session, user.id, now=now, keep=keep)
    audit.record(
        session,
        actor_id=user.id,
        action="account.password_change",
        target_type="user",
        target_id=user.id,
    )
    if user.email_verified:
        emails.password_changed(session, settings, user.email, user.language)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewSession:
    token: str  # goes in the cookie, never stored
    record: UserSession


def start_session(
    session: Session, user: User, settings: Settings, *, device: str = ""
) -> NewSession:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = UserSession(
        user_id=user.id,
        token_hash=_token_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=settings.session_absolute_days),
        device=device[:100],
        reauthenticated_at=now,
    )
    session.add(record)
    session.flush()
    return NewSession(token=token, record=record)


@dataclass(frozen=True)
class SessionLookup:
    record: UserSession | None
    expired: bool  # a cookie was presented but its session is over (expired, revoked or unknown)
    # last_seen_at is due a refresh: done after the response, never inside the request
    needs_touch: bool = False
    # The values of the `extra` columns asked for with the session, when it is live.
    extra: tuple[Any, ...] = ()


def resolve_session(
    session: Session,
    token: str | None,
    settings: Settings,
    extra: Sequence[ColumnElement[Any]] = (),
) -> SessionLookup:
    """The live session behind a cookie, with its member; `extra` columns (correlated with
    UserSession.user_id) ride in the same statement, so a page header costs no more round trips."""
    if not token:
        return SessionLookup(None, expired=False)
    row = session.execute(
        select(UserSession, *extra).where(UserSession.token_hash == _token_hash(token))
    ).first()
    record = row[0] if row is not None else None
    now = utcnow()
    if (
        record is None
        or record.revoked_at is not None
        or record.expires_at <= now
        or record.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= now
        or not record.user.is_active
    ):
        return SessionLookup(None, expired=True)
    return SessionLookup(
        record,
        expired=False,
        needs_touch=now - record.last_seen_at >= SESSION_TOUCH_INTERVAL,
        extra=tuple(row[1:]) if row is not None else (),
    )


def touch_session(session: Session, session_id: int) -> None:
    """Refresh a session's last_seen_at, at most once per interval however many requests ask."""
    now = utcnow()
    session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.last_seen_at <= now - SESSION_TOUCH_INTERVAL,
        )
        .values(last_seen_at=now)
    )


def recently_authenticated(record: UserSession, now: datetime, minutes: int) -> bool:
    proven = record.reauthenticated_at
    return proven is not None and now - proven <= timedelta(minutes=minutes)


def reauthenticate(session: Session, record: UserSession, now: datetime) -> None:
    record.reauthenticated_at = now


def live_sessions(
    session: Session, user_id: int, settings: Settings, now: datetime | None = None
) -> Sequence[UserSession]:
    """The member's sessions still able to sign them in, most recently used first."""
    now = now or utcnow()
    return session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at > now - timedelta(minutes=settings.session_idle_minutes),
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()


def end_own_session(session: Session, user: User, session_id: int, now: datetime) -> bool:
    """Sign out one of the member's own devices; False if it is not theirs or already over."""
    record = session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        return False
    record.revoked_at = now
    return True


def end_session(session: Session, record: UserSession) -> None:
    record.revoked_at = utcnow()


def end_all_sessions(
    session: Session, user_id: int, *, now: datetime | None = None, keep: UserSession | None = None
) -> int:
    """Revoke every live session of a user (log out of every device, or every one but `keep`);
    returns how many."""
    query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = cast(
        CursorResult[Any],
        session.execute(query.values(revoked_at=now or utcnow())),
    )
    return result.rowcount or 0


def count_live_sessions(session: Session, user_id: int, now: datetime | None = None) -> int:
    now = now or utcnow()
    return (
        session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
            )
        )
        or 0
    )


def badges(session: Session, user: User) -> list[str]:
    """The roles a member holds anywhere, without saying where (a forum's name reveals a condition)."""
    roles = set(
        session.scalars(
            select(Membership.role).where(
                Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
            )
        )
    )
    names = {
        MembershipRole.SUPPORTER: N_("Trained supporter"),
        MembershipRole.MODERATOR: N_("Moderator"),
    }
    return [names[r] for r in (MembershipRole.SUPPORTER, MembershipRole.MODERATOR) if r in roles]

"""Two-factor sign-in: time-based codes from an authenticator app (TOTP, RFC 6238, by pyotp),
the QR code that sets the app up (drawn on the server by segno), and one-time recovery codes.

A code is accepted once: the account remembers the last 30-second step a code was accepted for,
and a code from that step or an earlier one is refused, so a code seen over someone's shoulder
cannot be used again within its window. The TOTP key is stored encrypted under a key derived
from the site's secret (app/sealing.py). Recovery codes are stored as HMACs under the site's
secret, like emailed links, and each works once.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from enum import StrEnum

import pyotp
import segno
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import sealing
from app.accounts.models import RecoveryCode, User
from app.accounts.tokens import token_digest
from app.admin import site_settings
from app.audit import service as audit
from app.config import Settings
from app.forums.models import Membership, MembershipRole, MembershipStatus

ISSUER = "Harbour"
RECOVERY_CODE_COUNT = 10
# A code typed a little before the phone's clock turned, or after, still counts.
DRIFT_STEPS = 1
SETUP_PURPOSE = "totp-setup"


class CodeCheck(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REPLAYED = "replayed"  # right, but already used: wait for the next one


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The set-up QR code as an SVG data URI, for an <img> (no script, nothing fetched)."""
    return str(
        segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return "".join(c for c in code if c.isdigit())


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step (within the allowed drift) whose code this is, or None."""
    digits = _digits(code)
    if len(digits) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def code_is_valid_for_secret(secret: str, code: str, now: datetime) -> bool:
    return matching_step(secret, code, now) is not None


def secret_of(settings: Settings, user: User) -> str | None:
    """The member's TOTP key, unsealed (None: two-factor sign-in is off)."""
    if user.totp_secret_sealed is None:
        return None
    return sealing.unseal(settings.secret_key, sealing.TOTP_SECRET, user.totp_secret_sealed)


def check_code(settings: Settings, user: User, code: str, now: datetime) -> CodeCheck:
    """Check an authenticator code and, when accepted, use it up."""
    secret = secret_of(settings, user)
    if secret is None:
        return CodeCheck.WRONG
    step = matching_step(secret, code, now)
    if step is None:
        return CodeCheck.WRONG
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return CodeCheck.REPLAYED
    user.totp_last_step = step
    return CodeCheck.ACCEPTED


RECOVERY_CODE_LENGTH = 10  # hex digits, shown as xxxxx-xxxxx


def looks_like_recovery_code(code: str) -> bool:
    # By length, not by letters: about 1 in 100 recovery codes is all digits.
    return len(_normalise_recovery(code)) == RECOVERY_CODE_LENGTH


def _normalise_recovery(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def use_recovery_code(
    session: Session, settings: Settings, user: User, code: str, now: datetime
) -> bool:
    digest = token_digest(settings.secret_key, _normalise_recovery(code))
    record = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == digest,
            RecoveryCode.used_at.is_(None),
        )
    )
    if record is None:
        return False
    record.used_at = now
    audit.record(
        session,
        actor_id=user.id,
        action="account.recovery_code_used",
        target_type="user",
        target_id=user.id,
    )
    return True


def check_second_factor(
    session: Session, settings: Settings, user: User, code: str, now: datetime
) -> CodeCheck:
    """An authenticator code, or one of the member's recovery codes."""
    if looks_like_recovery_code(code):
        ok = use_recovery_code(session, settings, user, code, now)
        return CodeCheck.ACCEPTED if ok else CodeCheck.WRONG
    return check_code(settings, user, code, now)


def recovery_codes_left(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def new_recovery_codes(session: Session, settings: Settings, user: User) -> list[str]:
    """A fresh set of recovery codes (the old ones stop working), returned once to be shown."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(RECOVERY_CODE_LENGTH // 2)  # 40 bits
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=token_digest(settings.secret_key, raw)))
    session.flush()
    return codes


def enable(
    session: Session, settings: Settings, user: User, secret: str, code: str, now: datetime
) -> list[str] | None:
    """Turn two-factor sign-in on, if `code` proves the app holds `secret`; the recovery codes."""
    step = matching_step(secret, code, now)
    if step is None:
        return None
    user.totp_secret_sealed = sealing.seal(settings.secret_key, sealing.TOTP_SECRET, secret)
    user.totp_last_step = step
    user.two_factor_enabled_at = now
    audit.record(
        session,
        actor_id=user.id,
        action="account.two_factor_on",
        target_type="user",
        target_id=user.id,
    )
    return new_recovery_codes(session, settings, user)


def forget(session: Session, user: User) -> None:
    """Two-factor sign-in off: the key, the last step and the recovery codes go."""
    user.totp_secret_sealed = None
    user.totp_last_step = None
    user.two_factor_enabled_at = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(session: Session, user: User) -> None:
    forget(session, user)
    audit.record(
        session,
        actor_id=user.id,
        action="account.two_factor_off",
        target_type="user",
        target_id=user.id,
    )


def reset_by_admin(session: Session, person: User, admin: User) -> None:
    """An admin turns off someone's two-factor sign-in (a lost phone, no recovery codes left).
    Where it is required of them they set it up again at their next sign-in; the caller ends
    their sessions and tells them by email."""
    forget(session, person)
    audit.record(
        session,
        actor_id=admin.id,
        action="account.two_factor_reset",
        target_type="user",
        target_id=person.id,
    )


def is_staff(session: Session, user: User) -> bool:
    """Site admins, site-wide moderators, and moderators of any forum: they can read every held
    post."""
    if user.moderates_every_forum:
        return True
    return (
        session.scalar(
            select(Membership.id)
            .where(
                Membership.user_id == user.id,
                Membership.role == MembershipRole.MODERATOR,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .limit(1)
        )
        is not None
    )


def required_for(session: Session, settings: Settings, user: User) -> bool:
    return site_settings.staff_two_factor(session, settings) and is_staff(session, user)


def setup_needed(session: Session, user: User, required_of_staff: bool) -> bool:
    """Staff who must use two-factor sign-in (`required_of_staff`: the site's setting, which
    the session lookup reads in its own statement) and have not set it up yet."""
    return required_of_staff and not user.has_two_factor and is_staff(session, user)

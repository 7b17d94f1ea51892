"""Single-use links sent by email: password reset and email confirmation.

The link carries a random token; the database keeps only its HMAC under the site's secret key, so
neither a copy of the database nor a guess makes a working link. A link works once, until it
expires; sending a new one retires the older ones of the same purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app.accounts.models import AccountToken, TokenPurpose, User


def token_digest(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def issue(
    session: Session,
    user: User,
    purpose: TokenPurpose,
    *,
    secret_key: str,
    now: datetime,
    lifetime: timedelta,
    email: str | None = None,
    next_path: str = "",
) -> str:
    """A new link's token (to put in the email; never stored), retiring older unused ones."""
    retire(session, user.id, purpose, now)
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_digest(secret_key, token),
            email=email or user.email,
            next_path=next_path[:300],
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def retire(session: Session, user_id: int, purpose: TokenPurpose, now: datetime) -> None:
    """Every unused link of this purpose stops working (a newer one was sent, or it did its job)."""
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )


def find(
    session: Session, token: str, purpose: TokenPurpose, *, secret_key: str, now: datetime
) -> AccountToken | None:
    """The unused, unexpired link this token opens, or None."""
    if not token or len(token) > 100:
        return None
    record = session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == token_digest(secret_key, token),
            AccountToken.purpose == purpose,
        )
    )
    if record is None or record.used_at is not None or record.expires_at <= now:
        return None
    return record


def use(session: Session, record: AccountToken, now: datetime) -> bool:
    """Mark the link used. A conditional UPDATE, so of two requests racing with the same link
    only one gets True."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(AccountToken)
            .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        return False
    record.used_at = now
    return True

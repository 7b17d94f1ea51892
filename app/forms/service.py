"""One-time submission keys: a form sent twice makes one thing, and the second gets the first's
result. Every form that creates something (a post, reply, report, decision, sanction, message…)
carries one (`{{ submission_input() }}`); its view asks `replay()` first and ends with `done()`."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from app.db import upsert, utcnow
from app.forms.models import Submission

KEY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
KEY_LIFETIME = timedelta(hours=24)


class AlreadySubmitted(Exception):
    """A twin of this submission (same key) got there first; `url` is what it made."""

    def __init__(self, url: str) -> None:
        super().__init__("already submitted")
        self.url = url


def new_key() -> str:
    return secrets.token_urlsafe(18)


def earlier_result(session: Session, user_id: int, key: str) -> str | None:
    """Where this submission sent the member the first time, if it was made in the last day."""
    return session.scalar(
        select(Submission.result_url).where(
            Submission.user_id == user_id,
            Submission.key == key,
            Submission.created_at > utcnow() - KEY_LIFETIME,
        )
    )


def record(session: Session, user_id: int, key: str, result_url: str) -> None:
    """Keep the key with its result, in the transaction that made it. A twin that raced this one
    and committed first makes this raise AlreadySubmitted: the request rolls back, undoing what
    it made, and the member is sent to the twin's result instead."""
    now = utcnow()
    written = upsert(
        session,
        Submission,
        {"user_id": user_id, "key": key, "result_url": result_url, "created_at": now},
        conflict=("user_id", "key"),
        # A key from more than a day ago counts as new.
        update={"result_url": result_url, "created_at": now},
        where=Submission.created_at <= now - KEY_LIFETIME,
    )
    if not written:
        raise AlreadySubmitted(earlier_result(session, user_id, key) or "/")


def prune(session: Session) -> int:
    """Forget keys older than a day (the worker's housekeeping)."""
    result = cast(
        CursorResult[Any],
        session.execute(delete(Submission).where(Submission.created_at <= utcnow() - KEY_LIFETIME)),
    )
    return result.rowcount or 0

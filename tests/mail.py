"""Reading what Harbour emailed, as a member would: the newest message to an address, its link."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.notifications.models import OutboxEmail


def emails_to(db: Session, address: str) -> list[OutboxEmail]:
    return list(
        db.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)
        )
    )


def last_email_to(db: Session, address: str) -> OutboxEmail:
    mails = emails_to(db, address)
    assert mails, f"nothing was emailed to {address}"
    return mails[-1]


def link_in(mail: OutboxEmail, path_prefix: str) -> str:
    """The site-relative path of the first link in the email that starts with `path_prefix`."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S*)", mail.body)
    assert match, f"no {path_prefix} link in: {mail.body}"
    return match.group(1)

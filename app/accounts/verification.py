"""Signing up and confirming an email address.

Sign-up never says whether an address is registered: the page afterwards is the same, and so is
the work (a password is hashed either way, and an email is written either way: a confirmation
link for a new account, or a note to the existing account's owner that they already have one).
Until the address is confirmed the member can sign in and write, but nothing they write is
published and Harbour sends them no other email.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import consent, emails, tokens
from app.accounts import service as accounts
from app.accounts.models import AccountToken, TokenPurpose, User
from app.accounts.passwords import hash_password
from app.audit import service as audit
from app.config import Settings
from app.i18n import _
from app.posts.models import Post, PostStatus

VERIFICATION_LIFETIME = timedelta(hours=48)


def sign_up(
    session: Session,
    settings: Settings,
    *,
    handle: str,
    email: str,
    password: str,
    language: str,
    next_path: str,
    now: datetime,
    consented: bool,
) -> None:
    """Create an unconfirmed account and email its confirmation link, or (the address is taken)
    tell the address's owner; raises RegistrationError for the handle, format, password or a
    missing consent to hold health information."""
    errors = accounts.validate_registration(
        session, handle, email, password, email_must_be_new=False
    )
    if not consented:
        errors["consent"] = _(
            "Tick the box to agree to Harbour holding information about your health: we can't "
            "make an account without it."
        )
    if errors:
        raise accounts.RegistrationError(errors)
    existing = accounts.get_by_email(session, email)
    if existing is not None:
        hash_password(password)  # as long as creating the account would take
        emails.already_registered(session, settings, existing.email, language)
        return
    user = accounts.register(
        session, handle=handle, email=email, password=password, language=language, verified=False
    )
    consent.give(session, user, now)
    send_link(session, settings, user, now=now, next_path=next_path)


def send_link(
    session: Session,
    settings: Settings,
    user: User,
    *,
    now: datetime,
    next_path: str = "",
    address: str | None = None,
) -> None:
    """Email a link that confirms `address` (the account's own by default, or a new one)."""
    token = tokens.issue(
        session,
        user,
        TokenPurpose.EMAIL_VERIFICATION,
        secret_key=settings.secret_key,
        now=now,
        lifetime=VERIFICATION_LIFETIME,
        email=address or user.email,
        next_path=next_path,
    )
    emails.confirm_address(session, settings, address or user.email, user.language, token)


def confirmation_link(
    session: Session, settings: Settings, token: str, *, now: datetime
) -> AccountToken | None:
    return tokens.find(
        session, token, TokenPurpose.EMAIL_VERIFICATION, secret_key=settings.secret_key, now=now
    )


def waiting_next_path(session: Session, user: User) -> str:
    """Where the newest unused confirmation link would have taken the member (a new link keeps
    them on their way, e.g. to the forum an invite was for)."""
    return (
        session.scalar(
            select(AccountToken.next_path)
            .where(
                AccountToken.user_id == user.id,
                AccountToken.purpose == TokenPurpose.EMAIL_VERIFICATION,
                AccountToken.used_at.is_(None),
            )
            .order_by(AccountToken.id.desc())
            .limit(1)
        )
        or ""
    )


class AddressTaken(Exception):
    """Another account took the new address while its confirmation link waited."""


def confirm(session: Session, link: AccountToken, *, now: datetime) -> User:
    """Confirm the address the link was sent to; for a change of address, it becomes the
    account's address. Raises AddressTaken or LinkUsed."""
    user = session.get(User, link.user_id)
    assert user is not None
    changing = link.email != user.email
    if changing and accounts.get_by_email(session, link.email) is not None:
        raise AddressTaken()
    if not tokens.use(session, link, now):
        raise accounts.LinkUsed()
    tokens.retire(session, user.id, TokenPurpose.EMAIL_VERIFICATION, now)
    if changing:
        accounts.set_email(user, link.email)
    user.email_verified_at = now
    audit.record(
        session,
        actor_id=user.id,
        action="account.email_change" if changing else "account.email_verified",
        target_type="user",
        target_id=user.id,
    )
    return user


def posts_to_release(session: Session, user: User) -> Sequence[Post]:
    """The member's posts that waited for their address, back to the gate (to be assessed again:
    the forum's policy may have changed meanwhile)."""
    waiting = session.scalars(
        select(Post).where(
            Post.author_id == user.id, Post.status == PostStatus.AWAITING_VERIFICATION
        )
    ).all()
    for post in waiting:
        post.status = PostStatus.AWAITING_ASSESSMENT
    session.flush()
    return waiting


def request_address_change(
    session: Session, settings: Settings, user: User, new_address: str, *, now: datetime
) -> None:
    """Email a confirmation link to the new address (or, if another account uses it, a note
    saying so: the page looks the same either way) and tell the old address."""
    taken = accounts.get_by_email(session, new_address)
    if taken is not None:
        emails.address_in_use(session, settings, new_address, user.language)
    else:
        next_path = waiting_next_path(session, user)  # a typo fixed keeps them on their way
        send_link(session, settings, user, now=now, address=new_address, next_path=next_path)
    if user.email_verified:
        emails.address_change_requested(session, settings, user.email, user.language, new_address)

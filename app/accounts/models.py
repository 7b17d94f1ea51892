from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from app.i18n import N_, _


def enum_column(enum_cls: type[StrEnum], name: str) -> Enum:
    """Store an enum by its value, as a portable VARCHAR with a CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class SiteRole(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


# The avatars a member may choose (no photo uploads), each with its name for screen readers.
AVATARS = {
    "wave": N_("Wave"),
    "sun": N_("Sun"),
    "leaf": N_("Leaf"),
    "star": N_("Star"),
    "moon": N_("Moon"),
    "boat": N_("Boat"),
    "shell": N_("Shell"),
    "cloud": N_("Cloud"),
}


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The email as compared (NFKC, casefolded): one visible address is one account. Always set
    # (nullable only so the migration could add it to SQLite without rebuilding the table).
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True, index=True)
    # Public, pseudonymous name; handle_key is its NFKC case-folded form so "Sam" and "sam" clash.
    handle: Mapped[str] = mapped_column(String(30))
    handle_key: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    site_role: Mapped[SiteRole] = mapped_column(
        enum_column(SiteRole, "site_role"), default=SiteRole.MEMBER
    )
    status: Mapped[AccountStatus] = mapped_column(
        enum_column(AccountStatus, "account_status"), default=AccountStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "Take a break": forums are hidden from the member until then.
    break_until: Mapped[datetime | None] = mapped_column(default=None)
    # Set when the member deleted their account; what is left is anonymised.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # An optional short bio and an avatar from Harbour's own set: no photos, nothing identifying.
    bio: Mapped[str] = mapped_column(String(280), default="")
    avatar: Mapped[str] = mapped_column(String(16), default="wave")
    # Email about notifications: "off", "immediate", "daily" or "weekly" digest.
    email_preference: Mapped[str] = mapped_column(String(16), default="daily")
    # The language emails are written in: the one the member last chose, or registered in.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    last_digest_at: Mapped[datetime | None] = mapped_column(default=None)
    # Whether digests may name the member's threads by title; off by default, so an email read
    # over a shoulder says nothing about anyone's health.
    email_titles: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A site-wide moderator moderates every forum (its review queue, and it counts as the forum's
    # cover) without being a site admin: a charity's central moderation team. Set by site admins.
    site_moderator: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when the member proved the address is theirs; until then their posts wait and Harbour
    # sends the address nothing but the confirmation link (and links they ask for).
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # Two-factor sign-in (TOTP): the shared secret (base32), set when the member turned it on,
    # encrypted under a key derived from the site's secret (app/sealing.py; two_factor.py reads
    # it), and the last 30-second step a code was accepted for, so a code is never accepted twice.
    totp_secret_sealed: Mapped[str | None] = mapped_column(String(255), default=None)
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    totp_last_step: Mapped[int | None] = mapped_column(default=None)
    # When the member last gave explicit consent to Harbour holding health information about
    # them (UK GDPR Article 9); None: they are asked before anything else. Each consent given
    # or withdrawn is recorded in `consent`, with the privacy notice's version.
    consented_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def display_name(self) -> str:
        return _("Former member") if self.deleted_at else self.handle

    @property
    def is_admin(self) -> bool:
        return self.site_role is SiteRole.ADMIN

    @property
    def moderates_every_forum(self) -> bool:
        """Site admins and site-wide moderators: every forum's queue is theirs."""
        return self.is_admin or self.site_moderator

    @property
    def is_active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_two_factor(self) -> bool:
        return self.two_factor_enabled_at is not None and self.totp_secret_sealed is not None


class UserSession(Base):
    """A server-side session: the cookie holds a random token, the database only its SHA-256."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_id_revoked_at", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # What the member sees on their sessions page, e.g. "Firefox, Android" (never an address).
    device: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # When the member last proved it was them on this device (signing in counts): export,
    # deletion and changes of email or password ask again once this is a few minutes old.
    reauthenticated_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(lazy="joined")


class MemberMute(Base):
    """One member has muted another: the muted member's posts are folded away for them."""

    __tablename__ = "member_mute"
    __table_args__ = (UniqueConstraint("user_id", "muted_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    muted_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"
    # Confirms the account's address, or (when `email` differs from it) a new address.
    EMAIL_VERIFICATION = "email_verification"


class AccountToken(Base):
    """A single-use link sent by email. Only the HMAC of the token (keyed with the site's secret)
    is stored, so a copy of the database cannot be used to reset anyone's password."""

    __tablename__ = "account_token"
    __table_args__ = (Index("ix_account_token_user_id_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The address the link was sent to (for a change of address: the new one).
    email: Mapped[str] = mapped_column(String(254))
    # Where the member was going (e.g. an invite link), carried through verification.
    next_path: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class IdentityClash(Base):
    """Accounts whose emails or handles became the same once compared as people see them (NFKC,
    casefold), found by the migration that made those keys unique: the oldest account kept the
    key, the others got a marked one, and admins sort them out (/admin/people)."""

    __tablename__ = "identity_clash"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "email" or "handle"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kept_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class RecoveryCode(Base):
    """A one-time code for signing in without the authenticator app; only its HMAC is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class PrivacyNotice(Base):
    """One version of the privacy notice the admin writes; the newest is the one in force."""

    __tablename__ = "privacy_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    body: Mapped[str] = mapped_column(Text)  # markdown
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )


class Consent(Base):
    """A member's explicit consent to Harbour holding health information about them: when, and
    which version of the privacy notice they read; withdrawn_at when they took it back."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    notice_version: Mapped[int]
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)

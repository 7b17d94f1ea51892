from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow
from app.i18n import N_
from app.posts.rendering import render_markdown


class Visibility(StrEnum):
    MEMBERS_ONLY = "members_only"
    PUBLIC_READ = "public_read"


class JoinPolicy(StrEnum):
    OPEN = "open"
    APPROVAL_REQUIRED = "approval_required"  # applicants answer the joining questions
    INVITE_ONLY = "invite_only"  # by an invite link or code, e.g. from a clinician


class ModerationMode(StrEnum):
    PRE_MODERATE = "pre_moderate"  # every post waits for a moderator
    HOLD_FLAGGED = "hold_flagged"  # only what the assessment flags waits
    POST_MODERATE = "post_moderate"  # publish, review afterwards (crisis posts are still held)


class MembershipRole(StrEnum):
    MEMBER = "member"
    SUPPORTER = "supporter"  # a trained peer supporter
    MODERATOR = "moderator"


# A forum moderator's safeguarding roles: the Membership flag and what the admin console calls it.
SAFEGUARDING_ROLES = {
    "on_call": N_("On call"),
    "safeguarding_lead": N_("Safeguarding lead"),
    "clinically_trained": N_("Clinical reviewer"),
    "is_senior": N_("Senior moderator"),
    "out_of_hours_contact": N_("Out-of-hours contact"),
}


class MembershipStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REMOVED = "removed"


class Forum(Base):
    __tablename__ = "forum"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(200), default="")  # who it is for
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility, "forum_visibility"), default=Visibility.MEMBERS_ONLY
    )
    join_policy: Mapped[JoinPolicy] = mapped_column(
        enum_column(JoinPolicy, "forum_join_policy"), default=JoinPolicy.OPEN
    )
    moderation_mode: Mapped[ModerationMode] = mapped_column(
        enum_column(ModerationMode, "forum_moderation_mode"), default=ModerationMode.HOLD_FLAGGED
    )
    position: Mapped[int] = mapped_column(default=0)
    guidelines: Mapped[str] = mapped_column(Text, default="")  # community guidelines, markdown
    # Goes up when the guidelines change: members accept the new version before their next post.
    guidelines_version: Mapped[int] = mapped_column(default=1, server_default="1")
    eligibility: Mapped[str] = mapped_column(String(200), default="")  # e.g. "aged 18 to 30"
    # Who may join: an age band (either end optional) and statements a member confirms are true
    # for them; people outside are shown `ineligible_message` (kind words: where else to go).
    age_min: Mapped[int | None] = mapped_column(default=None)
    age_max: Mapped[int | None] = mapped_column(default=None)
    eligibility_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    ineligible_message: Mapped[str] = mapped_column(Text, default="", server_default="")
    welcome_message: Mapped[str] = mapped_column(Text, default="")
    joining_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # An archived forum stays readable but takes no new posts.
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it was opened to members. A forum made in the admin console starts closed, and opens
    # only while someone moderates it: no forum without cover.
    opened_at: Mapped[datetime | None] = mapped_column(default=utcnow)

    @property
    def guidelines_html(self) -> str:
        return render_markdown(self.guidelines)

    policy: Mapped[ForumPolicy] = relationship(
        back_populates="forum", uselist=False, cascade="all, delete-orphan", lazy="selectin"
    )
    watched_words: Mapped[list[WatchedWord]] = relationship(
        cascade="all, delete-orphan", order_by="WatchedWord.phrase"
    )


class ForumPolicy(Base):
    """Per-forum moderation policy: thresholds per label, venting handling, crisis resources."""

    __tablename__ = "forum_policy"

    forum_id: Mapped[int] = mapped_column(
        ForeignKey("forum.id", ondelete="CASCADE"), primary_key=True
    )
    thresholds: Mapped[dict[str, float]] = mapped_column(JSON)
    venting: Mapped[str] = mapped_column(String(32), default="publish_and_flag")
    # [{"name": "Samaritans", "contact": "116 123", "detail": "..."}]
    crisis_resources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The reasons a moderator picks from when rejecting; the author sees the one chosen.
    rejection_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The strike ladder: the sanction suggested for a member's 1st, 2nd, 3rd… upheld strike,
    # e.g. [{"kind": "warning"}, {"kind": "mute", "days": 7}, {"kind": "suspension", "days": 30}].
    strike_ladder: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # A new member's first N posts wait for a moderator, whatever the assessment says.
    first_posts_held: Mapped[int] = mapped_column(default=0)
    # Staffed hours: outside them members see the crisis resources, and posts that need a
    # moderator (crisis, medical advice) wait until one is on. No days: always staffed.
    staffed_days: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 = Monday
    staffed_from: Mapped[str] = mapped_column(String(5), default="09:00")
    staffed_until: Mapped[str] = mapped_column(String(5), default="17:00")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    # Threads with no reply after this many hours appear in the trained supporters' view.
    unanswered_hours: Mapped[int] = mapped_column(default=24)
    # After an urgent item is decided, its moderator is reminded to look in on the author.
    follow_up_hours: Mapped[int] = mapped_column(default=24, server_default="24")
    # When a member deletes their account: may they remove their posts here, or are posts kept
    # (as "Former member") so the replies around them still make sense?
    keep_posts_of_deleted_accounts: Mapped[bool] = mapped_column(default=False)
    # Outcome check-ins (wellbeing, confidence): at joining, then every this many weeks.
    outcome_every_weeks: Mapped[int] = mapped_column(default=6)

    def is_staffed(self, now: datetime) -> bool:
        if not self.staffed_days:
            return True
        local = now.astimezone(ZoneInfo(self.timezone))
        clock = local.strftime("%H:%M")
        return (
            local.weekday() in self.staffed_days and self.staffed_from <= clock < self.staffed_until
        )

    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    forum: Mapped[Forum] = relationship(back_populates="policy")


class WatchedWordAction(StrEnum):
    BLOCK = "block"  # refused at submit, with a message to the author
    HOLD = "hold"  # saved and held for a moderator
    FLAG = "flag"  # published, and queued for a low-priority look


class WatchedWord(Base):
    __tablename__ = "watched_word"
    __table_args__ = (UniqueConstraint("forum_id", "phrase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    phrase: Mapped[str] = mapped_column(String(100))
    action: Mapped[WatchedWordAction] = mapped_column(
        enum_column(WatchedWordAction, "watched_word_action")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("forum_id", "user_id"),
        Index("ix_membership_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[MembershipRole] = mapped_column(
        enum_column(MembershipRole, "membership_role"), default=MembershipRole.MEMBER
    )
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "membership_status"), default=MembershipStatus.ACTIVE
    )
    # A senior moderator can be named when escalating; clinically trained ones see medical advice
    # (they are the forum's clinical reviewers).
    is_senior: Mapped[bool] = mapped_column(default=False)
    clinically_trained: Mapped[bool] = mapped_column(default=False)
    # Safeguarding roles (a moderator may hold several; see SAFEGUARDING_ROLES): alerted first when
    # an urgent item waits, the second tier when nobody claims it, and outside staffed hours.
    on_call: Mapped[bool] = mapped_column(default=False)
    safeguarding_lead: Mapped[bool] = mapped_column(default=False)
    out_of_hours_contact: Mapped[bool] = mapped_column(default=False)
    # Coordinates buddying: sees the forum's buddy requests and pairs members with buddies.
    coordinates_buddies: Mapped[bool] = mapped_column(default=False)
    # An applicant's answers to the forum's joining questions.
    answers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # The version of the forum's guidelines the member read and accepted (None: not yet).
    guidelines_accepted_version: Mapped[int | None] = mapped_column(default=None)
    # The forum's age band the member said they are in (e.g. "18-30"): never their age or
    # birth year, and never shown to other members.
    age_band: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    forum: Mapped[Forum] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status is MembershipStatus.ACTIVE

    @property
    def can_moderate(self) -> bool:
        return self.is_active and self.role is MembershipRole.MODERATOR


class Invite(Base):
    """An invite link or code into one forum, e.g. handed out by a clinician or link worker."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")  # who it is for, e.g. "renal clinic"
    max_uses: Mapped[int] = mapped_column(default=1)
    uses: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Withdrawn by an admin (e.g. the link was shared too widely): it stops working at once.
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.uses >= self.max_uses:
            return "used_up"
        return "active"


class InviteUse(Base):
    """Who joined with an invite, and when: admins see how referrals are used (no health data)."""

    __tablename__ = "invite_use"
    __table_args__ = (UniqueConstraint("invite_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invite_id: Mapped[int] = mapped_column(ForeignKey("invite.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    used_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

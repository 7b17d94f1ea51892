"""Forums and memberships: who may read, post in and moderate which forum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.forums.models import (
    Forum,
    ForumPolicy,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    ModerationMode,
    Visibility,
)
from app.moderation_queue import sanctions
from app.moderation_queue.sanctions import Restriction
from moderation import DEFAULT_THRESHOLDS

# Shown to an author whose post suggests they may be in crisis (UK defaults; editable per forum).
DEFAULT_CRISIS_RESOURCES: list[dict[str, Any]] = [
    {"name": "Samaritans", "contact": "116 123", "detail": "Free, any time, day or night."},
    {
        "name": "Shout",
        "contact": "Text SHOUT to 85258",
        "detail": "Free, confidential text support.",
    },
    {"name": "NHS 111", "contact": "111", "detail": "Urgent medical help and advice."},
    {
        "name": "Emergency services",
        "contact": "999",
        "detail": "If you or someone else is in danger now.",
    },
]


DEFAULT_REJECTION_REASONS = [
    "It could hurt or upset other members.",
    "It shares personal details that could identify someone.",
    "It gives medical advice that should come from a care team.",
    "It is off-topic or advertising.",
    "It breaks the forum's guidelines in another way.",
]
# The sanction suggested for a member's first, second, third… upheld strike.
DEFAULT_STRIKE_LADDER: list[dict[str, Any]] = [
    {"kind": "warning"},
    {"kind": "mute", "days": 3},
    {"kind": "mute", "days": 14},
    {"kind": "suspension", "days": 30},
    {"kind": "ban"},
]


def default_policy() -> ForumPolicy:
    return ForumPolicy(
        thresholds=dict(DEFAULT_THRESHOLDS),
        venting="publish_and_flag",
        crisis_resources=[dict(r) for r in DEFAULT_CRISIS_RESOURCES],
        rejection_reasons=list(DEFAULT_REJECTION_REASONS),
        strike_ladder=[dict(step) for step in DEFAULT_STRIKE_LADDER],
    )


def get_by_slug(session: Session, slug: str) -> Forum | None:
    return session.scalar(select(Forum).where(Forum.slug == slug))


def all_forums(session: Session) -> Sequence[Forum]:
    return session.scalars(select(Forum).order_by(Forum.position, Forum.name)).all()


def create_forum(
    session: Session,
    *,
    slug: str,
    name: str,
    description: str = "",
    audience: str = "",
    visibility: Visibility = Visibility.MEMBERS_ONLY,
    join_policy: JoinPolicy = JoinPolicy.OPEN,
    moderation_mode: ModerationMode = ModerationMode.HOLD_FLAGGED,
    actor: User | None = None,
) -> Forum:
    forum = Forum(
        slug=slug,
        name=name,
        description=description,
        audience=audience,
        visibility=visibility,
        join_policy=join_policy,
        moderation_mode=moderation_mode,
    )
    forum.policy = default_policy()
    session.add(forum)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="forum.create",
        target_type="forum",
        target_id=forum.id,
        forum_id=forum.id,
    )
    return forum


def membership_of(session: Session, forum: Forum, user: User | None) -> Membership | None:
    if user is None:
        return None
    return session.scalar(
        select(Membership).where(Membership.forum_id == forum.id, Membership.user_id == user.id)
    )


def memberships_of_user(session: Session, user: User) -> Sequence[Membership]:
    return session.scalars(
        select(Membership)
        .join(Membership.forum)
        .where(Membership.user_id == user.id, Membership.status != MembershipStatus.REMOVED)
        .order_by(Forum.position, Forum.name)
    ).all()


@dataclass(frozen=True)
class ForumAccess:
    """What one person may do in one forum: the single place these rules live."""

    forum: Forum
    user: User | None
    membership: Membership | None
    restriction: Restriction = field(default_factory=Restriction)

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.is_active

    @property
    def is_pending(self) -> bool:
        return self.membership is not None and self.membership.status is MembershipStatus.PENDING

    @property
    def can_moderate(self) -> bool:
        if self.user is None:
            return False
        return self.user.is_admin or (self.membership is not None and self.membership.can_moderate)

    @property
    def can_read(self) -> bool:
        if self.restriction.suspended and not self.can_moderate:
            return False
        return (
            self.forum.visibility is Visibility.PUBLIC_READ or self.is_member or self.can_moderate
        )

    @property
    def can_post(self) -> bool:
        if self.restriction.muted or self.restriction.suspended or self.forum.archived_at:
            return False
        return (
            self.user is not None and self.user.is_active and (self.is_member or self.can_moderate)
        )

    @property
    def is_trained(self) -> bool:
        """A trained supporter (or moderator) of the forum: offers to be a buddy, runs cohorts."""
        return (
            self.can_post
            and self.membership is not None
            and self.membership.is_active
            and self.membership.role in (MembershipRole.SUPPORTER, MembershipRole.MODERATOR)
        )

    @property
    def can_coordinate_buddies(self) -> bool:
        """The forum's buddy coordinators: members given the role, its moderators, site admins."""
        if self.can_moderate:
            return True
        return (
            self.membership is not None
            and self.membership.is_active
            and self.membership.coordinates_buddies
            and not self.restriction.suspended
        )

    @property
    def can_join(self) -> bool:
        return (
            self.user is not None
            and self.membership is None
            and self.forum.join_policy is not JoinPolicy.INVITE_ONLY
            and self.forum.archived_at is None
        )


def access(session: Session, forum: Forum, user: User | None) -> ForumAccess:
    return ForumAccess(
        forum=forum,
        user=user,
        membership=membership_of(session, forum, user),
        restriction=sanctions.restriction(session, user.id, forum.id) if user else Restriction(),
    )


def join(
    session: Session,
    forum: Forum,
    user: User,
    *,
    answers: list[dict[str, str]] | None = None,
    invited: bool = False,
) -> Membership:
    """Join at once if the forum is open (or with an invite); otherwise ask to join, with the
    answers to the forum's joining questions, pending until a moderator approves."""
    existing = membership_of(session, forum, user)
    if existing is not None:
        if invited and existing.status is MembershipStatus.PENDING:
            existing.status = MembershipStatus.ACTIVE
        return existing
    status = (
        MembershipStatus.ACTIVE
        if invited or forum.join_policy is JoinPolicy.OPEN
        else MembershipStatus.PENDING
    )
    membership = Membership(
        forum_id=forum.id, user_id=user.id, status=status, answers=answers or []
    )
    session.add(membership)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="membership.join" if status is MembershipStatus.ACTIVE else "membership.request",
        target_type="membership",
        target_id=membership.id,
        forum_id=forum.id,
    )
    return membership


def set_membership(
    session: Session,
    forum: Forum,
    user: User,
    *,
    role: MembershipRole,
    status: MembershipStatus = MembershipStatus.ACTIVE,
    actor: User | None = None,
) -> Membership:
    membership = membership_of(session, forum, user)
    if membership is None:
        membership = Membership(forum_id=forum.id, user_id=user.id)
        session.add(membership)
    membership.role = role
    membership.status = status
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="membership.set",
        target_type="membership",
        target_id=membership.id,
        forum_id=forum.id,
        role=role.value,
        status=status.value,
    )
    return membership


def moderated_forums(session: Session, user: User) -> Sequence[Forum]:
    if user.is_admin:
        return all_forums(session)
    return session.scalars(
        select(Forum)
        .join(Membership, Membership.forum_id == Forum.id)
        .where(
            Membership.user_id == user.id,
            Membership.role == MembershipRole.MODERATOR,
            Membership.status == MembershipStatus.ACTIVE,
        )
        .order_by(Forum.position, Forum.name)
    ).all()

"""Forums and memberships: who may read, post in and moderate which forum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, joinedload

from app import i18n
from app.accounts.models import AccountStatus, User
from app.audit import service as audit
from app.db import utcnow
from app.forums.models import (
    SAFEGUARDING_ROLES,
    Forum,
    ForumPolicy,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    ModerationMode,
    Visibility,
)
from app.i18n import _
from app.moderation_queue import sanctions
from app.moderation_queue.models import Sanction
from app.moderation_queue.sanctions import Restriction
from app.notifications import email
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
        return self.user.moderates_every_forum or (
            self.membership is not None and self.membership.can_moderate
        )

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
    def guidelines_to_accept(self) -> bool:
        """A member who has not accepted the forum's current guidelines (none: nothing to)."""
        return (
            self.membership is not None
            and bool(self.forum.guidelines.strip())
            and self.membership.guidelines_accepted_version != self.forum.guidelines_version
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
            and self.forum.opened_at is not None
        )


# ---- cover: no forum is open to members without someone to moderate it -------------------


def site_moderators(session: Session) -> Sequence[User]:
    """Site-wide moderators with a usable account: they moderate every forum."""
    return session.scalars(
        select(User)
        .where(
            User.site_moderator.is_(True),
            User.status == AccountStatus.ACTIVE,
            User.deleted_at.is_(None),
        )
        .order_by(User.handle)
    ).all()


def own_moderators(session: Session, forum: Forum) -> Sequence[User]:
    """The forum's own moderators (an active moderator membership of it)."""
    return session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.forum_id == forum.id,
            Membership.role == MembershipRole.MODERATOR,
            Membership.status == MembershipStatus.ACTIVE,
        )
        .order_by(User.handle)
    ).all()


def covering_moderators(session: Session, forum: Forum) -> Sequence[User]:
    """Who moderates the forum: its own active moderators, then the site-wide moderators. Site
    admins can read every queue but are not counted: a forum needs people who look after it."""
    own = own_moderators(session, forum)
    return [*own, *(u for u in site_moderators(session) if u not in own)]


class NoCover(Exception):
    """The change would leave members in a forum that nobody moderates."""


def open_to_members(session: Session, forum: Forum, actor: User) -> None:
    if not covering_moderators(session, forum):
        raise NoCover()
    if forum.opened_at is None:
        forum.opened_at = utcnow()
        audit.record(
            session,
            actor_id=actor.id,
            action="forum.open",
            target_type="forum",
            target_id=forum.id,
            forum_id=forum.id,
        )


def alert_moderators_of_request(session: Session, forum: Forum, membership: Membership) -> None:
    """Someone asked to join: each of the forum's own moderators gets an email (through the
    outbox, after the commit); the site-wide moderators only when it has none of its own who can
    act (else every forum's requests would reach them). The email names neither the forum nor
    the person: a forum's name can reveal a condition, so it carries only a neutral link."""
    settings = email.settings_of(session)
    if settings is None:
        return
    link = f"{settings.base_url}/moderation/join-requests/{forum.id}"
    own = [m for m in own_moderators(session, forum) if m.is_active]
    for moderator in own or site_moderators(session):
        with i18n.language(moderator.language):
            email.send_to_address(
                session,
                settings,
                moderator.email,
                _("A request to join is waiting for you on Harbour"),
                _(
                    "Hello {handle},\n\nSomeone has asked to join a forum you moderate. "
                    "Sign in to read their request:\n{link}"
                ).format(handle=moderator.handle, link=link),
                "join_request",
            )


def _accesses(session: Session, user: User | None, where: ColumnElement[bool]) -> list[ForumAccess]:
    """Forums with their policies, and the person's membership and the sanctions in force on
    them in each, in one statement (one row per forum and sanction in force there)."""
    with_policy = joinedload(Forum.policy)
    order = (Forum.position, Forum.name)
    if user is None:
        found = session.scalars(select(Forum).options(with_policy).where(where).order_by(*order))
        return [ForumAccess(forum=forum, user=None, membership=None) for forum in found]
    rows = session.execute(
        select(Forum, Membership, Sanction)
        .options(with_policy)
        .outerjoin(Membership, (Membership.forum_id == Forum.id) & (Membership.user_id == user.id))
        .outerjoin(Sanction, sanctions.in_force(user.id, Forum.id, utcnow()))
        .where(where)
        .order_by(*order)
    ).all()
    grouped: dict[int, tuple[Forum, Membership | None, list[Sanction]]] = {}
    for forum, membership, sanction in rows:
        entry = grouped.setdefault(forum.id, (forum, membership, []))
        if sanction is not None:
            entry[2].append(sanction)
    return [
        ForumAccess(
            forum=forum,
            user=user,
            membership=membership,
            restriction=sanctions.restriction_from(in_force),
        )
        for forum, membership, in_force in grouped.values()
    ]


def access_by_slug(session: Session, slug: str, user: User | None) -> ForumAccess | None:
    """The forum at `slug` and what the person may do there, in one statement."""
    found = _accesses(session, user, Forum.slug == slug)
    return found[0] if found else None


def readable_forums(session: Session, user: User | None) -> list[Forum]:
    """Every forum the person may read, in the site's order, in one statement."""
    return [a.forum for a in _accesses(session, user, true()) if a.can_read]


def access(session: Session, forum: Forum, user: User | None) -> ForumAccess:
    return ForumAccess(
        forum=forum,
        user=user,
        membership=membership_of(session, forum, user),
        restriction=sanctions.restriction(session, user.id, forum.id) if user else Restriction(),
    )


class AnswersMissing(ValueError):
    """A forum's own joining questions were not all answered."""


def joining_answers(forum: Forum, answers: Sequence[str]) -> list[dict[str, str]]:
    """What a request to join carries for the moderator. A forum joined by approval asks its
    own questions (each needs an answer) or, when it has none, one optional question of its
    own: anything the person would like the moderators to know (kept with an empty "question",
    so each moderator reads it in their own language). Other forums ask nothing, even if they
    kept questions from when they were joined by approval."""
    if forum.join_policy is not JoinPolicy.APPROVAL_REQUIRED:
        return []
    questions = forum.joining_questions
    if not questions:
        note = answers[0].strip() if answers else ""
        return [{"question": "", "answer": note}] if note else []
    if len(answers) != len(questions) or not all(a.strip() for a in answers):
        raise AnswersMissing
    return [{"question": q, "answer": a.strip()} for q, a in zip(questions, answers, strict=True)]


def join(
    session: Session,
    forum: Forum,
    user: User,
    *,
    answers: list[dict[str, str]] | None = None,
    invited: bool = False,
    accepted_guidelines: bool = False,
    age_band: str | None = None,
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
        forum_id=forum.id,
        user_id=user.id,
        status=status,
        answers=answers or [],
        guidelines_accepted_version=forum.guidelines_version if accepted_guidelines else None,
        age_band=age_band,
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


def accept_guidelines(membership: Membership, forum: Forum) -> None:
    membership.guidelines_accepted_version = forum.guidelines_version


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
    if user.moderates_every_forum:
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


def _active_moderators(forum_id: int) -> list[ColumnElement[bool]]:
    return [Membership.forum_id == forum_id, *_active_moderators_of_any_forum()]


def moderator_memberships(session: Session, forum_id: int) -> Sequence[Membership]:
    """The forum's active moderators' memberships, with their safeguarding roles."""
    return session.scalars(
        select(Membership)
        .join(Membership.user)
        .where(*_active_moderators(forum_id))
        .order_by(User.handle)
    ).all()


def moderators_with_role(session: Session, forum_id: int, role: str | None) -> Sequence[User]:
    """The forum's active moderators holding a safeguarding role (SAFEGUARDING_ROLES), or all of
    them when `role` is None; deactivated accounts are left out."""
    conditions = _active_moderators(forum_id)
    if role is not None:
        conditions.append(getattr(Membership, role).is_(True))
    return session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(*conditions, User.deleted_at.is_(None))
        .order_by(User.handle)
    ).all()


def set_safeguarding_roles(
    session: Session, forum: Forum, roles: dict[int, set[str]], actor: User
) -> None:
    """Give each of the forum's moderators (by membership id) exactly these roles; audited."""
    for membership in moderator_memberships(session, forum.id):
        chosen = roles.get(membership.id, set())
        before = {r for r in SAFEGUARDING_ROLES if getattr(membership, r)}
        if before == chosen:
            continue
        for role in SAFEGUARDING_ROLES:
            setattr(membership, role, role in chosen)
        audit.record(
            session,
            actor_id=actor.id,
            action="membership.safeguarding_roles",
            target_type="membership",
            target_id=membership.id,
            forum_id=forum.id,
            roles=sorted(chosen),
        )
    session.flush()


def forums_with_role(session: Session, user_id: int, roles: Sequence[str]) -> list[int]:
    """The forums this person moderates holding any of these safeguarding roles."""
    return list(
        session.scalars(
            select(Membership.forum_id).where(
                Membership.user_id == user_id,
                *_active_moderators_of_any_forum(),
                or_(*(getattr(Membership, role).is_(True) for role in roles)),
            )
        )
    )


def _active_moderators_of_any_forum() -> list[ColumnElement[bool]]:
    return [
        Membership.role == MembershipRole.MODERATOR,
        Membership.status == MembershipStatus.ACTIVE,
    ]

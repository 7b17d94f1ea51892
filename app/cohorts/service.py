"""Cohort groups: creating one, inviting, its private threads, the weekly check-in, hand-over.

The rule for who sees a cohort lives here and only here: its members, and the moderators of its
forum (and site admins). Its threads are conversations of kind "cohort", which the members'
inbox and the team inbox never list: they are reached only through the cohort.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from app import i18n
from app.accounts.models import User
from app.audit import service as audit
from app.cohorts.models import LEADING_ROLES, Cohort, CohortMember, CohortRole
from app.config import Settings
from app.conversations import service as conversations
from app.conversations.models import (
    Conversation,
    ConversationKind,
    ConversationMessage,
    MessageStatus,
)
from app.db import utcnow, write_transaction
from app.forums.models import Forum
from app.forums.service import ForumAccess
from app.i18n import N_, _
from app.notifications import service as notifications
from app.notifications.email import send_to_address
from app.posts.rendering import render_markdown

MAX_NAME_CHARS = 120
MAX_PROMPT_CHARS = 500
MAX_INVITES = 50
DEFAULT_PROMPT = N_("How has your week been? Share one thing that went well and one thing to try.")


class CohortError(Exception):
    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CohortAccess:
    cohort: Cohort
    member: CohortMember | None
    forum_access: ForumAccess

    @property
    def can_read(self) -> bool:
        return self.member is not None or self.forum_access.can_moderate

    @property
    def can_post(self) -> bool:
        """Members write; a muted or suspended member reads only (the forum's sanctions hold)."""
        restriction = self.forum_access.restriction
        return self.member is not None and not (restriction.muted or restriction.suspended)

    @property
    def leads(self) -> bool:
        return self.member is not None and self.member.role in LEADING_ROLES


def member_of(session: Session, cohort: Cohort, user: User) -> CohortMember | None:
    return session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id
        )
    )


def access(session: Session, cohort: Cohort, forum_access: ForumAccess, user: User) -> CohortAccess:
    return CohortAccess(cohort, member_of(session, cohort, user), forum_access)


def cohorts_in(session: Session, forum: Forum, user: User, *, moderates: bool) -> Sequence[Cohort]:
    """The forum's cohorts this person may see: their own, or all of them for its moderators."""
    query = select(Cohort).where(Cohort.forum_id == forum.id).order_by(Cohort.created_at.desc())
    if not moderates:
        query = query.join(CohortMember).where(CohortMember.user_id == user.id)
    return session.scalars(query.limit(200)).all()


def create(session: Session, forum: Forum, facilitator: User, name: str) -> Cohort:
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise CohortError(N_("Give the group a name of up to 120 characters."))
    cohort = Cohort(
        forum_id=forum.id,
        name=name,
        created_by_id=facilitator.id,
        invite_code=secrets.token_urlsafe(16),
        check_in_prompt=_(DEFAULT_PROMPT),
        check_in_prompt_by_id=facilitator.id,
    )
    session.add(cohort)
    session.flush()
    session.add(
        CohortMember(cohort_id=cohort.id, user_id=facilitator.id, role=CohortRole.FACILITATOR)
    )
    session.flush()
    audit.record(
        session,
        actor_id=facilitator.id,
        action="cohort.create",
        target_type="cohort",
        target_id=cohort.id,
        forum_id=forum.id,
    )
    return cohort


def by_invite(session: Session, code: str) -> Cohort | None:
    return session.scalar(select(Cohort).where(Cohort.invite_code == code))


def join(session: Session, cohort: Cohort, user: User) -> CohortMember:
    existing = member_of(session, cohort, user)
    if existing is not None:
        return existing
    member = CohortMember(cohort_id=cohort.id, user_id=user.id, user=user)
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="cohort.join",
        target_type="cohort",
        target_id=cohort.id,
        forum_id=cohort.forum_id,
    )
    return member


def invite_by_email(
    session: Session, settings: Settings, cohort: Cohort, inviter: User, addresses: str
) -> int:
    """Email the invite link to a list of addresses (one a line or comma-separated). The email
    names neither the group nor the forum: an inbox may be shared."""
    found = [a.strip() for a in addresses.replace(",", "\n").splitlines() if a.strip()]
    found = list(dict.fromkeys(found))
    if not found:
        raise CohortError(N_("Write at least one email address."), "emails")
    if len(found) > MAX_INVITES or any("@" not in a or len(a) > 254 for a in found):
        raise CohortError(N_("Write up to 50 email addresses, one a line."), "emails")
    link = f"{settings.base_url}/cohorts/join/{cohort.invite_code}"
    with i18n.language(inviter.language or "en"):
        subject = _("You're invited to a group on Harbour")
        body = _(
            "{handle} invited you to a private group on Harbour, a moderated peer-support site.\n\n"
            "To join, open this link and sign in or create an account:\n{link}\n\n"
            "If you weren't expecting this, you can ignore this email."
        ).format(handle=inviter.handle, link=link)
    for address in found:
        send_to_address(session, settings, address, subject, body, "cohort.invite")
    audit.record(
        session,
        actor_id=inviter.id,
        action="cohort.invite",
        target_type="cohort",
        target_id=cohort.id,
        forum_id=cohort.forum_id,
        count=len(found),
    )
    return len(found)


def members(session: Session, cohort: Cohort) -> Sequence[CohortMember]:
    return session.scalars(
        select(CohortMember)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(CohortMember.joined_at, CohortMember.id)
    ).all()


# ---- leading ------------------------------------------------------------------------------


def set_rhythm(
    session: Session, cohort: Cohort, leader: User, *, day: int | None, prompt: str
) -> None:
    prompt = prompt.strip()
    if len(prompt) > MAX_PROMPT_CHARS:
        raise CohortError(N_("Keep the prompt under 500 characters."), "prompt")
    cohort.check_in_day = day
    if prompt:
        cohort.check_in_prompt = prompt
        cohort.check_in_prompt_by_id = leader.id
    session.flush()


def make_peer_leader(session: Session, cohort: Cohort, by: User, user_id: int) -> CohortMember:
    member = session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == user_id
        )
    )
    if member is None:
        raise CohortError(N_("Choose someone who is in the group."), "user_id")
    if member.role is not CohortRole.FACILITATOR:
        member.role = CohortRole.PEER_LEADER
    session.flush()
    notifications.notify(
        session, member.user_id, "cohort.leader", url=f"/cohorts/{cohort.id}", group=cohort.name
    )
    audit.record(
        session,
        actor_id=by.id,
        action="cohort.peer_leader",
        target_type="cohort",
        target_id=cohort.id,
        forum_id=cohort.forum_id,
        user_id=user_id,
    )
    return member


def step_back(session: Session, cohort: Cohort, facilitator: CohortMember) -> None:
    """The facilitator hands the group over: they stay in it, but no longer lead it."""
    leaders = [m for m in members(session, cohort) if m.role is CohortRole.PEER_LEADER]
    if facilitator.role is not CohortRole.FACILITATOR:
        raise CohortError(N_("Only the facilitator can step back."), "user_id")
    if not leaders:
        raise CohortError(
            N_("Name a peer leader first, so the group is not left without one."), "user_id"
        )
    facilitator.role = CohortRole.STEPPED_BACK
    session.flush()
    audit.record(
        session,
        actor_id=facilitator.user_id,
        action="cohort.step_back",
        target_type="cohort",
        target_id=cohort.id,
        forum_id=cohort.forum_id,
    )


# ---- threads ------------------------------------------------------------------------------


def threads(session: Session, cohort: Cohort) -> Sequence[Conversation]:
    return session.scalars(
        select(Conversation)
        .where(Conversation.cohort_id == cohort.id)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(200)
    ).all()


def thread_in(session: Session, cohort: Cohort, thread_id: int) -> Conversation | None:
    """A thread only within its own cohort (an id from another cohort is simply not found)."""
    thread = session.get(Conversation, thread_id)
    if thread is None or thread.cohort_id != cohort.id:
        return None
    return thread


def start_thread(
    session: Session, cohort: Cohort, author: User, title: str, body: str
) -> conversations.Sent:
    title = title.strip()
    if not title or len(title) > MAX_NAME_CHARS:
        raise CohortError(N_("Give the thread a title of up to 120 characters."), "title")
    thread = _new_thread(session, cohort, author, title)
    try:
        return conversations.send(session, thread, author, body, as_team=False)
    except conversations.ConversationError as exc:
        raise CohortError(exc.message, "body") from exc


def _new_thread(session: Session, cohort: Cohort, author: User | None, title: str) -> Conversation:
    thread = Conversation(
        kind=ConversationKind.COHORT,
        forum_id=cohort.forum_id,
        cohort_id=cohort.id,
        title=title,
        created_by_id=author.id if author else None,
    )
    session.add(thread)
    session.flush()
    return thread


# ---- the weekly check-in (the worker's sweep) ---------------------------------------------


def _today(cohort: Cohort, now: datetime) -> date:
    return now.astimezone(ZoneInfo(cohort.forum.policy.timezone)).date()


def due_for_check_in(cohort: Cohort, now: datetime) -> bool:
    if cohort.check_in_day is None:
        return False
    today = _today(cohort, now)
    return today.weekday() == cohort.check_in_day and cohort.last_check_in_on != today


def open_check_in(session: Session, cohort: Cohort, now: datetime) -> ConversationMessage | None:
    """Open this week's check-in thread with the prompt its leader wrote (assessed like any
    message before the group reads it) and tell the group; returns the prompt's message."""
    today = _today(cohort, now)
    thread = _new_thread(
        session,
        cohort,
        None,
        _("Weekly check-in: {date}").format(date=i18n.format_long_date(today)),
    )
    author = (
        session.get(User, cohort.check_in_prompt_by_id) if cohort.check_in_prompt_by_id else None
    )
    prompt = None
    if author is not None and cohort.check_in_prompt:
        prompt = ConversationMessage(
            conversation_id=thread.id,
            author_id=author.id,
            body_source=cohort.check_in_prompt,
            body_html=render_markdown(cohort.check_in_prompt),
            status=MessageStatus.AWAITING_ASSESSMENT,
            created_at=now,
        )
        session.add(prompt)
    cohort.last_check_in_on = today
    for member in members(session, cohort):
        notifications.notify(
            session,
            member.user_id,
            "cohort.check_in",
            url=f"/cohorts/{cohort.id}/threads/{thread.id}",
            group=cohort.name,
        )
    session.flush()
    return prompt


def run_due(
    sessions: sessionmaker[Session],
    limit: int = 32,
    assess: Callable[[int], None] | None = None,
) -> int:
    """Open the check-in threads due today, then `assess` their prompts (the message gate's);
    returns how many it opened."""
    now = utcnow()
    with sessions() as reading:
        candidates = reading.scalars(
            select(Cohort.id).where(Cohort.check_in_day.is_not(None)).order_by(Cohort.id)
        ).all()
        due = [
            c.id
            for c in reading.scalars(select(Cohort).where(Cohort.id.in_(candidates))).all()
            if due_for_check_in(c, now)
        ][:limit]
    if not due:
        return 0
    opened = 0
    prompts: list[int] = []
    with write_transaction(sessions) as session:
        for cohort in session.scalars(select(Cohort).where(Cohort.id.in_(due))).all():
            if due_for_check_in(cohort, now):  # another worker may have opened it meanwhile
                prompt = open_check_in(session, cohort, now)
                opened += 1
                if prompt is not None:
                    session.flush()
                    prompts.append(prompt.id)
    if assess is not None:
        for message_id in prompts:
            assess(message_id)
    return opened


# ---- the member's data export -------------------------------------------------------------


def for_export(session: Session, user: User) -> list[dict[str, object]]:
    """The groups the member is in, their role in each, and the prompts they wrote."""
    rows = session.execute(
        select(CohortMember, Cohort)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(CohortMember.user_id == user.id)
        .order_by(CohortMember.joined_at, CohortMember.id)
    ).all()
    return [
        {
            "group": cohort.name,
            "forum": cohort.forum.name,
            "role": member.role.value,
            "joined_at": member.joined_at.isoformat(),
            "check_in_prompt_you_wrote": cohort.check_in_prompt
            if cohort.check_in_prompt_by_id == user.id
            else None,
        }
        for member, cohort in rows
    ]


def forget_member(session: Session, user: User, *, remove_writing: bool) -> None:
    """Account deletion: the member leaves every group. A check-in prompt they wrote stays
    with the group, no longer theirs, unless they chose to remove what they wrote (as posts)."""
    for cohort in session.scalars(
        select(Cohort).where(Cohort.check_in_prompt_by_id == user.id)
    ).all():
        cohort.check_in_prompt_by_id = None
        if remove_writing:
            cohort.check_in_prompt = ""
    session.flush()
    session.execute(delete(CohortMember).where(CohortMember.user_id == user.id))

"""Private conversations: starting them, writing, reading, and who may see which.

The rule lives here and only here: a member reads the conversations they take part in; a
moderation conversation is also read by every moderator of its forum (the team, any of whom can
pick it up). A conversation between two members (buddies) is read by the forum's moderators only
while a report or a flag on it is open. Members never see each other's conversations with the
team. When staff read a conversation a member wrote in, the reading is audited (after the
response, in its own transaction: a page view writes nothing itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import SQLColumnExpression, and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import User
from app.audit import service as audit
from app.conversations.models import (
    MEMBER_ROLES,
    Conversation,
    ConversationKind,
    ConversationMessage,
    ConversationParticipant,
    MessageStatus,
    MessageTemplate,
    ParticipantRole,
)
from app.db import utcnow, write_transaction
from app.forums.models import Forum
from app.i18n import N_, _
from app.moderation_queue import items
from app.moderation_queue.models import ReviewItem, ReviewQueue, ReviewStatus
from app.notifications import service as notifications
from app.posts.rendering import render_markdown

MAX_MESSAGE_CHARS = 5000

# Templates a new forum starts with; {resources} becomes the forum's crisis resources.
DEFAULT_TEMPLATES = [
    (
        N_("Checking in"),
        N_(
            "Hello, we saw your post and wanted to check in with you. How are you doing right now?\n\n"
            "You can reply here: only the moderation team can read this conversation.\n\n"
            "If you need to talk to someone now:\n{resources}"
        ),
    ),
    (
        N_("Where to get help"),
        N_(
            "Hello, thank you for sharing how you feel. We want to make sure you have support.\n\n"
            "These services are there for you any time:\n{resources}\n\n"
            "We are here too: reply whenever you want."
        ),
    ),
    (
        N_("Please talk to your care team"),
        N_(
            "Hello, we held back your post because it touches on treatment, and advice about "
            "medicines should come from your care team. Could you ask them, or call NHS 111?\n\n"
            "You are welcome to share how you feel in the forum."
        ),
    ),
]


class ConversationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---- who may see what ---------------------------------------------------------------------


def is_team_reader(
    conversation: Conversation, moderated_forum_ids: Sequence[int], *, flagged: bool = False
) -> bool:
    """A moderator of the conversation's forum reading it as (part of) the moderation team; two
    members' conversation only while a report or flag on it is open (`flagged`)."""
    if conversation.kind is ConversationKind.PEER and not flagged:
        return False
    return conversation.has_team and conversation.forum_id in moderated_forum_ids


def is_flagged(session: Session, conversation_id: int) -> bool:
    """A report or an assessment flag on the conversation is waiting for a moderator."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    ReviewItem.conversation_id == conversation_id,
                    ReviewItem.status == ReviewStatus.PENDING,
                )
            )
        )
    )


def can_read(
    conversation: Conversation,
    user: User,
    moderated_forum_ids: Sequence[int],
    *,
    flagged: bool = False,
) -> bool:
    participant = conversation.participant(user.id)
    if participant is not None and participant.role in MEMBER_ROLES:
        return True
    # A moderator's own participant row is only a read marker: losing the role ends access.
    return is_team_reader(conversation, moderated_forum_ids, flagged=flagged)


def get_for(
    session: Session, conversation_id: int, user: User, moderated_forum_ids: Sequence[int]
) -> Conversation | None:
    """A conversation only if this person may read it (no IDOR through the id)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    flagged = conversation.kind is ConversationKind.PEER and is_flagged(session, conversation.id)
    if not can_read(conversation, user, moderated_forum_ids, flagged=flagged):
        return None
    return conversation


def visible_messages(
    session: Session, conversation: Conversation, viewer: User, *, as_team: bool
) -> Sequence[ConversationMessage]:
    """Delivered messages, plus the viewer's own; the team also sees messages held for it."""
    shown: Any = ConversationMessage.status == MessageStatus.DELIVERED
    if as_team:
        shown = or_(shown, ConversationMessage.status == MessageStatus.HELD)
    shown = or_(shown, ConversationMessage.author_id == viewer.id)
    return session.scalars(
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation.id, shown)
        .order_by(ConversationMessage.created_at, ConversationMessage.id)
    ).all()


# ---- writing ------------------------------------------------------------------------------


def _participant(
    session: Session, conversation: Conversation, user: User, role: ParticipantRole
) -> ConversationParticipant:
    existing = conversation.participant(user.id)
    if existing is not None:
        return existing
    participant = ConversationParticipant(user_id=user.id, user=user, role=role)
    conversation.participants.append(participant)
    session.flush()
    return participant


def team_conversation(session: Session, forum: Forum, member: User) -> Conversation | None:
    """The member's ongoing conversation with this forum's moderation team, if any."""
    return session.scalar(
        select(Conversation)
        .join(ConversationParticipant)
        .where(
            Conversation.forum_id == forum.id,
            Conversation.kind == ConversationKind.MODERATION,
            ConversationParticipant.user_id == member.id,
            ConversationParticipant.role == ParticipantRole.MEMBER,
        )
        .order_by(Conversation.id)
        .limit(1)
    )


def open_with_team(
    session: Session, forum: Forum, member: User, started_by: User | None
) -> Conversation:
    """The member's conversation with the forum's team: one per member and forum, reused."""
    existing = team_conversation(session, forum, member)
    if existing is not None:
        return existing
    conversation = Conversation(
        kind=ConversationKind.MODERATION,
        forum_id=forum.id,
        created_by_id=started_by.id if started_by else None,
    )
    conversation.participants = [
        ConversationParticipant(user_id=member.id, user=member, role=ParticipantRole.MEMBER),
        ConversationParticipant(user_id=None, role=ParticipantRole.MODERATION_TEAM),
    ]
    session.add(conversation)
    session.flush()
    return conversation


def open_between_peers(
    session: Session, forum: Forum, first: User, second: User, *, about_url: str | None = None
) -> Conversation:
    """A one-to-one conversation between two members, looked after by the forum's team. Members
    never open one themselves: a feature that pairs them (buddying) does, naming its page."""
    conversation = Conversation(
        kind=ConversationKind.PEER, forum_id=forum.id, created_by_id=first.id, about_url=about_url
    )
    conversation.participants = [
        ConversationParticipant(user_id=first.id, user=first, role=ParticipantRole.PEER),
        ConversationParticipant(user_id=second.id, user=second, role=ParticipantRole.PEER),
        ConversationParticipant(user_id=None, role=ParticipantRole.MODERATION_TEAM),
    ]
    session.add(conversation)
    session.flush()
    return conversation


def check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ConversationError(N_("Write a message first."))
    if len(body) > MAX_MESSAGE_CHARS:
        raise ConversationError(N_("Keep a message under 5,000 characters."))
    return body


@dataclass(frozen=True)
class Sent:
    message: ConversationMessage
    needs_assessment: bool


def send(
    session: Session,
    conversation: Conversation,
    author: User,
    body: str,
    *,
    as_team: bool,
    review_item_id: int | None = None,
) -> Sent:
    """Add a message. The team's is delivered at once and tells the member; a member's waits
    for the assessment, which the caller releases after the commit."""
    if conversation.closed_at is not None:
        raise ConversationError(N_("This conversation has ended: it takes no new messages."))
    body = check_body(body)
    now = utcnow()
    message = ConversationMessage(
        conversation_id=conversation.id,
        author_id=author.id,
        author=author,
        from_team=as_team,
        body_source=body,
        body_html=render_markdown(body),
        status=MessageStatus.DELIVERED if as_team else MessageStatus.AWAITING_ASSESSMENT,
        created_at=now,
    )
    session.add(message)
    conversation.last_message_at = now
    conversation.awaiting_team = not as_team and conversation.kind is ConversationKind.MODERATION
    if as_team:
        reader = _participant(session, conversation, author, ParticipantRole.MODERATOR)
    else:
        reader = conversation.participant(author.id)  # type: ignore[assignment]
    if reader is not None:
        reader.last_read_at = now
    session.flush()
    if as_team:
        for member in conversation.members:
            notifications.notify(
                session, member.id, "message.from_team", url=f"/messages/{conversation.id}"
            )
        audit.record(
            session,
            actor_id=author.id,
            action="message.team_sent",
            target_type="conversation",
            target_id=conversation.id,
            forum_id=conversation.forum_id,
            message_id=message.id,
            review_item_id=review_item_id,
        )
    return Sent(message, needs_assessment=not as_team)


def close(session: Session, conversation: Conversation) -> None:
    """No new messages from now on; what was said stays readable to the people in it."""
    if conversation.closed_at is None:
        conversation.closed_at = utcnow()
        session.flush()


def reportable_message(
    session: Session, conversation: Conversation, message_id: int, reporter: User
) -> ConversationMessage | None:
    """A delivered message the other person wrote, in a conversation the reporter is in."""
    message = session.get(ConversationMessage, message_id)
    if (
        message is None
        or message.conversation_id != conversation.id
        or message.author_id == reporter.id
        or message.from_team
        or message.status is not MessageStatus.DELIVERED
    ):
        return None
    return message


def report_message(
    session: Session, conversation: Conversation, message: ConversationMessage, reporter: User
) -> None:
    """A member reports a message from the person they talk with: the conversation goes on the
    Reported queue (moderators may then read it, each reading audited)."""
    item = items.open_conversation_item(
        session,
        conversation.id,
        message.id,
        conversation.forum_id,
        ReviewQueue.REPORTED,
        priority=40,
        reason_codes=["member_report"],
    )
    audit.record(
        session,
        actor_id=reporter.id,
        action="message.reported",
        target_type="conversation",
        target_id=conversation.id,
        forum_id=conversation.forum_id,
        message_id=message.id,
        review_item_id=item.id,
    )


# ---- reading ------------------------------------------------------------------------------


def mark_read(sessions: sessionmaker[Session], conversation_id: int, user_id: int) -> None:
    """Record a reading, in its own short transaction (after the response of a page view)."""
    with write_transaction(sessions) as own:
        participant = own.scalar(
            select(ConversationParticipant).where(
                ConversationParticipant.conversation_id == conversation_id,
                ConversationParticipant.user_id == user_id,
            )
        )
        if participant is not None:
            participant.last_read_at = utcnow()


def audit_staff_read(
    sessions: sessionmaker[Session], conversation_id: int, forum_id: int, reader_id: int
) -> None:
    """Staff reading a conversation members wrote in leaves a line in the audit log (written in
    its own transaction: the page view itself writes nothing)."""
    with write_transaction(sessions) as own:
        audit.record(
            own,
            actor_id=reader_id,
            action="conversation.read",
            target_type="conversation",
            target_id=conversation_id,
            forum_id=forum_id,
        )


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    last_message: ConversationMessage | None
    unread: bool
    member: User | None  # the member the team is talking with (team inbox)


def _last_messages(
    session: Session, conversation_ids: Sequence[int], viewer_id: int, as_team: bool
) -> dict[int, ConversationMessage]:
    if not conversation_ids:
        return {}
    shown: Any = ConversationMessage.status == MessageStatus.DELIVERED
    if as_team:
        shown = or_(shown, ConversationMessage.status == MessageStatus.HELD)
    shown = or_(shown, ConversationMessage.author_id == viewer_id)
    newest = (
        select(func.max(ConversationMessage.id))
        .where(ConversationMessage.conversation_id.in_(conversation_ids), shown)
        .group_by(ConversationMessage.conversation_id)
    )
    rows = session.scalars(select(ConversationMessage).where(ConversationMessage.id.in_(newest)))
    return {m.conversation_id: m for m in rows}


def member_inbox(session: Session, member: User) -> list[InboxRow]:
    conversations = session.scalars(
        select(Conversation)
        .join(ConversationParticipant)
        .where(
            ConversationParticipant.user_id == member.id,
            ConversationParticipant.role.in_(MEMBER_ROLES),
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(100)
    ).all()
    last = _last_messages(session, [c.id for c in conversations], member.id, as_team=False)
    rows = []
    for c in conversations:
        mine = c.participant(member.id)
        message = last.get(c.id)
        unread = (
            message is not None
            and message.author_id != member.id
            and (
                mine is None or mine.last_read_at is None or mine.last_read_at < message.created_at
            )
        )
        rows.append(InboxRow(c, message, unread, member))
    return rows


def team_inbox(session: Session, forum_ids: Sequence[int], viewer: User) -> list[InboxRow]:
    """The forums' conversations with members, those waiting for the team's reply first."""
    if not forum_ids:
        return []
    conversations = session.scalars(
        select(Conversation)
        .where(
            Conversation.forum_id.in_(forum_ids),
            Conversation.kind == ConversationKind.MODERATION,
            exists().where(
                ConversationParticipant.conversation_id == Conversation.id,
                ConversationParticipant.role == ParticipantRole.MODERATION_TEAM,
            ),
        )
        .order_by(
            Conversation.awaiting_team.desc(),
            Conversation.last_message_at.desc(),
            Conversation.id.desc(),
        )
        .limit(200)
    ).all()
    last = _last_messages(session, [c.id for c in conversations], viewer.id, as_team=True)
    return [InboxRow(c, last.get(c.id), c.awaiting_team, c.member) for c in conversations]


def unread_for_member_query(user_id: int | SQLColumnExpression[int]) -> Any:
    """How many conversations have a message this member has not read (one scalar subquery)."""
    mine = ConversationParticipant
    return (
        select(func.count(func.distinct(mine.conversation_id)))
        .join(
            ConversationMessage,
            and_(
                ConversationMessage.conversation_id == mine.conversation_id,
                ConversationMessage.author_id != user_id,
                ConversationMessage.status == MessageStatus.DELIVERED,
            ),
        )
        .where(
            mine.user_id == user_id,
            mine.role.in_(MEMBER_ROLES),
            or_(mine.last_read_at.is_(None), ConversationMessage.created_at > mine.last_read_at),
        )
        .scalar_subquery()
    )


def awaiting_team_count(session: Session, forum_ids: Sequence[int]) -> int:
    if not forum_ids:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.forum_id.in_(forum_ids), Conversation.awaiting_team.is_(True))
        )
        or 0
    )


# ---- templates ----------------------------------------------------------------------------


def templates_for(session: Session, forum: Forum) -> list[MessageTemplate]:
    """The forum's reach-out templates; Harbour's own (in the reader's language) until an admin
    saves some."""
    saved = session.scalars(
        select(MessageTemplate)
        .where(MessageTemplate.forum_id == forum.id)
        .order_by(MessageTemplate.position, MessageTemplate.id)
    ).all()
    if saved:
        return list(saved)
    return [
        MessageTemplate(forum_id=forum.id, title=_(title), body=_(body), position=position)
        for position, (title, body) in enumerate(DEFAULT_TEMPLATES)
    ]


def resources_text(forum: Forum) -> str:
    return "\n".join(
        f"- {r['name']}: {r['contact']}" + (f" ({r['detail']})" if r.get("detail") else "")
        for r in forum.policy.crisis_resources
    )


def resources_line(forum: Forum) -> str:
    """The forum's crisis resources in one line (a notification's sentence)."""
    return "; ".join(f"{r['name']}: {r['contact']}" for r in forum.policy.crisis_resources)


def fill_template(template: MessageTemplate, forum: Forum) -> str:
    return template.body.replace("{resources}", resources_text(forum))


def replace_templates(session: Session, forum: Forum, templates: Sequence[tuple[str, str]]) -> None:
    # Only saved ones: until an admin saves some, the forum shows Harbour's defaults (unsaved).
    session.execute(delete(MessageTemplate).where(MessageTemplate.forum_id == forum.id))
    session.flush()
    for position, (title, body) in enumerate(templates):
        session.add(MessageTemplate(forum_id=forum.id, title=title, body=body, position=position))


# ---- the member's data export -------------------------------------------------------------


def for_export(session: Session, user: User) -> list[dict[str, object]]:
    """The member's private messages: in a conversation they take part in as a member (with the
    moderation team, or with their buddy), what they sent and what reached them; anywhere else
    (a group's thread, a team conversation they wrote in as a moderator), only what they sent.
    Nobody's held or rejected words, and never who on the team wrote (the team answers as one)."""
    as_member = set(
        session.scalars(
            select(ConversationParticipant.conversation_id).where(
                ConversationParticipant.user_id == user.id,
                ConversationParticipant.role.in_(MEMBER_ROLES),
            )
        )
    )
    wrote_in = set(
        session.scalars(
            select(ConversationMessage.conversation_id).where(
                ConversationMessage.author_id == user.id
            )
        )
    )
    conversations = session.scalars(
        select(Conversation)
        .where(Conversation.id.in_(as_member | wrote_in))
        .order_by(Conversation.created_at, Conversation.id)
    ).all()
    exported: list[dict[str, object]] = []
    for conversation in conversations:
        shown: Any = ConversationMessage.author_id == user.id
        if conversation.id in as_member:
            shown = or_(shown, ConversationMessage.status == MessageStatus.DELIVERED)
        messages = session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation.id, shown)
            .order_by(ConversationMessage.created_at, ConversationMessage.id)
        ).all()
        exported.append(
            {
                "kind": conversation.kind.value,
                "forum": conversation.forum.name,
                "with": _export_party(conversation, user, as_member),
                "messages": [
                    {
                        "from": "you"
                        if m.author_id == user.id
                        else ("moderation_team" if m.from_team else m.author.display_name),
                        "sent_at": m.created_at.isoformat(),
                        "status": m.status.value,
                        "text": m.body_source,
                    }
                    for m in messages
                ],
            }
        )
    return exported


def _export_party(conversation: Conversation, user: User, as_member: set[int]) -> str | None:
    """Who the member talked with: the team, their peer's name, or the group thread's title
    (None for a team conversation a moderator wrote in: that member is not theirs to export)."""
    if conversation.kind is ConversationKind.COHORT:
        return conversation.title
    if conversation.id not in as_member:
        return None
    if conversation.kind is ConversationKind.MODERATION:
        return "moderation_team"
    peer = next((m for m in conversation.members if m.id != user.id), None)
    return peer.display_name if peer else None

"""Members' private messages go through the same assessment as posts, after their commit.

A message to the moderation team is delivered whatever it says (the team is who it is for), but
one that reads as a crisis opens the conversation in the Urgent queue, as a post would. Between
two members, a message the assessment would hold waits for a moderator before it is delivered.
A message that cannot be assessed is delivered to the team or held, and queued for a human.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import moderation
from app import events
from app.audit import service as audit
from app.conversations.models import (
    Conversation,
    ConversationKind,
    ConversationMessage,
    MessageStatus,
    ParticipantRole,
)
from app.db import write_transaction
from app.forums.models import Forum
from app.moderation_queue import items
from app.moderation_queue.gate import (
    ASSESSMENT_FAILED,
    ModerationGate,
    awaiting_rows,
    policy_for,
    reasons_as_json,
)
from app.moderation_queue.models import ReviewQueue
from app.notifications import service as notifications
from app.notifications.models import Notification

logger = logging.getLogger(__name__)


@dataclass
class MessageGate:
    """Uses the post gate's sessions and scorer (one configured scorer for everything)."""

    gate: ModerationGate

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.gate.sessions

    @property
    def scorer(self) -> moderation.Scorer:
        return self.gate.scorer

    def assess_message(self, message_id: int) -> None:
        self.assess_pending(message_ids=[message_id])

    def assess_pending(
        self,
        *,
        message_ids: Sequence[int] | None = None,
        limit: int = 32,
        older_than: timedelta | None = None,
    ) -> int:
        """Assess a batch of messages awaiting assessment; returns how many were routed. As for
        posts, the assessment runs before the write transaction, which only stores it."""
        with self.sessions() as session:
            waiting = awaiting_rows(
                session,
                ConversationMessage,
                MessageStatus.AWAITING_ASSESSMENT,
                message_ids,
                limit,
                older_than,
            )
            if not waiting:
                return 0
            assessed = {m.id: self._assess(session, m) for m in waiting}
        with write_transaction(self.sessions) as session:
            # Still awaiting: another worker may have routed some meanwhile.
            batch = awaiting_rows(
                session,
                ConversationMessage,
                MessageStatus.AWAITING_ASSESSMENT,
                list(assessed),
                limit,
                lock=True,
            )
            for message in batch:
                conversation = session.get(Conversation, message.conversation_id)
                assert conversation is not None
                self._route(session, message, conversation, assessed[message.id])
            return len(batch)

    def _assess(
        self, session: Session, message: ConversationMessage
    ) -> moderation.Assessment | None:
        forum = session.get(Forum, message.conversation.forum_id)
        assert forum is not None
        try:
            return moderation.assess(
                message.body_source,
                moderation.AssessmentContext(policy=policy_for(forum)),
                scorer=self.scorer,
            )
        except Exception:
            # Log the id only: never what the member wrote.
            logger.exception("could not assess message %s; queueing it for a moderator", message.id)
            return None

    def _route(
        self,
        session: Session,
        message: ConversationMessage,
        conversation: Conversation,
        assessment: moderation.Assessment | None,
    ) -> None:
        to_team = conversation.kind is ConversationKind.MODERATION
        if assessment is None:
            message.status = MessageStatus.DELIVERED if to_team else MessageStatus.HELD
            message.route = moderation.Route.HOLD.value
            message.reasons = [ASSESSMENT_FAILED]
            self._queue(session, message, conversation, ReviewQueue.HELD, 50, ["assessment_failed"])
            if message.status is MessageStatus.DELIVERED:
                tell_recipients(session, conversation, message)
            return
        message.route = assessment.route.value
        message.reasons = reasons_as_json(assessment)
        message.scorer_name = assessment.scorer_name
        urgent = assessment.route is moderation.Route.URGENT
        held = assessment.route is not moderation.Route.PUBLISH
        message.status = MessageStatus.HELD if held and not to_team else MessageStatus.DELIVERED
        codes = [r.code for r in assessment.reasons]
        if urgent:
            self._queue(
                session, message, conversation, ReviewQueue.URGENT, assessment.priority, codes
            )
        elif held and not to_team:
            self._queue(
                session, message, conversation, ReviewQueue.HELD, assessment.priority, codes
            )
        if message.status is MessageStatus.DELIVERED:
            tell_recipients(session, conversation, message)

    def _queue(
        self,
        session: Session,
        message: ConversationMessage,
        conversation: Conversation,
        queue: ReviewQueue,
        priority: int,
        codes: list[str],
    ) -> None:
        item = items.open_conversation_item(
            session,
            conversation.id,
            message.id,
            conversation.forum_id,
            queue,
            priority=priority,
            reason_codes=codes,
        )
        audit.record(
            session,
            actor_id=None,
            action=f"message.{queue.value}",
            target_type="conversation",
            target_id=conversation.id,
            forum_id=conversation.forum_id,
            message_id=message.id,
            review_item_id=item.id,
        )


def tell_recipients(
    session: Session, conversation: Conversation, message: ConversationMessage
) -> None:
    """A member's delivered message: the moderators who wrote in the conversation hear of it
    (the whole team sees it in the team inbox); a peer hears of a message to them; a group
    thread's members hear of it through the event (app/cohorts listens)."""
    for participant in conversation.participants:
        if participant.user_id is None or participant.user_id == message.author_id:
            continue
        if participant.role is ParticipantRole.MODERATOR:
            notifications.notify(
                session,
                participant.user_id,
                "message.member_replied",
                url=f"/moderation/conversations/{conversation.id}",
                message_id=message.id,
            )
        elif participant.role is ParticipantRole.PEER:
            notifications.notify(
                session,
                participant.user_id,
                "message.new",
                url=f"/messages/{conversation.id}",
                message_id=message.id,
            )
    events.announce(
        session, events.MessageDelivered(conversation.id, message.id, message.author_id)
    )


RECIPIENT_NOTICES = ("message.member_replied", "message.new")


def withdraw_recipient_notices(session: Session, message: ConversationMessage) -> None:
    """A delivery taken back (a moderator undid approving a held message): the recipients' notices
    of it are withdrawn if still unread, as if never sent; one already read is left as it is."""
    conversation = message.conversation
    recipients = [
        p.user_id
        for p in conversation.participants
        if p.user_id is not None and p.user_id != message.author_id
    ]
    unread = session.scalars(
        select(Notification).where(
            Notification.user_id.in_(recipients),
            Notification.read_at.is_(None),
            Notification.kind.in_(RECIPIENT_NOTICES),
            Notification.url.in_(
                (f"/moderation/conversations/{conversation.id}", f"/messages/{conversation.id}")
            ),
        )
    )
    for notice in unread:
        if (notice.facts or {}).get("message_id") == message.id:  # not a later message's
            session.delete(notice)
    session.flush()

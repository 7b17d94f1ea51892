"""The group hears of its threads: a member's message delivered in a group thread (app/events'
MessageDelivered) tells the group's other members, in the app and by email as each prefers
(the email is the neutral one: it never names the group or says what was written)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import events
from app.cohorts import service
from app.cohorts.models import Cohort
from app.conversations.models import Conversation
from app.notifications import service as notifications


def message_delivered(session: Session, event: events.MessageDelivered) -> None:
    thread = session.get(Conversation, event.conversation_id)
    if thread is None or thread.cohort_id is None:
        return
    cohort = session.get(Cohort, thread.cohort_id)
    if cohort is None:
        return
    url = f"/cohorts/{cohort.id}/threads/{thread.id}"
    for member in service.members(session, cohort):
        # One unread notice per thread is enough (a busy thread is not a stream of emails; the
        # weekly check-in's own notice covers its prompt).
        if member.user_id == event.author_id or notifications.has_unread(
            session, member.user_id, url
        ):
            continue
        notifications.notify(session, member.user_id, "cohort.message", url=url, group=cohort.name)


def install() -> None:
    events.subscribe(events.MessageDelivered, message_delivered)

"""Goals hear of moderators' decisions about their words: a goal taken down from the review queue
(app/events' TextTakenDown) is hidden from everyone but its member, who is told why."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import events
from app.goals import service
from app.goals.models import Goal
from app.moderation_queue.models import TextSource


def text_taken_down(session: Session, event: events.TextTakenDown) -> None:
    if event.source != TextSource.GOAL.value:
        return
    goal = session.get(Goal, event.source_id)
    if goal is not None:
        service.take_down(session, goal, event.by_id, event.reason, event.message)


def install() -> None:
    events.subscribe(events.TextTakenDown, text_taken_down)

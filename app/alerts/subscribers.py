"""Alerts listen to the review queue's events (app/events.py): an item that needs a person now
raises an alert; claiming or deciding it acknowledges the alert."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import events
from app.alerts import service
from app.alerts.models import AlertKind
from app.forums.models import Forum


def item_needs_attention(session: Session, event: events.ItemNeedsAttention) -> None:
    forum = session.get(Forum, event.forum_id)
    if forum is None:
        return
    kind = AlertKind(event.queue) if event.queue in AlertKind.__members__.values() else None
    if kind is None or kind is AlertKind.TEST:
        return
    service.raise_alert(session, forum, kind, item_id=event.item_id, by_id=event.by_id)


def item_claimed(session: Session, event: events.ItemClaimed) -> None:
    service.acknowledge(session, event.item_id, event.user_id)


def item_decided(session: Session, event: events.ItemDecided) -> None:
    service.close_for_decision(session, event.item_id, event.user_id)


def install() -> None:
    events.subscribe(events.ItemNeedsAttention, item_needs_attention)
    events.subscribe(events.ItemClaimed, item_claimed)
    events.subscribe(events.ItemDecided, item_decided)


install()

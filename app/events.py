"""What the moderation lifecycle announces, and who listens.

Features do not call upward into each other: the review queue announces that an item became
urgent, was claimed or was decided, and the features that care (alerts) subscribe. Handlers run
inside the announcing transaction, so what they write commits or rolls back with it; anything
slow (sending) they leave to after the commit (`app.db.after_commit`) or to a durable job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ItemNeedsAttention:
    """A review item entered a queue that alerts people: urgent, or escalated to the
    safeguarding or clinical queue (`queue` is the ReviewQueue value)."""

    item_id: int
    forum_id: int
    queue: str
    by_id: int | None = None  # the moderator who escalated it, or None (the assessment)


@dataclass(frozen=True)
class ItemEscalated:
    """A moderator escalated an item to the safeguarding leads or clinical reviewers, saying why."""

    item_id: int
    forum_id: int
    queue: str
    by_id: int
    reason: str
    decision_id: int


@dataclass(frozen=True)
class ItemClaimed:
    item_id: int
    forum_id: int
    user_id: int


@dataclass(frozen=True)
class ItemDecided:
    item_id: int
    forum_id: int
    user_id: int
    action: str


@dataclass(frozen=True)
class MessageDelivered:
    """A member's message in a private conversation reached the people it was written to (after
    its assessment, or a moderator's approval). A group thread's readers are the group's members,
    whom only app/cohorts knows: it listens and tells them."""

    conversation_id: int
    message_id: int
    author_id: int


@dataclass(frozen=True)
class TextTakenDown:
    """A moderator took down something a member wrote outside posts and messages (a screened
    text: `source` is its TextSource value, `source_id` the goal's id…). The feature that owns
    it hides it from others and tells its author, with the moderator's reason."""

    source: str
    source_id: int
    forum_id: int
    by_id: int
    reason: str
    message: str | None = None


Event = TypeVar("Event")
_handlers: dict[type, list[Callable[[Session, Any], None]]] = {}


def subscribe(kind: type[Event], handler: Callable[[Session, Event], None]) -> None:
    """Call `handler` for every announced event of this kind (once, however often subscribed)."""
    handlers = _handlers.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)


def announce(session: Session, event: object) -> None:
    for handler in _handlers.get(type(event), []):
        handler(session, event)

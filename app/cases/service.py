"""Escalation to the safeguarding leads or clinical reviewers, and the safeguarding record.

A case opens when a moderator escalates an item (the review queue announces ItemEscalated); the
record is then filled by the people who act: who they contacted, what they did, and the outcome.
Only the forum's safeguarding leads and site admins may read or write it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app import events
from app.accounts.models import User
from app.alerts.models import Alert, AlertDelivery
from app.audit import service as audit
from app.cases.models import CaseEntry, SafeguardingCase
from app.db import utcnow
from app.forums import service as forums
from app.moderation_queue.models import (
    ESCALATION_TAKEN_BY,
    DecisionAction,
    ModerationDecision,
    ReviewItem,
    ReviewStatus,
)


def holds_role(session: Session, user: User, forum_id: int, roles: Sequence[str]) -> bool:
    return user.is_admin or forum_id in forums.forums_with_role(session, user.id, roles)


def _case_scope(session: Session, user: User) -> ColumnElement[bool] | None:
    """None for site admins (every case); else only the forums where they are a lead."""
    if user.is_admin:
        return None
    return SafeguardingCase.forum_id.in_(
        forums.forums_with_role(session, user.id, ["safeguarding_lead"])
    )


def visible_cases(session: Session, user: User, *, limit: int = 100) -> Sequence[SafeguardingCase]:
    query = select(SafeguardingCase).order_by(
        SafeguardingCase.closed_at.is_not(None), SafeguardingCase.opened_at.desc()
    )
    if (scope := _case_scope(session, user)) is not None:
        query = query.where(scope)
    return session.scalars(query.limit(limit)).all()


def get_case(session: Session, user: User, case_id: int) -> SafeguardingCase | None:
    """A case only for its forum's safeguarding leads and site admins (no IDOR via the id)."""
    query = select(SafeguardingCase).where(SafeguardingCase.id == case_id)
    if (scope := _case_scope(session, user)) is not None:
        query = query.where(scope)
    return session.scalar(query)


def escalated_items(session: Session, user: User) -> Sequence[ReviewItem]:
    """Pending items escalated to a queue this person takes, oldest first."""
    conditions = []
    for queue, roles in ESCALATION_TAKEN_BY.items():
        if user.is_admin:
            conditions.append(ReviewItem.escalation == queue)
        elif forum_ids := forums.forums_with_role(session, user.id, roles):
            conditions.append((ReviewItem.escalation == queue) & ReviewItem.forum_id.in_(forum_ids))
    if not conditions:
        return []
    return session.scalars(
        select(ReviewItem)
        .where(ReviewItem.status == ReviewStatus.PENDING, or_(*conditions))
        .order_by(ReviewItem.created_at)
    ).all()


def open_case_for(session: Session, item_id: int) -> SafeguardingCase | None:
    return session.scalar(
        select(SafeguardingCase).where(
            SafeguardingCase.review_item_id == item_id, SafeguardingCase.closed_at.is_(None)
        )
    )


def item_escalated(session: Session, event: events.ItemEscalated) -> None:
    """Open the item's case (or add to the one open) with who escalated it, where, and why."""
    case = open_case_for(session, event.item_id)
    if case is None:
        case = SafeguardingCase(
            forum_id=event.forum_id,
            review_item_id=event.item_id,
            queue=event.queue,
            opened_by_id=event.by_id,
        )
        session.add(case)
        session.flush()
        audit.record(
            session,
            actor_id=event.by_id,
            action="case.open",
            target_type="safeguarding_case",
            target_id=case.id,
            forum_id=event.forum_id,
            review_item_id=event.item_id,
            queue=event.queue,
        )
    case.queue = event.queue
    session.add(
        CaseEntry(case_id=case.id, author_id=event.by_id, kind="escalated", text=event.reason)
    )
    session.flush()


def add_entry(session: Session, case: SafeguardingCase, author: User, kind: str, text: str) -> None:
    session.add(CaseEntry(case_id=case.id, author_id=author.id, kind=kind, text=text))
    session.flush()
    audit.record(
        session,
        actor_id=author.id,
        action="case.entry",
        target_type="safeguarding_case",
        target_id=case.id,
        forum_id=case.forum_id,
        kind=kind,
    )


def record_outcome(session: Session, case: SafeguardingCase, author: User, outcome: str) -> None:
    """Write the outcome and close the case (a later escalation of the item opens a new one)."""
    case.outcome, case.closed_at, case.closed_by_id = outcome, utcnow(), author.id
    session.add(CaseEntry(case_id=case.id, author_id=author.id, kind="outcome", text=outcome))
    session.flush()
    audit.record(
        session,
        actor_id=author.id,
        action="case.close",
        target_type="safeguarding_case",
        target_id=case.id,
        forum_id=case.forum_id,
    )


@dataclass(frozen=True)
class CaseRecord:
    """Everything the record shows, gathered from where each fact already lives."""

    case: SafeguardingCase
    item: ReviewItem | None
    deliveries: Sequence[AlertDelivery]  # who Harbour alerted, how, and when
    decisions: Sequence[ModerationDecision]  # what moderators did on the item, and when


def record_of(session: Session, case: SafeguardingCase) -> CaseRecord:
    item = session.get(ReviewItem, case.review_item_id) if case.review_item_id else None
    deliveries: Sequence[AlertDelivery] = []
    decisions: Sequence[ModerationDecision] = []
    if item is not None:
        deliveries = session.scalars(
            select(AlertDelivery)
            .join(Alert, Alert.id == AlertDelivery.alert_id)
            .where(Alert.review_item_id == item.id)
            .order_by(AlertDelivery.created_at, AlertDelivery.id)
        ).all()
        # Escalations to this case already stand in it as "Escalated" entries, with the reason.
        escalated = {e.text for e in case.entries if e.kind == "escalated"}
        decisions = [
            d
            for d in session.scalars(
                select(ModerationDecision)
                .where(ModerationDecision.review_item_id == item.id)
                .order_by(ModerationDecision.created_at, ModerationDecision.id)
            )
            if not (d.action is DecisionAction.ESCALATE and d.reason in escalated)
        ]
    return CaseRecord(case, item, deliveries, decisions)


def install() -> None:
    events.subscribe(events.ItemEscalated, item_escalated)


install()

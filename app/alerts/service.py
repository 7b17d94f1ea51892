"""Urgent alerts: who is told, when it escalates, and what the alert says.

An item that enters the Urgent queue (or is escalated to the safeguarding or clinical queue)
raises one alert. The alert goes to its first tier at once, by email to each person and by the
forum's webhook; if nobody claims the item within the forum's escalation time it goes to the next
tier (the safeguarding leads, then the site admins). Outside the forum's staffed hours the first
tier is its out-of-hours contacts, when it has any. Claiming or deciding the item acknowledges it.

What an alert says is written here and nowhere else, and it says only that an item waits and
where: never the post's words, its author, the forum's name or slug (a forum's name often names a
condition), only a link to the item, whose id means nothing outside Harbour.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole, User
from app.alerts.models import (
    Alert,
    AlertDelivery,
    AlertKind,
    AlertStatus,
    DeliveryChannel,
    ForumAlerting,
)
from app.audit import service as audit
from app.db import after_commit, utcnow
from app.forums import service as forums
from app.forums.models import Forum
from app.i18n import _
from app.moderation_queue.models import ESCALATION_TAKEN_BY, ReviewItem, ReviewStatus

FIRST_RESPONDERS = "first_responders"  # on call (or out-of-hours contacts, outside staffed hours)
SITE_ADMINS = "site_admins"
TESTER = "tester"  # the admin who pressed "send a test alert"
# Who each kind of alert reaches, tier by tier, until someone claims the item.
TIERS: dict[AlertKind, tuple[str, ...]] = {
    AlertKind.URGENT: (FIRST_RESPONDERS, "safeguarding_lead", SITE_ADMINS),
    AlertKind.SAFEGUARDING: ("safeguarding_lead", SITE_ADMINS),
    AlertKind.CLINICAL: ("clinically_trained", "safeguarding_lead", SITE_ADMINS),
    AlertKind.TEST: (TESTER,),
}
# An escalated item's alert is acknowledged only by someone holding one of the roles that take it
# in the forum (or a site admin): a colleague's claim does not stand in for the safeguarding lead.
ACKNOWLEDGED_BY: dict[AlertKind, tuple[str, ...]] = {
    AlertKind(queue): roles for queue, roles in ESCALATION_TAKEN_BY.items()
}
SIGNATURE_HEADER = "X-Harbour-Signature"


def alerting_of(session: Session, forum_id: int) -> ForumAlerting | None:
    return session.get(ForumAlerting, forum_id)


def escalate_after(session: Session, forum_id: int) -> timedelta:
    settings = alerting_of(session, forum_id)
    return timedelta(minutes=settings.escalate_after_minutes if settings else 5)


def new_secret() -> str:
    return secrets.token_hex(32)


def save_alerting(
    session: Session,
    forum: Forum,
    actor: User,
    *,
    webhook_url: str | None,
    escalate_after_minutes: int,
    webhook_language: str = "en",
    new_signing_secret: bool = False,
) -> ForumAlerting:
    settings = alerting_of(session, forum.id)
    if settings is None:
        settings = ForumAlerting(forum_id=forum.id, webhook_secret=new_secret())
        session.add(settings)
    elif new_signing_secret:
        settings.webhook_secret = new_secret()
    settings.webhook_url = webhook_url or None
    settings.escalate_after_minutes = escalate_after_minutes
    settings.webhook_language = webhook_language
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="alerting.configure",
        target_type="forum",
        target_id=forum.id,
        forum_id=forum.id,
        webhook=bool(settings.webhook_url),
        escalate_after_minutes=escalate_after_minutes,
        webhook_language=webhook_language,
        new_secret=new_signing_secret,
    )
    return settings


def sign(secret: str, body: bytes) -> str:
    """The X-Harbour-Signature header's value: HMAC-SHA256 of the exact body sent."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def site_admins(session: Session) -> Sequence[User]:
    return session.scalars(
        select(User)
        .where(User.site_role == SiteRole.ADMIN, User.deleted_at.is_(None))
        .order_by(User.handle)
    ).all()


def first_responders(session: Session, forum_id: int, out_of_hours: bool) -> Sequence[User]:
    """Out of hours: the out-of-hours contacts, if the forum has any. Otherwise the moderators
    on call, or every moderator of the forum when nobody is marked on call, or (a forum with no
    moderator of its own) the site-wide moderators."""
    if out_of_hours:
        contacts = forums.moderators_with_role(session, forum_id, "out_of_hours_contact")
        if contacts:
            return contacts
    return (
        forums.moderators_with_role(session, forum_id, "on_call")
        or forums.moderators_with_role(session, forum_id, None)
        or forums.site_moderators(session)
    )


def tier_people(
    session: Session, forum_id: int, tier: str, *, out_of_hours: bool = False
) -> Sequence[User]:
    if tier == FIRST_RESPONDERS:
        return first_responders(session, forum_id, out_of_hours)
    if tier == SITE_ADMINS:
        return site_admins(session)
    if tier == TESTER:
        return []
    return forums.moderators_with_role(session, forum_id, tier)


def open_alert_for(session: Session, item_id: int, kind: AlertKind) -> Alert | None:
    return session.scalar(
        select(Alert).where(
            Alert.review_item_id == item_id,
            Alert.kind == kind,
            Alert.status == AlertStatus.OPEN,
        )
    )


def raise_alert(
    session: Session, forum: Forum, kind: AlertKind, *, item_id: int | None, by_id: int | None
) -> Alert:
    """Alert the first tier about an item (once: an item already alerted keeps its alert)."""
    if item_id is not None and (existing := open_alert_for(session, item_id, kind)):
        return existing
    alert = Alert(
        forum_id=forum.id,
        review_item_id=item_id,
        kind=kind,
        out_of_hours=not forum.policy.is_staffed(utcnow()),
    )
    session.add(alert)
    session.flush()
    audit.record(
        session,
        actor_id=by_id,
        action="alert.raise",
        target_type="alert",
        target_id=alert.id,
        forum_id=forum.id,
        review_item_id=item_id,
        kind=kind.value,
        out_of_hours=alert.out_of_hours,
    )
    _alert_tier(session, alert, tester_id=by_id if kind is AlertKind.TEST else None)
    return alert


def _alert_tier(session: Session, alert: Alert, *, tester_id: int | None = None) -> None:
    """Queue the deliveries of the alert's current tier; a tier with nobody in it is skipped.
    The webhook (the team's channel) hears of the first tier and of every escalation."""
    tiers = TIERS[alert.kind]
    people: Sequence[User] = []
    while alert.tier < len(tiers):
        if tiers[alert.tier] == TESTER:
            tester = session.get(User, tester_id) if tester_id else None
            people = [tester] if tester else []
            break
        people = tier_people(
            session, alert.forum_id, tiers[alert.tier], out_of_hours=alert.out_of_hours
        )
        if people:
            break
        alert.tier += 1
    alert.tier = min(alert.tier, len(tiers) - 1)
    for person in people:
        session.add(
            AlertDelivery(
                alert_id=alert.id, tier=alert.tier, channel=DeliveryChannel.EMAIL, user_id=person.id
            )
        )
    settings = alerting_of(session, alert.forum_id)
    if settings is not None and settings.webhook_url:
        session.add(
            AlertDelivery(alert_id=alert.id, tier=alert.tier, channel=DeliveryChannel.WEBHOOK)
        )
    last = alert.tier >= len(tiers) - 1
    alert.escalate_at = None if last else utcnow() + escalate_after(session, alert.forum_id)
    if alert.kind is AlertKind.TEST:
        alert.status = AlertStatus.CLOSED
    session.flush()
    audit.record(
        session,
        actor_id=None,
        action="alert.notify",
        target_type="alert",
        target_id=alert.id,
        forum_id=alert.forum_id,
        tier=tiers[alert.tier],
        people=[p.id for p in people],
        webhook=bool(settings and settings.webhook_url),
    )
    from app.alerts import delivery  # the worker's wake-up: after the commit, never before

    after_commit(session, delivery.wake_workers)


def may_acknowledge(session: Session, alert: Alert, user_id: int) -> bool:
    roles = ACKNOWLEDGED_BY.get(alert.kind)
    if roles is None:
        return True
    user = session.get(User, user_id)
    return user is not None and (
        user.is_admin or alert.forum_id in forums.forums_with_role(session, user_id, roles)
    )


def acknowledge(session: Session, item_id: int, user_id: int) -> None:
    """Someone claimed the item: its open alerts stop climbing (an escalated item's only when
    they hold the role it was escalated to). The alert keeps watch: if the item is still
    undecided after the forum's escalation time and nobody holds a live claim on it (an idle
    claim lapses within a minute), it goes on to the next tier."""
    for alert in session.scalars(
        select(Alert).where(Alert.review_item_id == item_id, Alert.status == AlertStatus.OPEN)
    ):
        if not may_acknowledge(session, alert, user_id):
            continue
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by_id = user_id
        alert.escalate_at = utcnow() + escalate_after(session, alert.forum_id)
        _record(session, alert, "alert.acknowledge", actor_id=user_id, by="claim")


def close_for_decision(session: Session, item_id: int, user_id: int) -> None:
    """The item was decided: its alerts are done (one still open counts as acknowledged)."""
    for alert in session.scalars(
        select(Alert).where(Alert.review_item_id == item_id, Alert.status != AlertStatus.CLOSED)
    ):
        if alert.status is AlertStatus.OPEN:
            alert.acknowledged_at, alert.acknowledged_by_id = utcnow(), user_id
            _record(session, alert, "alert.acknowledge", actor_id=user_id, by="decision")
        alert.status, alert.escalate_at = AlertStatus.CLOSED, None


def _record(
    session: Session, alert: Alert, action: str, *, actor_id: int | None = None, **detail: object
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        target_type="alert",
        target_id=alert.id,
        forum_id=alert.forum_id,
        review_item_id=alert.review_item_id,
        **detail,
    )


def _held_by_qualified_claim(session: Session, alert: Alert, item: ReviewItem) -> bool:
    claimed_until = item.claimed_until
    return (
        item.claimed_by_id is not None
        and claimed_until is not None
        and claimed_until >= utcnow()
        and may_acknowledge(session, alert, item.claimed_by_id)
    )


def escalate_due(session: Session, *, limit: int = 50) -> int:
    """Move on every alert whose item waited past the forum's time with nobody holding it: never
    claimed, or claimed and then left (the claim lapsed)."""
    now = utcnow()
    due = session.scalars(
        select(Alert)
        .where(
            Alert.status.in_([AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]),
            Alert.escalate_at <= now,
        )
        .order_by(Alert.escalate_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for alert in due:
        item = session.get(ReviewItem, alert.review_item_id) if alert.review_item_id else None
        if item is None or item.status is not ReviewStatus.PENDING:
            alert.status, alert.escalate_at = AlertStatus.CLOSED, None
            continue
        if _held_by_qualified_claim(session, alert, item):
            assert item.claimed_by_id is not None
            if alert.status is AlertStatus.OPEN:
                acknowledge(session, item.id, item.claimed_by_id)
            else:  # still being worked on: keep watching
                alert.escalate_at = now + escalate_after(session, alert.forum_id)
            continue
        if alert.status is AlertStatus.ACKNOWLEDGED:
            alert.status = AlertStatus.OPEN
            _record(session, alert, "alert.reopen", reason="claim_lapsed")
        tiers = TIERS[alert.kind]
        alert.tier = min(alert.tier + 1, len(tiers) - 1)
        _record(session, alert, "alert.escalate", tier=tiers[alert.tier])
        _alert_tier(session, alert)
    return len(due)


@dataclass(frozen=True)
class AlertMessage:
    subject: str
    text: str  # the email's body and the webhook's "text"


def message_for(alert: Alert, tier: int, base_url: str) -> AlertMessage:
    """What an alert says, in the current language. Deliberately bare (see the module's doc)."""
    url = f"{base_url}/moderation/items/{alert.review_item_id}"
    if alert.kind is AlertKind.TEST:
        return AlertMessage(
            _("Harbour: a test alert"),
            _(
                "This is a test alert from Harbour's admin console. Real alerts say only that an "
                "item waits in a forum you moderate, with a link: {url}"
            ).format(url=f"{base_url}/moderation"),
        )
    waiting = {
        AlertKind.URGENT: _(
            "An urgent item is waiting in the review queue of a forum you moderate."
        ),
        AlertKind.SAFEGUARDING: _(
            "An item has been escalated to the safeguarding queue of a forum you moderate."
        ),
        AlertKind.CLINICAL: _(
            "An item has been escalated to the clinical reviewers of a forum you moderate."
        ),
    }[alert.kind]
    escalated = (
        " " + _("Nobody has claimed it yet, so this alert has been escalated to you.")
        if tier > 0
        else ""
    )
    return AlertMessage(
        _("Harbour: an item needs a moderator now"),
        _(
            "{waiting}{escalated} Open it and claim it (claiming tells the team you have it): {url}"
        ).format(waiting=waiting, escalated=escalated, url=url),
    )


def webhook_body(message: AlertMessage) -> bytes:
    """JSON that Slack and Microsoft Teams incoming webhooks both accept: a `text` field."""
    return json.dumps({"text": message.text}, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Cover:
    """What the console says about who an alert would reach now."""

    on_call: Sequence[User]
    moderators: Sequence[User]
    site_moderators: Sequence[User]  # the first tier when the forum has no moderator of its own
    out_of_hours: Sequence[User]
    leads: Sequence[User]
    clinical: Sequence[User]
    admins: Sequence[User]
    staffed_hours: bool  # whether the forum has staffed hours at all


def cover_of(session: Session, forum: Forum) -> Cover:
    return Cover(
        on_call=forums.moderators_with_role(session, forum.id, "on_call"),
        moderators=forums.moderators_with_role(session, forum.id, None),
        site_moderators=forums.site_moderators(session),
        out_of_hours=forums.moderators_with_role(session, forum.id, "out_of_hours_contact"),
        leads=forums.moderators_with_role(session, forum.id, "safeguarding_lead"),
        clinical=forums.moderators_with_role(session, forum.id, "clinically_trained"),
        admins=site_admins(session),
        staffed_hours=bool(forum.policy.staffed_days),
    )


def recent_deliveries(session: Session, forum_id: int, limit: int = 20) -> Sequence[AlertDelivery]:
    return session.scalars(
        select(AlertDelivery)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(Alert.forum_id == forum_id)
        .order_by(AlertDelivery.id.desc())
        .limit(limit)
    ).all()

"""Escalate: a moderator sends an item to the forum's safeguarding leads or clinical reviewers
with a reason; they are alerted (then the site admins), and a safeguarding record opens that only
the forum's safeguarding leads and site admins can read, fill in and print."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.alerts.models import Alert, AlertKind, AlertStatus
from app.audit.models import AuditEvent
from app.cases.models import SafeguardingCase
from app.clock import ManualClock
from app.forums.models import MembershipRole
from tests.alerts.receiver import Receiver
from tests.alerts.test_urgent_alerts import alert_mails, make_team, set_roles, wait_until
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of
from tests.moderation_queue.test_review_queue import CRISIS, item_of, post_reply

MEDICAL = "you lot don't need statins, they're a scam. bin them and eat more butter"
REASON = "Mentions a plan and a date; needs the safeguarding lead today."


def signed_in(make_browser: Callable[[], Browser], email: str) -> Browser:
    browser = make_browser()
    browser.sign_in(email)
    return browser


def test_escalating_alerts_the_safeguarding_lead_and_opens_a_record_with_the_reason(
    make_browser: Callable[[], Browser], db: Session, receiver: Receiver
) -> None:
    team = make_team(make_browser, db, receiver)
    post_reply(team.sam, team.forum, team.thread_id, CRISIS)
    item = item_of(db, CRISIS)
    form = team.rowan.get(f"/moderation/items/{item.id}/escalate").text
    assert 'value="safeguarding" checked' in form
    assert "Escalate…" in team.rowan.get(f"/moderation/items/{item.id}").text

    response = team.rowan.post(
        f"/moderation/items/{item.id}/escalate",
        {"queue": "safeguarding", "reason": REASON},
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.refresh(item)
    assert item.escalation == "safeguarding"
    assert (
        "escalated to the safeguarding leads" in team.rowan.get(f"/moderation/items/{item.id}").text
    )

    wait_until(lambda: alert_mails(db, "lead@example.org"))
    assert "escalated to the safeguarding queue" in alert_mails(db, "lead@example.org")[0].body
    wait_until(lambda: any("safeguarding" in json.loads(r.body)["text"] for r in receiver.received))
    case = db.scalars(select(SafeguardingCase)).one()
    assert case.queue == "safeguarding" and case.entries[0].text == REASON
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"review.escalate", "case.open", "alert.raise"} <= actions

    lead = signed_in(make_browser, "lead@example.org")
    page = lead.get("/safeguarding").text
    assert (
        f'href="/moderation/items/{item.id}"' in page and f"/safeguarding/cases/{case.id}" in page
    )


def test_a_reason_is_required_and_what_was_typed_is_kept(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    team = make_team(make_browser, db, None)
    post_reply(team.sam, team.forum, team.thread_id, CRISIS)
    item = item_of(db, CRISIS)
    response = team.rowan.post(
        f"/moderation/items/{item.id}/escalate", {"queue": "clinical", "reason": "   "}
    )
    assert response.status_code == 422
    assert "Say why you are escalating it" in response.text
    assert 'value="clinical" checked' in response.text
    assert db.scalars(select(SafeguardingCase)).all() == []


def test_dangerous_medical_advice_goes_to_the_clinical_reviewers_by_default(
    make_browser: Callable[[], Browser], db: Session, receiver: Receiver
) -> None:
    team = make_team(make_browser, db, receiver)
    clinician = member_of(
        team.forum, MembershipRole.MODERATOR, email="dr@example.org", handle="dr_clinician"
    )
    set_roles(db, clinician, team.forum, clinically_trained=True)
    post_reply(team.sam, team.forum, team.thread_id, MEDICAL)
    item = item_of(db, MEDICAL)
    assert item.needs_clinical_review
    form = team.rowan.get(f"/moderation/items/{item.id}/escalate").text
    assert 'value="clinical" checked' in form
    team.rowan.post(
        f"/moderation/items/{item.id}/escalate",
        {"queue": "clinical", "reason": "Tells people to stop their statins."},
    )
    wait_until(lambda: alert_mails(db, "dr@example.org"))
    assert alert_mails(db, "lead@example.org") == []  # the clinician is the first tier
    assert db.scalars(select(Alert.kind)).one() is AlertKind.CLINICAL


def test_only_the_role_escalated_to_acknowledges_and_nobody_taking_it_reaches_the_admins(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    team = make_team(make_browser, db, None)
    post_reply(team.sam, team.forum, team.thread_id, CRISIS)
    item = item_of(db, CRISIS)
    team.rowan.post(
        f"/moderation/items/{item.id}/escalate", {"queue": "safeguarding", "reason": REASON}
    )
    alex = signed_in(make_browser, "alex@example.org")
    assert alex.post(f"/moderation/items/{item.id}/claim").status_code == 200
    alert = db.scalars(select(Alert).where(Alert.kind == AlertKind.SAFEGUARDING)).one()
    assert alert.status is AlertStatus.OPEN  # a colleague's claim is no lead's
    clock.advance(minutes=5, seconds=1)
    wait_until(lambda: alert_mails(db, "admin@example.org"))


def test_the_record_is_for_leads_and_admins_who_add_to_it_close_it_and_print_it(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    team = make_team(make_browser, db, None)
    post_reply(team.sam, team.forum, team.thread_id, CRISIS)
    item = item_of(db, CRISIS)
    team.rowan.post(
        f"/moderation/items/{item.id}/escalate", {"queue": "safeguarding", "reason": REASON}
    )
    case = db.scalars(select(SafeguardingCase)).one()
    address = f"/safeguarding/cases/{case.id}"

    # The moderator who escalated it is not a lead: no record for them, nor for members, nor for
    # a moderator of another forum; each is told so (403) and shown nothing of it.
    refused = team.rowan.get(address)
    assert refused.status_code == 403 and REASON not in refused.text
    assert "safeguarding leads and site admins" in refused.text
    assert "Safeguarding records" not in team.rowan.get("/safeguarding").text
    assert team.sam.get(address).status_code == 403
    member_of(ForumFactory(), MembershipRole.MODERATOR, email="else@example.org")
    assert signed_in(make_browser, "else@example.org").get(address).status_code == 403
    assert team.rowan.get("/safeguarding/cases/999999").status_code == 404

    lead = signed_in(make_browser, "lead@example.org")
    record = lead.get(address).text
    assert REASON in record and "I can&#39;t go on" in record and "sam_writes" in record
    assert "alert emailed to mod_rowan" in record
    assert "Save as PDF" in record and 'class="no-print' in record
    # Its print style leaves out navigation, forms and banners: the record alone.
    css = lead.get("/static/css/harbour.css").text
    printed = css[css.index("@media print") :]
    assert ".no-print" in printed and "form" in printed and ".urgent-banner" in printed

    assert lead.post(f"{address}/entries", {"kind": "contacted", "text": ""}).status_code == 422
    lead.post(
        f"{address}/entries", {"kind": "contacted", "text": "Phoned the author at 14:05; safe."}
    )
    lead.post(f"{address}/entries", {"kind": "action", "text": "Shared crisis lines by message."})
    lead.post(f"{address}/outcome", {"outcome": "Author safe and supported by their GP."})
    record = lead.get(address).text
    assert "Phoned the author at 14:05; safe." in record and "Shared crisis lines" in record
    assert "Author safe and supported by their GP." in record and "Closed" in record

    admin = signed_in(make_browser, "admin@example.org")
    assert admin.get(address).status_code == 200
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("case.%"))).all()
    assert sorted(actions) == ["case.close", "case.entry", "case.entry", "case.open"]


def test_a_named_senior_moderator_is_one_of_the_places_to_escalate_to(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    team = make_team(make_browser, db, None)
    senior = db.scalars(select(User).where(User.handle == "mod_alex")).one()
    set_roles(db, senior, team.forum, is_senior=True)
    post_reply(team.sam, team.forum, team.thread_id, CRISIS)
    item = item_of(db, CRISIS)
    form = team.rowan.get(f"/moderation/items/{item.id}/escalate").text
    assert f'value="senior-{senior.id}"' in form and "mod_alex (senior moderator)" in form
    # Only the forum's senior moderators: anyone else is refused.
    refused = team.rowan.post(
        f"/moderation/items/{item.id}/escalate",
        {"queue": f"senior-{team.lead.id}", "reason": REASON},
    )
    assert refused.status_code == 422
    team.rowan.post(
        f"/moderation/items/{item.id}/escalate", {"queue": f"senior-{senior.id}", "reason": REASON}
    )
    db.refresh(item)
    assert item.escalated_to_id == senior.id and item.escalation is None

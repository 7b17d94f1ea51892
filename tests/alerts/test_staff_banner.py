"""Staff see waiting urgent items on every page: a count in the page title and a banner linking
to the Urgent queue (no sound). Members, and moderators of other forums, see neither."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.clock import ManualClock
from app.forums.models import MembershipRole
from app.moderation_queue.models import ReviewQueue
from tests.alerts.test_urgent_alerts import make_team, set_roles
from tests.cases.test_escalation import MEDICAL, signed_in
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of
from tests.moderation_queue.test_review_queue import (
    CRISIS,
    decide,
    item_of,
    post_reply,
    setup_forum,
)


def title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found
    return " ".join(found.group(1).split())


def test_an_urgent_item_shows_in_every_staff_pages_title_and_banner_until_decided(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    elsewhere = member_of(ForumFactory(), MembershipRole.MODERATOR, email="other@example.org")
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    other, admin = make_browser(), make_browser()
    other.sign_in(elsewhere.email)
    admin.sign_in("admin@example.org")
    assert "urgent" not in title(rowan.get("/notifications").text)

    post_reply(sam, forum, thread_id, CRISIS)
    for staff in (rowan, admin):
        for address in ("/notifications", "/account", f"/f/{forum.slug}", "/moderation"):
            page = staff.get(address).text
            assert title(page).startswith("(1 urgent) "), address
            assert "1 urgent item is waiting for a moderator." in page
            assert 'href="/moderation?queue=urgent"' in page
            assert "<audio" not in page  # no sound
    for bystander in (sam, other):
        page = bystander.get("/notifications").text
        assert "urgent" not in title(page) and "urgent-banner" not in page

    assert decide(rowan, item_of(db, CRISIS), "approve").status_code == 200
    page = rowan.get("/notifications").text
    assert "urgent" not in title(page) and "urgent-banner" not in page


def test_an_escalated_item_counts_for_the_people_who_take_it_and_its_claim_lapses_in_a_minute(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    team = make_team(make_browser, db, None)
    clinician = member_of(
        team.forum, MembershipRole.MODERATOR, email="dr@example.org", handle="dr_clinician"
    )
    set_roles(db, clinician, team.forum, clinically_trained=True)
    post_reply(team.sam, team.forum, team.thread_id, MEDICAL)
    item = item_of(db, MEDICAL)
    assert item.queue is not ReviewQueue.URGENT  # held, not urgent: nobody's banner yet
    team.rowan.post(
        f"/moderation/items/{item.id}/escalate",
        {"queue": "clinical", "reason": "Tells people to stop their statins."},
    )
    dr, lead, alex, admin = (
        signed_in(make_browser, address)
        for address in (
            "dr@example.org",
            "lead@example.org",
            "alex@example.org",
            "admin@example.org",
        )
    )
    for taker in (dr, lead, admin):  # the clinical reviewers, the lead (their second tier), admins
        page = taker.get("/notifications").text
        assert title(page).startswith("(1 urgent) ") and 'href="/safeguarding"' in page
    for bystander in (alex, team.rowan):  # moderators without the role: not theirs to act on
        assert "urgent-banner" not in bystander.get("/notifications").text

    # The clinician claims it and walks away: after 60 s idle, the lead can take it over.
    assert dr.post(f"/moderation/items/{item.id}/claim").status_code == 200
    clock.advance(seconds=59)
    assert lead.post(f"/moderation/items/{item.id}/claim?keepalive=true").status_code == 409
    clock.advance(seconds=2)
    assert lead.post(f"/moderation/items/{item.id}/claim?keepalive=true").status_code == 204
    db.refresh(item)
    assert item.claimed_by_id == team.lead.id

"""Safeguarding in Chromium: an admin sets up a forum's urgent alerts (a moderator on call, a
Slack-style webhook, a test alert a real local receiver gets, signed with the secret the page
shows); a moderator escalates an item and the safeguarding lead keeps and prints its record."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.forums.models import Membership, MembershipRole
from app.moderation_queue.models import ReviewItem
from app.posts.models import PostStatus
from tests.alerts.receiver import webhook_receiver
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, PostFactory, UserFactory, member_of
from tests.moderation_queue.test_review_queue import CRISIS

pytestmark = pytest.mark.browser


def test_an_admin_puts_a_moderator_on_call_sets_a_webhook_and_tests_it(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory(name="Living with lupus", slug="lupus")
    member_of(forum, MembershipRole.MODERATOR, handle="mod_rowan")
    UserFactory(email="chair@charity.example", handle="chair", site_role=SiteRole.ADMIN)
    admin = new_page()
    sign_in(admin, live_server, "chair@charity.example")

    admin.goto(f"{live_server.url}/admin")
    admin.get_by_role("link", name="Safeguarding").click()
    admin.get_by_role("heading", name="Safeguarding in Living with lupus").wait_for()
    admin.get_by_text("There is no safeguarding lead").wait_for()
    admin.get_by_label("mod_rowan: On call").check()
    admin.get_by_role("button", name="Save roles").click()
    admin.get_by_text("Saved.").wait_for()
    admin.get_by_text("At once: the moderators on call (mod_rowan).").wait_for()

    with webhook_receiver() as receiver:
        admin.get_by_label("Webhook address").fill(receiver.url)
        admin.get_by_role("button", name="Save alert settings").click()
        admin.get_by_text("Saved.").wait_for()
        secret = admin.locator("code.secret").inner_text()
        assert len(secret) == 64

        admin.get_by_role("button", name="Send a test alert").click()
        admin.get_by_text("A test alert is on its way").wait_for()
        received = receiver.wait_for(1, timeout=10)
        assert received, "the test alert never reached the receiver"
        body = received[0].body
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert received[0].headers["x-harbour-signature"] == expected
        assert "test alert" in json.loads(body)["text"]
        assert "lupus" not in body.decode().lower()

    admin.reload()
    deliveries = admin.locator("#deliveries")
    deliveries.get_by_role("row").filter(has_text="Webhook").get_by_text("Sent").wait_for()
    assert deliveries.get_by_role("row").filter(has_text="chair (email)").count() == 1


def test_a_moderator_escalates_and_the_lead_keeps_and_prints_the_record(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory(name="Living with lupus", slug="lupus")
    author = member_of(forum, handle="sam_writes")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    lead = member_of(forum, MembershipRole.MODERATOR, email="lead@example.org", handle="lead_lee")
    db.execute(
        update(Membership).where(Membership.user_id == lead.id).values(safeguarding_lead=True)
    )
    thread = PostFactory(
        thread__forum=forum, thread__author=author, author=author, is_opening=True
    ).thread
    post = PostFactory(
        thread=thread, author=author, body_source=CRISIS, status=PostStatus.HELD, published_at=None
    )
    item = ReviewItem(
        post_id=post.id,
        forum_id=forum.id,
        queue="urgent",
        priority=100,
        reason_codes=["crisis.intent"],
    )
    db.add(item)
    db.commit()

    rowan = new_page(javascript=False)  # works without JavaScript too
    sign_in(rowan, live_server, "rowan@example.org")
    rowan.goto(f"{live_server.url}/moderation/items/{item.id}")
    rowan.get_by_role("link", name="Escalate…").click()
    assert rowan.get_by_label("Safeguarding leads").is_checked()
    rowan.get_by_label("Why (the person who takes it over reads this first)").fill(
        "Mentions a plan; needs the safeguarding lead today."
    )
    rowan.get_by_role("button", name="Escalate").click()
    rowan.get_by_text("escalated to the safeguarding leads").wait_for()

    lead_page = new_page()
    sign_in(lead_page, live_server, "lead@example.org")
    lead_page.goto(f"{live_server.url}/safeguarding")
    lead_page.get_by_role("link", name=re.compile(r"Case \d+")).click()
    lead_page.get_by_text("Mentions a plan; needs the safeguarding lead today.").wait_for()
    lead_page.get_by_label("Add to the record").select_option("contacted")
    lead_page.get_by_label("What happened (who, what, when)").fill("Phoned the author at 14:05.")
    lead_page.get_by_role("button", name="Add to the record").click()
    lead_page.get_by_text("Phoned the author at 14:05.").wait_for()
    lead_page.get_by_label("Outcome (closes the case)").fill("Safe, supported by their GP.")
    lead_page.get_by_role("button", name="Record the outcome and close").click()
    lead_page.get_by_text("Safe, supported by their GP.").wait_for()

    lead_page.emulate_media(media="print")
    assert lead_page.locator("header.site-header").is_hidden()
    assert lead_page.get_by_role("heading", name=re.compile("Safeguarding record")).is_visible()
    assert lead_page.get_by_text("Phoned the author at 14:05.").is_visible()

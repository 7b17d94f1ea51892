"""An admin sets up a forum's urgent alerts in Chromium: a moderator on call, a Slack-style
webhook, and a test alert that a real local receiver gets, signed with the secret the page shows."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.forums.models import MembershipRole
from tests.alerts.receiver import webhook_receiver
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, UserFactory, member_of

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

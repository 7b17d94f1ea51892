"""An admin sets up a forum in Chromium: joining questions, a referral invite, a moderator, policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_an_admin_sets_up_a_referral_forum_end_to_end(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    UserFactory(email="chair@charity.example", handle="chair", site_role=SiteRole.ADMIN)
    UserFactory(email="nurse@example.org", handle="renal_nurse_ali")
    UserFactory(email="kai@example.org", handle="kidneybean_kai")
    admin = new_page()
    sign_in(admin, live_server, "chair@charity.example")

    # Create an approval-required forum with joining questions.
    admin.goto(f"{live_server.url}/admin")
    admin.get_by_role("link", name="Create a forum").click()
    admin.get_by_label("Name").fill("Young adults with kidney disease (18–30)")
    admin.get_by_label("Address (slug)").fill("kidney-young-adults")
    admin.get_by_label("Who it is for").fill("Young adults with chronic kidney disease")
    admin.get_by_label("How people join").select_option("approval_required")
    admin.get_by_label("Joining questions (one a line, optional)").fill("Do you have chronic kidney disease?")
    admin.get_by_role("button", name="Create forum").click()
    admin.get_by_text("Saved.").wait_for()

    # It cannot open to members before someone moderates it: the console says why.
    admin.get_by_role("button", name="Open to members").click()
    admin.get_by_text("it cannot be opened to members: nobody would see an urgent post").wait_for()

    # Appoint a moderator.
    admin.goto(f"{live_server.url}/admin/people?q=renal")
    admin.get_by_role("link", name="renal_nurse_ali").click()
    role_form = admin.locator("form", has=admin.get_by_role("button", name="Set role"))
    role_form.get_by_label("Forum", exact=True).select_option("kidney-young-adults")
    role_form.get_by_label("Role").select_option("moderator")
    admin.get_by_role("button", name="Set role").click()
    admin.get_by_text("kidney disease (18–30): moderator").wait_for()

    # With a moderator it opens.
    admin.goto(f"{live_server.url}/admin/forums/kidney-young-adults")
    admin.get_by_role("button", name="Open to members").click()
    admin.get_by_text("The forum is open to members.").wait_for()

    # Invite a clinician-referred member by link; the invite lets them straight in.
    admin.goto(f"{live_server.url}/admin/forums/kidney-young-adults/invites")
    admin.get_by_label("Who it is for").fill("Renal clinic referral")
    admin.get_by_role("button", name="Create invite").click()
    link = admin.locator("code.invite-link").first.inner_text()
    member = new_page()
    sign_in(member, live_server, "kai@example.org")
    member.goto(link)
    member.get_by_role("button", name="Join Young adults with kidney disease (18–30)").click()
    member.get_by_text("You have joined this forum").wait_for()
    member.get_by_role("link", name="Start a new thread").click()
    member.get_by_label("Title").fill("Hello from a new member")
    member.get_by_label("Your post").fill("Just started dialysis at 22, glad this forum exists.")
    member.get_by_role("button", name="Post thread").click()
    member.get_by_role("heading", name="Hello from a new member").wait_for()

    # Tighten the thresholds after seeing the preview.
    admin.goto(f"{live_server.url}/admin/forums/kidney-young-adults/policy")
    admin.get_by_label("Insult").fill("0.4")
    admin.get_by_role("button", name="Preview the effect").click()
    admin.get_by_role("heading", name="Preview: the last 30 days under these thresholds").wait_for()
    assert admin.get_by_label("Insult").input_value() == "0.4"
    admin.get_by_role("button", name="Save policy").click()
    admin.get_by_text("Saved. New posts follow this policy from now on.").wait_for()
    assert admin.get_by_label("Insult").input_value() == "0.4"

    # The impact page shows the new forum's activity.
    admin.goto(f"{live_server.url}/admin/impact?forum=kidney-young-adults&days=30")
    card = admin.locator("section.card", has_text="Young adults with kidney disease")
    assert "New threads" in card.inner_text()
    assert card.locator("tr", has_text="New threads").locator("td").inner_text() == "1"
    assert card.locator("tr", has_text="New members").locator("td").inner_text() == "2"

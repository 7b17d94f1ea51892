"""Register → join → post → held → a moderator approves → another member sees it, in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.forums.models import MembershipRole, ModerationMode
from tests.conftest import LiveServer
from tests.factories import PASSWORD, ForumFactory, member_of, thread_with_opening_post
from tests.mail import last_email_to, link_in

pytestmark = pytest.mark.browser

REPLY = "Evening dialysis slots changed everything for me. Ask your unit, and take snacks!"


def sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_new_members_post_is_held_approved_and_then_seen_by_others(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    forum = ForumFactory(
        name="Young adults with kidney disease (18–30)", moderation_mode=ModerationMode.PRE_MODERATE
    )
    kai = member_of(forum, email="kai@example.org", handle="kidneybean_kai")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    thread = thread_with_opening_post(forum, kai, title="Starting haemodialysis next month")
    thread_url = f"{live_server.url}/f/{forum.slug}/t/{thread.id}"

    # A new member registers, joins and replies.
    newcomer = new_page(javascript)
    newcomer.goto(f"{live_server.url}/register")
    newcomer.get_by_label("Handle").fill("river_song")
    newcomer.get_by_label("Email address").fill("river@example.org")
    newcomer.get_by_label("Password").fill("tidal-harbour-42")
    newcomer.get_by_label("I agree to Harbour holding information about my health").check()
    newcomer.get_by_role("button", name="Create account").click()
    newcomer.get_by_role("heading", name="Check your email").wait_for()
    # They open the link in the email, confirm the address, and sign in.
    newcomer.goto(
        live_server.url + link_in(last_email_to(db, "river@example.org"), "/verify-email/")
    )
    newcomer.get_by_role("button", name="Yes, confirm it").click()
    newcomer.get_by_text("your email address is confirmed").wait_for()
    newcomer.get_by_label("Email address").fill("river@example.org")
    newcomer.get_by_label("Password").fill("tidal-harbour-42")
    newcomer.get_by_role("button", name="Sign in").click()
    newcomer.get_by_role("link", name="Young adults with kidney disease (18–30)").click()
    newcomer.get_by_role("button", name="Join this forum").click()
    assert newcomer.get_by_text("You have joined this forum").is_visible()
    newcomer.goto(thread_url)
    newcomer.get_by_label("Your reply").fill(REPLY)
    newcomer.get_by_role("button", name="Post reply").click()

    # It is held: its author sees it marked as awaiting review, in place.
    held = newcomer.locator("article.post--held")
    held.wait_for()
    assert "Awaiting review" in held.inner_text() and "Evening dialysis slots" in held.inner_text()
    if javascript:
        assert newcomer.url == thread_url  # htmx swapped the reply in without a reload
        assert newcomer.get_by_label("Your reply").input_value() == ""

    # Another member cannot see it yet.
    reader = new_page(javascript)
    sign_in(reader, live_server, "kai@example.org")
    reader.goto(thread_url)
    assert reader.get_by_text("Evening dialysis slots").count() == 0

    # A moderator approves it.
    moderator = new_page(javascript)
    sign_in(moderator, live_server, "rowan@example.org")
    moderator.goto(f"{live_server.url}/moderation")
    moderator.get_by_role("link", name="Reply by river_song").click()
    card = moderator.locator("article.item-card", has_text="Evening dialysis slots")
    card.get_by_role("button", name="Approve", exact=True).click()
    moderator.get_by_text("Approved.").wait_for()

    # Now the other member sees it, by its author.
    reader.reload()
    published = reader.locator("article.post", has_text="Evening dialysis slots")
    assert published.count() == 1 and "river_song" in published.inner_text()
    assert "Awaiting review" not in published.inner_text()

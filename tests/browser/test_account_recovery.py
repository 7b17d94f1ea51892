"""Password reset and email confirmation as a person does them in Chromium, reading the links
from the email outbox: the way through, and the links that must not work (expired, used)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.accounts.models import AccountToken, TokenPurpose
from app.db import utcnow
from tests.browser.test_accessibility import violations
from tests.conftest import LiveServer
from tests.factories import PASSWORD, ForumFactory, UserFactory, member_of, thread_with_opening_post
from tests.mail import last_email_to, link_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lighthouse-keeper-at-dawn"
REPLY = "Glucose tablets on the bedside table have saved me more than once."


def ask_for_reset_link(page: Any, base: str, db: Session, email: str) -> str:
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    page.get_by_text("It can take a few minutes to arrive").wait_for()
    return link_in(last_email_to(db, email), "/password/reset/")


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_forgotten_password_is_reset_from_the_emailed_link_once(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    UserFactory(email="kai@example.org")
    base = live_server.url
    page = new_page(javascript)
    link = ask_for_reset_link(page, base, db, "kai@example.org")
    problems = violations(page) if javascript else []  # axe runs as a script
    page.goto(base + link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    problems += violations(page) if javascript else []
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_url(f"{base}/?notice=password_reset")
    assert page.get_by_role("button", name="Sign out").is_visible()  # signed in
    assert problems == []

    # The link worked once: opened again (say, from a forwarded email) it does nothing.
    intruder = new_page(javascript)
    intruder.goto(base + link)
    intruder.get_by_role("heading", name="This reset link no longer works").wait_for()
    assert intruder.get_by_label("New password").count() == 0
    # The old password is gone, the new one works.
    sign_in(intruder, base, "kai@example.org", PASSWORD)
    assert intruder.get_by_text("don't match an account").first.is_visible()
    sign_in(intruder, base, "kai@example.org", NEW_PASSWORD)
    intruder.wait_for_url(f"{base}/")


def test_a_reset_link_older_than_30_minutes_is_refused(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    UserFactory(email="kai@example.org")
    base = live_server.url
    page = new_page()
    link = ask_for_reset_link(page, base, db, "kai@example.org")
    page.goto(base + link)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    # The page was left open past the link's 30 minutes (the server keeps its own time, so
    # the link's expiry is moved back instead).
    db.execute(
        update(AccountToken)
        .where(AccountToken.purpose == TokenPurpose.PASSWORD_RESET)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.commit()
    page.get_by_role("button", name="Save my new password").click()
    page.get_by_role("heading", name="This reset link no longer works").wait_for()
    page.get_by_role("link", name="Ask for a new password reset link").click()
    page.get_by_role("heading", name="Reset your password").wait_for()
    sign_in(page, base, "kai@example.org", NEW_PASSWORD)
    assert page.get_by_text("don't match an account").first.is_visible()  # nothing was changed


def test_a_new_members_post_waits_until_they_confirm_their_address_then_is_published(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory(name="Type 1 diabetes, newly diagnosed")
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai, title="Night-time hypos")
    thread_url = f"{live_server.url}/f/{forum.slug}/t/{thread.id}"
    base = live_server.url

    newcomer = new_page()
    newcomer.goto(f"{base}/register")
    newcomer.get_by_label("Handle").fill("river_song")
    newcomer.get_by_label("Email address").fill("river@example.org")
    newcomer.get_by_label("Password").fill("tidal-harbour-42")
    newcomer.get_by_label("I agree to Harbour holding information about my health").check()
    newcomer.get_by_role("button", name="Create account").click()
    newcomer.get_by_role("heading", name="Check your email").wait_for()
    # They sign in before opening the email, join and reply: the reply waits for them.
    sign_in(newcomer, base, "river@example.org", "tidal-harbour-42")
    newcomer.wait_for_url(f"{base}/")
    newcomer.get_by_role("link", name="Type 1 diabetes, newly diagnosed").click()
    newcomer.get_by_role("button", name="Join this forum").click()
    newcomer.goto(thread_url)
    newcomer.get_by_label("Your reply").fill(REPLY)
    newcomer.get_by_role("button", name="Post reply").click()
    newcomer.get_by_text("Waiting for you to confirm your email address.").wait_for()
    problems = violations(newcomer)

    reader = new_page()
    sign_in(reader, base, "kai@example.org", PASSWORD)
    reader.wait_for_url(f"{base}/")
    reader.goto(thread_url)
    assert reader.get_by_text("Glucose tablets on the bedside table").count() == 0

    # The link in the email confirms the address; the waiting reply is published.
    link = link_in(last_email_to(db, "river@example.org"), "/verify-email/")
    newcomer.goto(base + link)
    problems += violations(newcomer)
    newcomer.get_by_role("button", name="Yes, confirm it").click()
    newcomer.get_by_text("Thank you: your email address is confirmed.").wait_for()
    reader.reload()
    assert reader.get_by_text("Glucose tablets on the bedside table").is_visible()
    newcomer.goto(thread_url)
    assert newcomer.get_by_text("Waiting for you to confirm your email address.").count() == 0

    # The link has done its work: opened again, it says so and changes nothing.
    newcomer.goto(base + link)
    newcomer.get_by_role("heading", name="This confirmation link no longer works").wait_for()
    assert problems == []

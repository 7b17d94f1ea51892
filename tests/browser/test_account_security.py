"""Two-factor sign-in and consent, as a person does them in Chromium, with axe checking the new
pages (WCAG 2.2 AA) under the real CSP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from tests.browser.test_accessibility import violations
from tests.conftest import LiveServer
from tests.factories import PASSWORD, ForumFactory, UserFactory, member_of
from tests.mail import last_email_to, link_in

pytestmark = pytest.mark.browser


def test_a_member_sets_up_two_factor_sign_in_and_signs_in_with_a_code(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    UserFactory(email="kai@example.org")
    base = live_server.url
    page = new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill("kai@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/account")
    page.get_by_role("link", name="Two-factor sign-in").click()
    qr = page.get_by_role("img", name="QR code for setting up Harbour")
    assert qr.evaluate("img => img.naturalWidth") > 0  # drawn, and allowed by the CSP
    problems = violations(page)
    secret = page.locator("code.secret-key").inner_text().replace(" ", "")
    set_up_at = datetime.now(UTC)
    set_up_code = pyotp.TOTP(secret).at(set_up_at)
    page.get_by_label("Code from the app").fill(set_up_code)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    problems += violations(page)
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved my codes").click()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill("kai@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your sign-in code").wait_for()
    problems += violations(page)
    page.get_by_label("Sign-in code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("That code is not right").is_visible()
    # The code that turned it on, seen over a shoulder: refused within its window too.
    page.get_by_label("Sign-in code").fill(set_up_code)
    page.get_by_role("button", name="Sign in").click()
    totp = pyotp.TOTP(secret)
    if totp.timecode(datetime.now(UTC)) - totp.timecode(set_up_at) <= 1:  # still in its window
        assert page.get_by_text("That code has been used already").is_visible()
    else:  # a slow machine: the window has passed, so it is simply wrong now
        assert page.get_by_text("That code is not right").is_visible()
    # The code the app shows next (the one used to set up was this step's, and works once).
    upcoming = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    page.get_by_label("Sign-in code").fill(upcoming)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert problems == []


def test_consent_is_asked_at_sign_up_and_of_members_from_before(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    base = live_server.url
    page = new_page(javascript=False)
    page.goto(f"{base}/register")
    page.get_by_label("Handle").fill("river_song")
    page.get_by_label("Email address").fill("river@example.org")
    page.get_by_label("Password").fill("tidal-harbour-42")
    page.get_by_role("button", name="Create account").click()
    # Not ticked: refused, nothing lost but the password.
    assert page.get_by_text("Tick the box to agree").first.is_visible()
    assert page.get_by_label("Handle").input_value() == "river_song"
    page.get_by_label("Password").fill("tidal-harbour-42")
    page.get_by_label("I agree to Harbour holding information about my health").check()
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    river = db.scalars(select(User).where(User.handle == "river_song")).one()
    assert river.consented_at is not None
    assert "/verify-email/" in link_in(last_email_to(db, "river@example.org"), "/verify-email/")

    # A member from before consent was asked: asked at sign-in, before anything else.
    forum = ForumFactory(slug="kidney", guidelines="Be kind. **No medical advice.**")
    member_of(forum, email="kai@example.org", consented_at=None)
    other = new_page()
    other.goto(f"{base}/login")
    other.get_by_label("Email address").fill("kai@example.org")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.get_by_role("heading", name="Your consent").wait_for()
    problems = violations(other)
    other.get_by_role("button", name="Continue").click()
    assert other.get_by_text("Tick the box to say you agree").is_visible()
    other.get_by_label("I agree to Harbour holding information about my health").check()
    other.get_by_role("button", name="Continue").click()
    other.wait_for_url(f"{base}/")
    for url in (
        "/privacy",
        "/account/consent",
        "/account/consent/withdraw",
        "/f/kidney/guidelines",
    ):
        other.goto(base + url)
        problems += [f"{url} -> {v}" for v in violations(other)]
    assert problems == []


def test_an_invite_link_carries_a_newcomer_through_sign_up_to_the_forum(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    from app.admin.service import create_invite
    from app.forums.models import JoinPolicy

    forum = ForumFactory(
        name="Renal clinic group", slug="renal-clinic", join_policy=JoinPolicy.INVITE_ONLY
    )
    admin = UserFactory(email="chair@example.org")
    invite = create_invite(db, forum, admin, note="Renal clinic", max_uses=5, days=30)
    db.commit()
    base = live_server.url
    page = new_page()
    page.goto(f"{base}/invite/{invite.code}")
    page.get_by_role("heading", name="You're invited to Renal clinic group").wait_for()
    problems = violations(page)
    page.locator("#main").get_by_role("link", name="Create an account").click()
    page.get_by_label("Handle").fill("river_song")
    page.get_by_label("Email address").fill("river@example.org")
    page.get_by_label("Password").fill("tidal-harbour-42")
    page.get_by_label("I agree to Harbour holding information about my health").check()
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(base + link_in(last_email_to(db, "river@example.org"), "/verify-email/"))
    page.get_by_role("button", name="Yes, confirm it").click()
    page.get_by_label("Email address").fill("river@example.org")
    page.get_by_label("Password").fill("tidal-harbour-42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/invite/{invite.code}")
    page.get_by_role("button", name="Join Renal clinic group").click()
    page.wait_for_url(f"{base}/f/renal-clinic?notice=joined")
    assert page.get_by_text("You have joined this forum").is_visible()
    assert problems == []


def test_someone_under_the_age_band_and_a_withdrawn_invite_are_turned_away_kindly(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    from app.accounts.models import SiteRole
    from app.admin.service import create_invite
    from app.forums.models import JoinPolicy, Membership

    ForumFactory(
        name="Young adults with kidney disease",
        slug="kidney-young-adults",
        age_min=18,
        age_max=30,
        eligibility_questions=["I live with chronic kidney disease"],
        ineligible_message="",
    )
    clinic = ForumFactory(
        name="Renal clinic group", slug="renal-clinic", join_policy=JoinPolicy.INVITE_ONLY
    )
    chair = UserFactory(email="chair@example.org", site_role=SiteRole.ADMIN)
    invite = create_invite(db, clinic, chair, note="Renal clinic", max_uses=5, days=30)
    teen = UserFactory(email="teen@example.org")
    db.commit()
    base = live_server.url

    page = new_page(javascript=False)
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill("teen@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/f/kidney-young-adults")
    page.get_by_label("Under 18").check()
    page.get_by_label("I live with chronic kidney disease").check()
    page.get_by_role("button", name="Join this forum").click()
    page.get_by_role("heading", name="Thank you for your interest").wait_for()
    assert page.locator('a[href="tel:116123"]').count() >= 1  # Childline, a tap away
    assert db.scalar(select(Membership).where(Membership.user_id == teen.id)) is None

    # The admin withdraws the clinic's invite; the link stops working at once.
    admin = new_page()
    admin.goto(f"{base}/login")
    admin.get_by_label("Email address").fill("chair@example.org")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(f"{base}/")
    admin.goto(f"{base}/admin/forums/renal-clinic/invites")
    admin.get_by_role("button", name="Withdraw the invite for Renal clinic").click()
    admin.get_by_text("Withdrawn").first.wait_for()
    page.goto(f"{base}/invite/{invite.code}")
    page.get_by_text("This invite link no longer works").wait_for()
    assert page.get_by_role("button", name="Join Renal clinic group").count() == 0
    admin.goto(f"{base}/invite/{invite.code}")
    assert violations(admin) == []

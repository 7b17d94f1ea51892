"""Confirming it's you before export, deletion and changes of email or password; the devices page."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.clock import ManualClock
from tests.conftest import Browser
from tests.factories import PASSWORD, UserFactory
from tests.mail import emails_to, last_email_to, link_in

PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"


def test_signing_in_counts_as_confirming_for_a_few_minutes(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    assert browser.get("/account/export.json").status_code == 200
    clock.advance(minutes=11)
    asked = browser.get("/account/export.json", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/account/confirm?next=/account/export.json"


def test_the_password_is_asked_again_then_the_page_opens(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    clock.advance(minutes=30)
    wrong = browser.post(
        "/account/confirm", {"password": "not-my-password", "next": "/account/email-address"}
    )
    assert wrong.status_code == 401 and "That password is not right" in wrong.text
    right = browser.post(
        "/account/confirm",
        {"password": PASSWORD, "next": "/account/email-address"},
        follow_redirects=False,
    )
    assert right.headers["location"] == "/account/email-address"
    assert "Change your email address" in browser.get("/account/email-address").text


def test_a_stale_form_changes_nothing_and_says_why(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    kai = UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    clock.advance(minutes=11)
    refused = browser.post("/account/delete", {"posts": "keep", "confirm": "delete my account"})
    assert refused.status_code == 403 and "confirm it&#39;s you" in refused.text.lower()
    assert 'href="/account/confirm?next=/account/delete"' in refused.text
    db.refresh(kai)
    assert kai.deleted_at is None


def test_changing_email_confirms_the_new_address_and_tells_the_old_one(
    browser: Browser, db: Session
) -> None:
    kai = UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    sent = browser.post("/account/email-address", {"email": "kai.new@example.org"})
    assert sent.status_code == 200 and "Your address stays kai@example.org" in sent.text
    told = last_email_to(db, "kai@example.org")
    assert told.subject == "Your Harbour email address is being changed"
    assert "k******@example.org" in told.body and "kai.new@" not in told.body
    db.refresh(kai)
    assert kai.email == "kai@example.org"
    browser.post(link_in(last_email_to(db, "kai.new@example.org"), "/verify-email/"))
    db.refresh(kai)
    assert kai.email == "kai.new@example.org"
    browser.post("/logout")
    browser.sign_in("kai.new@example.org")


def test_moving_to_an_address_in_use_looks_the_same_and_changes_nothing(
    browser: Browser, db: Session
) -> None:
    kai = UserFactory(email="kai@example.org")
    UserFactory(email="sam@example.org")
    browser.sign_in("kai@example.org")
    free = browser.post("/account/email-address", {"email": "free@example.org"})
    taken = browser.post("/account/email-address", {"email": "sam@example.org"})
    assert free.status_code == taken.status_code == 200
    assert free.text.replace("free@", "X@") == taken.text.replace("sam@", "X@")
    assert "an account already uses it" in last_email_to(db, "sam@example.org").body
    db.refresh(kai)
    assert kai.email == "kai@example.org"


def test_changing_the_password_signs_out_every_other_device(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    UserFactory(email="kai@example.org")
    phone, laptop = make_browser(), make_browser()
    phone.sign_in("kai@example.org")
    laptop.sign_in("kai@example.org")
    done = laptop.post("/account/password", {"password": "a-brand-new-lighthouse"})
    assert "every other device has been signed out" in done.text
    assert laptop.get("/account", follow_redirects=False).status_code == 200
    assert phone.get("/account", follow_redirects=False).status_code == 303
    assert last_email_to(db, "kai@example.org").subject == "Your Harbour password was changed"


def test_the_sessions_page_lists_devices_and_signs_out_others(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    UserFactory(email="kai@example.org")
    phone, laptop = make_browser(), make_browser()
    phone.client.headers["user-agent"] = PHONE
    laptop.client.headers["user-agent"] = LAPTOP
    phone.sign_in("kai@example.org")
    laptop.sign_in("kai@example.org")
    page = laptop.get("/account/sessions").text
    assert "Chrome, Android (Pixel 8)" in page and "Firefox, Windows" in page
    assert page.count("This device") == 1 and "Sign out everywhere else" in page
    done = laptop.post("/account/sessions/end-others")
    assert "Every other device has been signed out" in done.text
    assert phone.get("/account", follow_redirects=False).status_code == 303
    assert laptop.get("/account", follow_redirects=False).status_code == 200


def test_one_device_can_be_signed_out_but_not_someone_elses(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    UserFactory(email="kai@example.org")
    UserFactory(email="sam@example.org")
    phone, laptop, sam = make_browser(), make_browser(), make_browser()
    phone.sign_in("kai@example.org")  # session 1
    laptop.sign_in("kai@example.org")  # session 2
    sam.sign_in("sam@example.org")  # session 3
    assert sam.post("/account/sessions/1/end").status_code == 404
    assert phone.get("/account", follow_redirects=False).status_code == 200
    laptop.post("/account/sessions/1/end")
    assert phone.get("/account", follow_redirects=False).status_code == 303


def test_an_unconfirmed_member_can_fix_a_mistyped_address(browser: Browser, db: Session) -> None:
    browser.post(
        "/register",
        {
            "handle": "river_song",
            "email": "river@exmaple.org",
            "password": "tidal-harbour-42",
            "consent": "yes",
        },
    )
    browser.sign_in("river@exmaple.org", "tidal-harbour-42")
    browser.post("/account/email-address", {"email": "river@example.org"})
    assert emails_to(db, "river@exmaple.org")[-1].subject != (
        "Your Harbour email address is being changed"  # the mistyped address isn't theirs
    )
    browser.post(link_in(last_email_to(db, "river@example.org"), "/verify-email/"))
    user = db.query(User).filter_by(handle="river_song").one()
    assert user.email == "river@example.org" and user.email_verified_at is not None

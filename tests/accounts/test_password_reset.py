"""Password reset by email: a single-use link that lasts 30 minutes and ends every other session."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountToken
from app.clock import ManualClock
from tests.conftest import Browser
from tests.factories import PASSWORD, UserFactory
from tests.mail import emails_to, last_email_to, link_in
from tests.timing import assert_answer_times_match

NEW_PASSWORD = "lighthouse-keeper-at-dawn"


def ask_for_link(browser: Browser, email: str):  # type: ignore[no-untyped-def]
    return browser.post("/password/forgot", {"email": email})


def reset_link(browser: Browser, db: Session, email: str) -> str:
    assert ask_for_link(browser, email).status_code == 200
    return link_in(last_email_to(db, email), "/password/reset/")


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org")
    link = reset_link(browser, db, "kai@example.org")
    assert "Choose a new password" in browser.get(link).text
    done = browser.post(link, {"password": NEW_PASSWORD}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/?notice=password_reset"
    assert "every other device has been signed out" in browser.get(done.headers["location"]).text
    other = Browser(browser.client)
    browser.post("/logout")
    assert (
        other.post("/login", {"email": "kai@example.org", "password": PASSWORD}).status_code == 401
    )
    other.sign_in("kai@example.org", NEW_PASSWORD)
    notice = last_email_to(db, "kai@example.org")
    assert notice.subject == "Your Harbour password was changed"


def test_only_a_keyed_hash_of_the_link_is_stored(browser: Browser, db: Session) -> None:
    UserFactory(email="kai@example.org")
    link = reset_link(browser, db, "kai@example.org")
    token = link.rsplit("/", 1)[1]
    (stored,) = db.scalars(select(AccountToken.token_hash)).all()
    assert token not in stored and len(stored) == 64


def test_the_link_expires_after_30_minutes(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org")
    link = reset_link(browser, db, "kai@example.org")
    clock.advance(minutes=29)
    assert browser.get(link).status_code == 200
    clock.advance(minutes=2)
    expired = browser.post(link, {"password": NEW_PASSWORD})
    assert expired.status_code == 410 and "This reset link no longer works" in expired.text
    assert (
        browser.post("/login", {"email": "kai@example.org", "password": NEW_PASSWORD}).status_code
        == 401
    )


def test_the_link_works_once(make_browser: Callable[[], Browser], db: Session) -> None:
    UserFactory(email="kai@example.org")
    kai = make_browser()
    link = reset_link(kai, db, "kai@example.org")
    assert kai.post(link, {"password": NEW_PASSWORD}, follow_redirects=False).status_code == 303
    intruder = make_browser()
    assert intruder.get(link).status_code == 410
    replay = intruder.post(link, {"password": "an-intruders-password-9"})
    assert replay.status_code == 410
    attempt = {"email": "kai@example.org", "password": "an-intruders-password-9"}
    assert intruder.post("/login", attempt).status_code == 401


def test_only_the_newest_link_works(browser: Browser, db: Session) -> None:
    UserFactory(email="kai@example.org")
    older = reset_link(browser, db, "kai@example.org")
    newer = reset_link(browser, db, "kai@example.org")
    assert browser.get(older).status_code == 410
    assert browser.get(newer).status_code == 200


def test_a_weak_new_password_is_refused_and_the_link_still_works(
    browser: Browser, db: Session
) -> None:
    UserFactory(email="kai@example.org")
    link = reset_link(browser, db, "kai@example.org")
    refused = browser.post(link, {"password": "password123"})
    assert refused.status_code == 422 and "most common" in refused.text
    assert browser.post(link, {"password": NEW_PASSWORD}, follow_redirects=False).status_code == 303


def test_resetting_signs_out_every_other_device(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    UserFactory(email="kai@example.org")
    lost_phone = make_browser()
    lost_phone.sign_in("kai@example.org")
    assert lost_phone.get("/account", follow_redirects=False).status_code == 200
    laptop = make_browser()
    laptop.post(reset_link(laptop, db, "kai@example.org"), {"password": NEW_PASSWORD})
    assert lost_phone.get("/account", follow_redirects=False).status_code == 303
    assert laptop.get("/account", follow_redirects=False).status_code == 200


def test_the_answer_is_the_same_for_a_registered_and_an_unknown_address(
    browser: Browser, db: Session
) -> None:
    UserFactory(email="kai@example.org")
    known = ask_for_link(browser, "kai@example.org")
    unknown = ask_for_link(browser, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("kai@", "ADDRESS@") == unknown.text.replace("nobody@", "ADDRESS@")
    assert known.headers.get("set-cookie") == unknown.headers.get("set-cookie")
    # Both addresses get an email, so the work done is the same too; only one holds a link.
    assert "/password/reset/" in last_email_to(db, "kai@example.org").body
    told = last_email_to(db, "nobody@example.org")
    assert "no Harbour account uses it" in told.body and "/password/reset/" not in told.body


def test_answering_takes_as_long_for_a_registered_address_as_for_an_unknown_one(
    app: FastAPI, browser: Browser, db: Session
) -> None:
    for n in range(20):
        UserFactory(email=f"member{n}@example.org")

    def known(n: int) -> None:
        assert ask_for_link(browser, f"member{n % 20}@example.org").status_code == 200

    def unknown(n: int) -> None:
        assert ask_for_link(browser, f"stranger{n}@example.org").status_code == 200

    assert_answer_times_match(app, known, unknown)


def test_asking_is_limited_per_address_and_per_network(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    visitor = make_browser()
    statuses = [ask_for_link(visitor, "kai@example.org").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(emails_to(db, "kai@example.org")) == 3
    statuses = [ask_for_link(visitor, f"p{n}@example.org").status_code for n in range(7)]
    assert statuses[:6] == [200] * 6 and statuses[6] == 429  # ten from one network in an hour


def test_a_mistyped_address_is_explained(browser: Browser) -> None:
    response = ask_for_link(browser, "kai.example.org")
    assert response.status_code == 422 and "like name@example.org" in response.text


def test_the_sign_in_page_offers_a_reset(browser: Browser) -> None:
    assert 'href="/password/forgot"' in browser.get("/login").text


def test_resetting_through_the_link_also_confirms_the_address(
    browser: Browser, db: Session
) -> None:
    kai = UserFactory(email="kai@example.org", email_verified_at=None)
    browser.post(reset_link(browser, db, "kai@example.org"), {"password": NEW_PASSWORD})
    db.refresh(kai)
    assert kai.email_verified_at is not None

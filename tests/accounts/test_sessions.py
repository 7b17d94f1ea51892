"""Signing in and out: server-side sessions that can be revoked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import UserSession
from app.db import utcnow
from app.security import SESSION_COOKIE
from tests.conftest import Browser
from tests.factories import PASSWORD, UserFactory
from tests.mail import last_email_to


def test_signing_in_sets_an_httponly_lax_session_cookie(browser: Browser, db: Session) -> None:
    UserFactory(email="kai@example.org")
    response = browser.post(
        "/login",
        {"email": "kai@example.org", "password": "correct horse battery staple"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; Secure is set over HTTPS


def test_only_a_hash_of_the_session_token_is_stored(browser: Browser, db: Session) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    token = browser.client.cookies[SESSION_COOKIE]
    stored = db.scalars(select(UserSession.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_a_wrong_email_and_a_wrong_password_get_the_same_message(
    browser: Browser, db: Session
) -> None:
    UserFactory(email="kai@example.org")
    wrong_password = browser.post(
        "/login", {"email": "kai@example.org", "password": "nope-nope-nope"}
    )
    wrong_email = browser.post(
        "/login", {"email": "nobody@example.org", "password": "nope-nope-nope"}
    )
    assert wrong_password.status_code == wrong_email.status_code == 401
    message = "match an account. Check both and try again."
    assert message in wrong_password.text and message in wrong_email.text


def test_wrong_passwords_slow_that_address_down_without_locking_the_owner_out(
    app: FastAPI, db: Session
) -> None:
    UserFactory(email="kai@example.org")
    attacker = Browser(TestClient(app, client=("203.0.113.9", 4000)))
    owner = Browser(TestClient(app, client=("198.51.100.7", 5000)))
    guesses = [
        attacker.post("/login", {"email": "kai@example.org", "password": f"guess-{i}"})
        for i in range(7)
    ]
    assert [g.status_code for g in guesses[:6]] == [401] * 6  # five free, the sixth starts a wait
    throttled = guesses[6]
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "1"
    assert "Too many wrong passwords" in throttled.text and "kai@example.org" in throttled.text
    # Even the right password waits from there; from the owner's own address it just works.
    assert (
        attacker.post("/login", {"email": "kai@example.org", "password": PASSWORD}).status_code
        == 429
    )
    owner.sign_in("kai@example.org")


def test_a_throttled_sign_in_still_offers_a_reset_link_that_works(
    app: FastAPI, db: Session
) -> None:
    UserFactory(email="kai@example.org")
    kai = Browser(TestClient(app, client=("203.0.113.9", 4000)))
    for i in range(7):
        throttled = kai.post("/login", {"email": "kai@example.org", "password": f"guess-{i}"})
    assert throttled.status_code == 429 and 'href="/password/forgot"' in throttled.text
    # Forgetting the password is what locks people out: the reset is not behind the wait.
    assert kai.post("/password/forgot", {"email": "kai@example.org"}).status_code == 200
    assert "/password/reset/" in last_email_to(db, "kai@example.org").body


def test_the_wait_grows_with_each_wrong_password(app: FastAPI) -> None:
    limiter = app.state.limiter
    pair = ("login", "kai@example.org", "203.0.113.9")
    waits = []
    for _ in range(9):
        limiter.failed(*pair, free=5, longest=900)
        waits.append(limiter.wait_left(*pair))
    assert waits == [0] * 5 + [1, 2, 4, 8]
    limiter.succeeded(*pair)
    assert limiter.wait_left(*pair) == 0


def test_login_is_throttled_per_network(make_browser: Callable[[], Browser], db: Session) -> None:
    visitor = make_browser()
    statuses = [
        visitor.post(
            "/login", {"email": f"person{i}@example.org", "password": "whatever-123"}
        ).status_code
        for i in range(31)
    ]
    assert statuses[-1] == 429 and set(statuses[:30]) == {401}


def test_signing_out_revokes_the_session_on_the_server(browser: Browser, db: Session) -> None:
    UserFactory(email="kai@example.org", handle="kai")
    browser.sign_in("kai@example.org")
    stolen_token = browser.client.cookies[SESSION_COOKIE]
    browser.post("/logout")
    browser.client.cookies.set(SESSION_COOKIE, stolen_token)  # a copy of the cookie is useless now
    response = browser.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_signing_out_everywhere_ends_every_device(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    UserFactory(email="kai@example.org")
    phone, laptop = make_browser(), make_browser()
    phone.sign_in("kai@example.org")
    laptop.sign_in("kai@example.org")
    assert "2 devices" in phone.get("/account").text
    laptop.post("/logout-everywhere")
    assert phone.get("/account", follow_redirects=False).status_code == 303


def test_an_idle_session_expires_and_the_member_is_told(browser: Browser, db: Session) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    db.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=8)))
    db.commit()
    response = browser.get("/account", follow_redirects=False)
    assert response.headers["location"] == "/login?expired=1&next=/account"
    assert "Your session has expired" in browser.get(response.headers["location"]).text


def test_a_session_ends_at_its_absolute_expiry_even_when_active(
    browser: Browser, db: Session
) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    db.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert browser.get("/account", follow_redirects=False).status_code == 303


def test_sign_in_only_redirects_within_the_site(browser: Browser, db: Session) -> None:
    UserFactory(email="kai@example.org")
    response = browser.post(
        "/login",
        {
            "email": "kai@example.org",
            "password": "correct horse battery staple",
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"

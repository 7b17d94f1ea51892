"""Registering an account."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.security import SESSION_COOKIE
from tests.conftest import Browser
from tests.factories import UserFactory
from tests.mail import last_email_to
from tests.timing import assert_answer_times_match, production_password_cost


def register(browser: Browser, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "handle": "river_song",
        "email": "river@example.org",
        "password": "tidal-harbour-42",
        "consent": "yes",
    }
    data.update(fields)
    return browser.post("/register", data, follow_redirects=False)


def test_a_new_member_registers_and_is_asked_to_confirm_their_address(
    browser: Browser, db: Session
) -> None:
    response = register(browser)
    assert response.status_code == 200
    assert "Check your email" in response.text and "river@example.org" in response.text
    user = db.scalar(select(User).where(User.email == "river@example.org"))
    assert user is not None and user.handle == "river_song" and user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")
    assert SESSION_COOKIE not in browser.client.cookies  # signed in only once they sign in
    mail = last_email_to(db, "river@example.org")
    assert (
        mail.subject == "Confirm your email address for Harbour" and "/verify-email/" in mail.body
    )


def test_the_password_is_never_stored_in_clear(browser: Browser, db: Session) -> None:
    register(browser)
    user = db.scalar(select(User).where(User.handle == "river_song"))
    assert user is not None and "tidal-harbour-42" not in user.password_hash


def test_a_common_password_is_refused_with_a_reason(browser: Browser) -> None:
    response = register(browser, password="password123")
    assert response.status_code == 422
    assert "most common" in response.text


def test_a_short_or_overlong_password_is_refused(browser: Browser) -> None:
    assert "at least 8" in register(browser, password="kidney1").text
    assert "at most 128" in register(browser, password="x" * 129 + "y").text


def test_a_taken_handle_is_refused_whatever_its_case(browser: Browser, db: Session) -> None:
    UserFactory(handle="River_Song")
    response = register(browser, handle="river_song")
    assert response.status_code == 422
    assert "That handle is taken" in response.text


def test_an_address_already_registered_gets_the_same_answer_and_its_owner_is_told(
    browser: Browser, db: Session
) -> None:
    UserFactory(email="taken@example.org")
    new = register(browser, email="River@Example.org")
    taken = register(browser, handle="someone_else", email="Taken@Example.org")
    assert new.status_code == taken.status_code == 200
    assert new.text.replace("river@", "ADDRESS@") == taken.text.replace("taken@", "ADDRESS@")
    assert db.scalar(select(User).where(User.handle == "someone_else")) is None
    told = last_email_to(db, "taken@example.org")
    assert "you already have one" in told.body and "/verify-email/" not in told.body


def test_registering_takes_as_long_with_a_registered_address_as_with_a_new_one(
    app: FastAPI, browser: Browser, db: Session
) -> None:
    for n in range(20):
        UserFactory(email=f"member{n}@example.org")

    def taken(n: int) -> None:
        email = f"member{n % 20}@example.org"
        assert register(browser, handle=f"taken_{n + 1}", email=email).status_code == 200

    def new(n: int) -> None:
        assert (
            register(browser, handle=f"new_{n + 1}", email=f"new{n}@example.org").status_code == 200
        )

    with production_password_cost():
        assert_answer_times_match(app, taken, new, rounds=6)


def test_errors_keep_what_was_typed_except_the_password(browser: Browser) -> None:
    response = register(browser, email="not-an-email")
    assert response.status_code == 422
    assert 'value="river_song"' in response.text
    assert "tidal-harbour-42" not in response.text
    assert 'aria-invalid="true"' in response.text


def test_the_same_visible_email_in_another_unicode_form_is_the_same_account(
    browser: Browser, db: Session
) -> None:
    composed, decomposed = "zo\u00eb@example.org", "zoe\u0308@example.org"  # NFC and NFD
    assert register(browser, email=composed).status_code == 200
    again = register(browser, handle="zoe_two", email=decomposed.upper())
    assert again.status_code == 200  # the same answer as a new address: nothing to enumerate
    assert len(db.scalars(select(User)).all()) == 1
    assert "tried to create a Harbour account" in last_email_to(db, composed).body
    browser.sign_in(decomposed, "tidal-harbour-42")  # signs in whichever way it is typed


def test_handles_that_could_pass_as_someone_else_are_refused_with_a_reason(
    browser: Browser, db: Session
) -> None:
    UserFactory(handle="sam")
    cases = {
        "\uff53\uff41\uff4d": "That handle is taken",  # full-width letters fold to "sam"
        "sa\u200dm": "invisible or formatting characters",  # a zero-width joiner
        "\u202emas": "invisible or formatting characters",  # a right-to-left override
        "\u0455am": "look-alike letter",  # a Cyrillic letter that looks like "s"
    }
    for handle, reason in cases.items():
        response = register(browser, handle=handle, email=f"x{ord(handle[1])}@example.org")
        assert response.status_code == 422 and reason in response.text, handle
    assert len(db.scalars(select(User)).all()) == 1

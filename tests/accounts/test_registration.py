"""Registering an account."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from tests.conftest import Browser
from tests.factories import UserFactory


def register(browser: Browser, **fields: str):  # type: ignore[no-untyped-def]
    data = {"handle": "river_song", "email": "river@example.org", "password": "tidal-harbour-42"}
    data.update(fields)
    return browser.post("/register", data, follow_redirects=False)


def test_a_new_member_registers_and_is_signed_in(browser: Browser, db: Session) -> None:
    response = register(browser)
    assert response.status_code == 303
    home = browser.get(response.headers["location"])
    assert "river_song" in home.text
    user = db.scalar(select(User).where(User.email == "river@example.org"))
    assert user is not None and user.handle == "river_song"
    assert user.password_hash.startswith("$argon2id$")


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


def test_an_email_already_registered_is_refused(browser: Browser, db: Session) -> None:
    UserFactory(email="river@example.org")
    response = register(browser, email="River@Example.org")
    assert response.status_code == 422
    assert "already exists" in response.text


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
    assert register(browser, email=composed).status_code == 303
    browser.post("/logout")
    again = register(browser, handle="zoe_two", email=decomposed.upper())
    assert again.status_code == 422 and "already exists" in again.text
    assert len(db.scalars(select(User)).all()) == 1
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

"""Two-factor sign-in: codes from an authenticator app (TOTP) and one-time recovery codes;
required of moderators and admins where the setting says so, optional for members."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import two_factor
from app.accounts.models import RecoveryCode, SiteRole, User
from app.clock import ManualClock
from app.config import Environment, Settings
from app.forums.models import MembershipRole
from app.main import create_app
from tests.conftest import Browser
from tests.factories import PASSWORD, ForumFactory, UserFactory, member_of, with_two_factor
from tests.mail import last_email_to, link_in


def hidden(response_text: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', response_text)
    assert match, f"no hidden field {name}"
    return match.group(1)


def turn_on(browser: Browser, clock: ManualClock) -> tuple[str, list[str]]:
    """Set up two-factor sign-in as a member would; the secret and the recovery codes shown."""
    page = browser.get("/account/two-factor")
    secret = hidden(page.text, "secret")
    done = browser.post(
        "/account/two-factor",
        {
            "secret": secret,
            "proof": hidden(page.text, "proof"),
            "code": pyotp.TOTP(secret).at(clock.now()),
        },
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", done.text)
    return secret, codes


def password_step(browser: Browser, email: str, next_url: str = "/") -> str:
    page = browser.post("/login", {"email": email, "password": PASSWORD, "next": next_url})
    assert page.status_code == 200 and "Enter your sign-in code" in page.text
    return page.text


def code_step(browser: Browser, page: str, code: str, **kwargs: object) -> object:
    return browser.post(
        "/login/two-factor",
        {
            "user_id": hidden(page, "user_id"),
            "expires": hidden(page, "expires"),
            "token": hidden(page, "token"),
            "next": hidden(page, "next"),
            "code": code,
        },
        **kwargs,
    )


def test_a_member_sets_it_up_with_a_qr_code_drawn_on_the_server(
    browser: Browser, db: Session, clock: ManualClock, settings: Settings
) -> None:
    kai = UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    page = browser.get("/account/two-factor")
    assert 'src="data:image/svg+xml' in page.text
    assert "<script" not in page.text.split("<main", 1)[-1]
    wrong = browser.post(
        "/account/two-factor",
        {
            "secret": hidden(page.text, "secret"),
            "proof": hidden(page.text, "proof"),
            "code": "000000",
        },
    )
    assert wrong.status_code == 422 and "That code doesn" in wrong.text
    db.refresh(kai)
    assert not kai.has_two_factor

    secret, codes = turn_on(browser, clock)
    db.refresh(kai)
    assert kai.has_two_factor and kai.totp_secret_sealed is not None
    assert secret not in kai.totp_secret_sealed  # kept encrypted (tests/test_sealing.py)
    assert two_factor.secret_of(settings, kai) == secret
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == kai.id)).all()
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored)  # only their HMACs are kept
    # Shown once: the page says how many are left, never the codes.
    again = browser.get("/account/two-factor")
    assert "10 unused recovery codes" in again.text and codes[0] not in again.text


def test_a_forged_secret_is_refused(browser: Browser, db: Session, clock: ManualClock) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    secret = pyotp.random_base32()
    forged = browser.post(
        "/account/two-factor",
        {"secret": secret, "proof": "0" * 64, "code": pyotp.TOTP(secret).at(clock.now())},
    )
    assert forged.status_code == 403


def test_signing_in_asks_for_the_code_after_the_password(
    browser: Browser, make_browser: object, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    secret, _ = turn_on(browser, clock)
    browser.post("/logout")

    page = password_step(browser, "kai@example.org", "/account")
    # No session yet: the password alone opens nothing.
    assert browser.get("/account", follow_redirects=False).status_code == 303
    wrong = code_step(browser, page, "123456")
    assert wrong.status_code == 401  # type: ignore[attr-defined]
    assert "That code is not right" in wrong.text  # type: ignore[attr-defined]
    clock.advance(seconds=30)
    right = code_step(browser, page, pyotp.TOTP(secret).at(clock.now()), follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/account"  # type: ignore[attr-defined]
    assert browser.get("/account").status_code == 200


def test_a_code_is_refused_the_second_time_within_its_window(
    browser: Browser, make_browser: object, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    secret, _ = turn_on(browser, clock)
    browser.post("/logout")
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now())
    first = code_step(
        browser, password_step(browser, "kai@example.org"), code, follow_redirects=False
    )
    assert first.status_code == 303  # type: ignore[attr-defined]
    browser.post("/logout")
    # Someone who saw the code over the member's shoulder tries it a few seconds later.
    clock.advance(seconds=5)
    replayed = code_step(browser, password_step(browser, "kai@example.org"), code)
    assert replayed.status_code == 401  # type: ignore[attr-defined]
    assert "That code has been used already" in replayed.text  # type: ignore[attr-defined]


def test_a_recovery_code_works_once(browser: Browser, db: Session, clock: ManualClock) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    _, codes = turn_on(browser, clock)
    browser.post("/logout")
    used = code_step(
        browser, password_step(browser, "kai@example.org"), codes[3].upper(), follow_redirects=False
    )
    assert used.status_code == 303  # type: ignore[attr-defined]
    browser.post("/logout")
    again = code_step(browser, password_step(browser, "kai@example.org"), codes[3])
    assert again.status_code == 401  # type: ignore[attr-defined]
    # Another of the codes still works, and the page counts what is left.
    code_step(browser, password_step(browser, "kai@example.org"), codes[4])
    assert "8 unused recovery codes" in browser.get("/account/two-factor").text


def test_wrong_codes_are_slowed_down(browser: Browser, db: Session, clock: ManualClock) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    secret, _ = turn_on(browser, clock)
    browser.post("/logout")
    page = password_step(browser, "kai@example.org")
    for _ in range(6):  # five free, the sixth starts a wait that doubles with each wrong code
        assert code_step(browser, page, "111111").status_code == 401  # type: ignore[attr-defined]
    limited = code_step(browser, page, "111111")
    assert limited.status_code == 429 and "Too many wrong codes" in limited.text  # type: ignore[attr-defined]
    # Even the right code waits its turn.
    clock.advance(seconds=30)
    held = code_step(browser, page, pyotp.TOTP(secret).at(clock.now()))
    assert held.status_code == 429  # type: ignore[attr-defined]


def test_the_code_form_expires_and_cannot_be_forged(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    kai = UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    secret, _ = turn_on(browser, clock)
    browser.post("/logout")
    page = password_step(browser, "kai@example.org")
    forged = page.replace(
        f'name="user_id" value="{kai.id}"', f'name="user_id" value="{kai.id + 1}"'
    )
    assert code_step(browser, forged, pyotp.TOTP(secret).at(clock.now())).status_code == 403  # type: ignore[attr-defined]
    clock.advance(minutes=11)
    late = code_step(browser, page, pyotp.TOTP(secret).at(clock.now()))
    assert late.status_code == 403 and "expired" in late.text  # type: ignore[attr-defined]


def test_a_password_reset_link_still_asks_for_the_code(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    turn_on(browser, clock)
    browser.post("/logout")
    browser.post("/password/forgot", {"email": "kai@example.org"})
    link = link_in(last_email_to(db, "kai@example.org"), "/password/reset/")
    done = browser.post(link, {"password": "tidal-lantern-88-mosaic"})
    assert done.status_code == 200 and "Enter your sign-in code" in done.text
    assert browser.get("/account", follow_redirects=False).status_code == 303


def test_confirming_it_is_you_takes_a_code_instead_of_the_password(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    secret, _ = turn_on(browser, clock)
    clock.advance(minutes=30)
    form = browser.get("/account/confirm?next=/account/password")
    assert 'name="code"' in form.text
    wrong = browser.post("/account/confirm", {"code": "000000", "next": "/account/password"})
    assert wrong.status_code == 401 and "That code is not right" in wrong.text
    right = browser.post(
        "/account/confirm",
        {"code": pyotp.TOTP(secret).at(clock.now()), "next": "/account/password"},
        follow_redirects=False,
    )
    assert right.headers["location"] == "/account/password"


def test_a_member_may_turn_it_off(browser: Browser, db: Session, clock: ManualClock) -> None:
    kai = UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    turn_on(browser, clock)
    off = browser.post("/account/two-factor/off")
    assert "Two-factor sign-in is off" in off.text
    db.refresh(kai)
    assert not kai.has_two_factor
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == kai.id)).all() == []


# ---- required for staff -------------------------------------------------------------------------


@pytest.fixture
def strict_browser(settings: Settings) -> Iterator[Browser]:
    """Harbour with two-factor sign-in required of staff (production's default)."""
    app: FastAPI = create_app(settings.model_copy(update={"staff_two_factor": True}))
    with TestClient(app, base_url="http://testserver") as client:
        yield Browser(client)
    app.state.engine.dispose()


def test_it_is_required_of_staff_in_production_only_by_default() -> None:
    secret = "x" * 40
    assert Settings(environment=Environment.PRODUCTION, secret_key=secret).staff_two_factor_required
    assert not Settings(environment=Environment.DEVELOPMENT).staff_two_factor_required
    assert not Settings(
        environment=Environment.PRODUCTION, secret_key=secret, staff_two_factor=False
    ).staff_two_factor_required


def test_a_moderator_without_it_is_sent_to_set_it_up(
    strict_browser: Browser, db: Session, clock: ManualClock
) -> None:
    forum = ForumFactory()
    member_of(forum, MembershipRole.MODERATOR, email="mo@example.org")
    strict_browser.sign_in("mo@example.org")
    sent = strict_browser.get("/moderation", follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/account/two-factor?next=/moderation"
    page = strict_browser.get(sent.headers["location"])
    assert "As a moderator or admin" in page.text
    assert "Turn off" not in page.text
    refused = strict_browser.post("/account/profile", {"bio": "hi", "avatar": "wave"})
    assert refused.status_code == 403 and "authenticator app" in refused.text
    strict_browser.post(
        "/account/two-factor",
        {
            "secret": hidden(page.text, "secret"),
            "proof": hidden(page.text, "proof"),
            "code": pyotp.TOTP(hidden(page.text, "secret")).at(clock.now()),
            "next": "/moderation",
        },
    )
    assert strict_browser.get("/moderation").status_code == 200
    kept_on = strict_browser.post("/account/two-factor/off")
    assert kept_on.status_code == 403


def test_a_site_wide_moderator_is_staff_and_sets_it_up_too(
    strict_browser: Browser, db: Session
) -> None:
    UserFactory(email="pat@example.org", site_moderator=True)  # in no forum of their own
    strict_browser.sign_in("pat@example.org")
    sent = strict_browser.get("/moderation", follow_redirects=False)
    assert sent.headers["location"] == "/account/two-factor?next=/moderation"


def test_members_are_not_asked(strict_browser: Browser, db: Session) -> None:
    UserFactory(email="kai@example.org")
    strict_browser.sign_in("kai@example.org")
    assert strict_browser.get("/account", follow_redirects=False).status_code == 200


def test_an_admin_with_it_signs_in_with_the_code(
    strict_browser: Browser, db: Session, clock: ManualClock
) -> None:
    admin = UserFactory(email="chair@example.org", site_role=SiteRole.ADMIN)
    secret = with_two_factor(admin, clock.now())
    db.commit()
    page = password_step(strict_browser, "chair@example.org", "/admin")
    code_step(strict_browser, page, pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30)))
    assert strict_browser.get("/admin", follow_redirects=False).status_code == 200
    db.refresh(admin)
    assert isinstance(admin, User) and admin.totp_last_step is not None


def test_a_recovery_code_of_digits_only_is_still_a_recovery_code(
    settings: Settings, db: Session, clock: ManualClock
) -> None:
    """About 1 in 100 codes has no letter; once such a code was read as an authenticator code."""
    from app.accounts import two_factor
    from app.accounts.models import RecoveryCode
    from app.accounts.tokens import token_digest

    user = UserFactory()
    db.add(RecoveryCode(user_id=user.id, code_hash=token_digest(settings.secret_key, "1234567890")))
    db.flush()
    assert two_factor.looks_like_recovery_code("12345-67890")
    assert not two_factor.looks_like_recovery_code("123456")
    checked = two_factor.check_second_factor(db, settings, user, "12345-67890", clock.now())
    assert checked is two_factor.CodeCheck.ACCEPTED
    again = two_factor.check_second_factor(db, settings, user, "12345-67890", clock.now())
    assert again is two_factor.CodeCheck.WRONG

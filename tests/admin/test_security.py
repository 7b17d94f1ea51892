"""The admin's security settings: whether staff must use two-factor sign-in (a site setting,
the environment's value until an admin chooses), and resetting someone's two-factor sign-in
after a lost phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import RecoveryCode, SiteRole, User
from app.admin import site_settings
from app.audit.models import AuditEvent
from app.clock import ManualClock
from app.config import Settings
from app.forums.models import MembershipRole
from tests.conftest import Browser
from tests.factories import PASSWORD, ForumFactory, UserFactory, member_of, with_two_factor
from tests.mail import emails_to, last_email_to


@pytest.fixture
def admin(make_browser: Callable[[], Browser], db: Session) -> Browser:
    UserFactory(email="chair@charity.example", handle="chair", site_role=SiteRole.ADMIN)
    browser = make_browser()
    browser.sign_in("chair@charity.example")
    return browser


def chair(db: Session) -> User:
    found = db.scalar(select(User).where(User.handle == "chair"))
    assert found is not None
    return found


def give_chair_two_factor(db: Session, clock: ManualClock) -> None:
    """The admin set up two-factor sign-in (else requiring it would send them to set it up)."""
    with_two_factor(chair(db), clock.now())
    db.commit()


def audit_events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def signs_in_to(browser: Browser, email: str, path: str = "/moderation") -> str:
    """Where a password sign-in leads: the page asked for, or a step before it."""
    browser.sign_in(email)
    response = browser.get(path, follow_redirects=False)
    return response.headers["location"] if response.status_code == 303 else path


def test_the_admin_requires_two_factor_of_staff_and_it_applies_at_once(
    admin: Browser, make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    give_chair_two_factor(db, clock)
    member_of(ForumFactory(), MembershipRole.MODERATOR, email="mo@example.org")
    moderator = make_browser()
    # The suite runs as the "test" environment: off until an admin chooses.
    assert signs_in_to(moderator, "mo@example.org") == "/moderation"
    page = admin.get("/admin/security")
    assert "setting applies: off" in page.text
    assert 'name="staff_two_factor" value="true" aria-describedby' in page.text  # unticked

    saved = admin.post("/admin/security", {"staff_two_factor": "true"}, follow_redirects=False)
    assert saved.headers["location"] == "/admin/security?saved=1"
    assert " checked>" in admin.get("/admin/security").text
    asked = moderator.get("/moderation", follow_redirects=False)
    assert asked.headers["location"] == "/account/two-factor?next=/moderation"
    [event] = audit_events(db, "site_settings.staff_two_factor")
    assert event.detail == {"required": True, "before": False}

    admin.post("/admin/security", {})  # an unticked box sends nothing: off
    assert moderator.get("/moderation", follow_redirects=False).status_code == 200
    assert [e.detail["required"] for e in audit_events(db, "site_settings.staff_two_factor")] == [
        True,
        False,
    ]


def test_the_environment_gives_the_default_until_an_admin_chooses(
    settings: Settings, db: Session
) -> None:
    chair = UserFactory(site_role=SiteRole.ADMIN)
    strict = settings.model_copy(update={"staff_two_factor": True})  # as production's default
    assert site_settings.staff_two_factor(db, strict)
    assert not site_settings.staff_two_factor(db, settings)
    site_settings.set_staff_two_factor(db, chair, False, strict)
    assert not site_settings.staff_two_factor(db, strict)  # the admin's choice wins from then on
    site_settings.set_staff_two_factor(db, chair, True, settings)
    assert site_settings.staff_two_factor(db, settings)


def test_changing_it_asks_the_admin_to_confirm_it_is_them(
    admin: Browser, db: Session, clock: ManualClock
) -> None:
    clock.advance(minutes=11)
    asked = admin.get("/admin/security", follow_redirects=False)
    assert asked.headers["location"] == "/account/confirm?next=/admin/security"
    refused = admin.post("/admin/security", {"staff_two_factor": "true"})
    assert refused.status_code == 403
    assert audit_events(db, "site_settings.staff_two_factor") == []
    admin.post("/account/confirm", {"password": PASSWORD, "next": "/admin/security"})
    assert admin.post("/admin/security", {"staff_two_factor": "true"}).status_code == 200
    assert len(audit_events(db, "site_settings.staff_two_factor")) == 1


def test_an_admin_resets_a_moderators_lost_phone_and_they_set_it_up_again(
    admin: Browser, make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    give_chair_two_factor(db, clock)
    admin.post("/admin/security", {"staff_two_factor": "true"})
    mo = member_of(ForumFactory(), MembershipRole.MODERATOR, email="mo@example.org")
    lost_phone = make_browser()
    lost_phone.sign_in("mo@example.org")  # a session from before two-factor was turned on
    secret = with_two_factor(mo, clock.now())
    db.add(RecoveryCode(user_id=mo.id, code_hash="0" * 64))
    db.commit()
    assert lost_phone.get("/moderation").status_code == 200

    person = admin.get(f"/admin/people/{mo.id}")
    assert "Two-factor sign-in: on since" in person.text
    confirm = admin.get(f"/admin/people/{mo.id}/two-factor/reset")
    assert "Reset" in confirm.text and 'name="confirmed" value="true"' in confirm.text
    unconfirmed = admin.post(f"/admin/people/{mo.id}/two-factor/reset", {})
    db.refresh(mo)
    assert unconfirmed.status_code == 200 and mo.has_two_factor  # the question again
    done = admin.post(
        f"/admin/people/{mo.id}/two-factor/reset", {"confirmed": "true"}, follow_redirects=False
    )
    assert done.headers["location"] == f"/admin/people/{mo.id}?saved=1"

    db.refresh(mo)
    assert not mo.has_two_factor and mo.totp_secret_sealed is None
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == mo.id)).all() == []
    [event] = audit_events(db, "account.two_factor_reset")
    assert event.target_id == mo.id and event.actor_id is not None
    told = last_email_to(db, "mo@example.org")
    assert "An admin has reset the two-factor sign-in" in told.body
    assert "asked to set it up again" in told.body
    assert "forum" not in told.subject.lower()
    # The lost phone is signed out; the password alone then leads to setting it up again.
    assert lost_phone.get("/moderation", follow_redirects=False).status_code == 303
    again = make_browser()
    assert signs_in_to(again, "mo@example.org") == "/account/two-factor?next=/moderation"
    new_secret = re.search(
        r'name="secret" value="([A-Z2-7]+)"', again.get("/account/two-factor").text
    )
    assert new_secret and new_secret.group(1) != secret  # a new key for the new phone


def test_resetting_asks_the_admin_to_confirm_it_is_them_first(
    admin: Browser, db: Session, clock: ManualClock
) -> None:
    mo = member_of(ForumFactory(), MembershipRole.MODERATOR, email="mo@example.org")
    with_two_factor(mo, clock.now())
    db.commit()
    clock.advance(minutes=11)
    path = f"/admin/people/{mo.id}/two-factor/reset"
    asked = admin.get(path, follow_redirects=False)
    assert asked.headers["location"] == f"/account/confirm?next={path}"
    assert admin.post(path, {"confirmed": "true"}).status_code == 403
    db.refresh(mo)
    assert mo.has_two_factor and emails_to(db, "mo@example.org") == []


def test_an_admin_cannot_reset_their_own_and_others_cannot_reset_anyones(
    admin: Browser, make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    chair_account = chair(db)
    mo = member_of(ForumFactory(), MembershipRole.MODERATOR, email="mo@example.org")
    with_two_factor(chair_account, clock.now())
    with_two_factor(mo, clock.now())
    db.commit()
    own = admin.post(f"/admin/people/{chair_account.id}/two-factor/reset", {"confirmed": "true"})
    assert own.status_code == 422 and "ask another admin" in own.text
    moderator = make_browser()
    UserFactory(email="other@example.org")
    moderator.sign_in("other@example.org")
    refused = moderator.post(f"/admin/people/{mo.id}/two-factor/reset", {"confirmed": "true"})
    assert refused.status_code == 403
    db.refresh(mo)
    db.refresh(chair_account)
    assert mo.has_two_factor and chair_account.has_two_factor

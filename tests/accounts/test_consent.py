"""Explicit consent to Harbour holding health information (UK GDPR Article 9): asked at sign-up,
recorded with the privacy notice's version and time, asked of older accounts at their next
sign-in, and withdrawn by deleting the account (the data offered first)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Consent, PrivacyNotice, SiteRole, User
from app.clock import ManualClock
from tests.conftest import Browser
from tests.factories import PASSWORD, UserFactory

NEWCOMER = {"handle": "river_song", "email": "river@example.org", "password": "tidal-harbour-42"}


def test_sign_up_without_consent_is_refused_and_keeps_what_was_typed(
    browser: Browser, db: Session
) -> None:
    refused = browser.post("/register", NEWCOMER)
    assert refused.status_code == 422
    assert "Tick the box to agree" in refused.text
    assert 'value="river_song"' in refused.text and 'value="river@example.org"' in refused.text
    assert db.scalar(select(User).where(User.handle == "river_song")) is None


def test_consent_at_sign_up_is_recorded_with_the_notice_version_and_time(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    assert browser.post("/register", {**NEWCOMER, "consent": "yes"}).status_code == 200
    river = db.scalars(select(User).where(User.handle == "river_song")).one()
    assert river.consented_at == clock.now()
    (record,) = db.scalars(select(Consent).where(Consent.user_id == river.id)).all()
    assert record.notice_version == 1 and record.given_at == clock.now()
    assert record.withdrawn_at is None


def test_a_member_who_never_consented_is_asked_before_anything_else(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    UserFactory(email="kai@example.org", consented_at=None)
    browser.sign_in("kai@example.org")
    asked = browser.get("/account", follow_redirects=False)
    assert asked.headers["location"] == "/account/consent?next=/account"
    page = browser.get("/account/consent?next=/account")
    assert "I agree to Harbour holding information about my health" in page.text
    # The notice and the way out stay open.
    assert browser.get("/privacy").status_code == 200
    assert browser.get("/account/export.json").status_code == 200
    refused = browser.post("/account/profile", {"bio": "hello", "avatar": "wave"})
    assert refused.status_code == 403 and "/account/consent" in refused.text
    not_ticked = browser.post("/account/consent", {"next": "/account"})
    assert not_ticked.status_code == 422 and "Tick the box" in not_ticked.text
    agreed = browser.post(
        "/account/consent", {"agree": "yes", "next": "/account"}, follow_redirects=False
    )
    assert agreed.headers["location"] == "/account"
    assert browser.get("/account", follow_redirects=False).status_code == 200


def test_withdrawing_consent_offers_the_data_then_deletes_the_account(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    kai = UserFactory(email="kai@example.org")
    db.add(Consent(user_id=kai.id, notice_version=1, given_at=kai.created_at))
    db.commit()
    browser.sign_in("kai@example.org")
    page = browser.get("/account/consent/withdraw")
    assert 'href="/account/export.html"' in page.text and 'href="/account/export.json"' in page.text
    kept = browser.post("/account/consent/withdraw", {"posts": "keep", "confirm": "no"})
    assert kept.status_code == 422
    db.refresh(kai)
    assert kai.deleted_at is None and kai.consented_at is not None
    gone = browser.post(
        "/account/consent/withdraw",
        {"posts": "keep", "confirm": "delete my account"},
        follow_redirects=False,
    )
    assert gone.headers["location"] == "/?notice=deleted"
    db.refresh(kai)
    assert kai.deleted_at is not None and kai.consented_at is None
    (record,) = db.scalars(select(Consent).where(Consent.user_id == kai.id)).all()
    assert record.withdrawn_at == clock.now()


def test_the_admin_writes_the_notice_and_each_change_is_a_new_version(
    browser: Browser, db: Session
) -> None:
    UserFactory(email="chair@example.org", site_role=SiteRole.ADMIN)
    assert "Who we are" in browser.get("/privacy").text  # the default text, version 1
    browser.sign_in("chair@example.org")
    assert "Who we are" in browser.get("/admin/privacy").text
    browser.post("/admin/privacy", {"body": "## Our promise\n\nWe keep your data safe."})
    public = browser.get("/privacy").text
    assert "Our promise" in public and "Version 2" in public
    browser.post("/account/consent", {"agree": "yes"})  # the admin is asked too
    # Saving the same text publishes nothing new (a browser sends the lines with CRLF).
    again = browser.post(
        "/admin/privacy", {"body": "## Our promise\r\n\r\nWe keep your data safe.\r\n"}
    )
    assert again.status_code == 200 and "Saved" in again.text
    assert db.scalars(select(PrivacyNotice.version).order_by(PrivacyNotice.version)).all()[-1:] == [
        2
    ]
    assert len(db.scalars(select(PrivacyNotice).where(PrivacyNotice.version == 2)).all()) == 1
    assert db.scalar(select(PrivacyNotice.version).where(PrivacyNotice.version > 2)) is None


def test_a_new_member_signs_up_then_later_consent_uses_the_newest_notice(
    browser: Browser, db: Session
) -> None:
    admin = UserFactory(email="chair@example.org", site_role=SiteRole.ADMIN)
    db.add(PrivacyNotice(version=2, body="Newer text", published_by_id=admin.id))
    db.commit()
    UserFactory(email="kai@example.org", consented_at=None)
    browser.sign_in("kai@example.org", PASSWORD)
    browser.post("/account/consent", {"agree": "yes"})
    kai = db.scalars(select(User).where(User.email == "kai@example.org")).one()
    assert db.scalars(select(Consent.notice_version).where(Consent.user_id == kai.id)).all() == [2]


def test_a_new_version_of_the_notice_asks_everyone_to_agree_again(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    UserFactory(email="chair@example.org", site_role=SiteRole.ADMIN)
    kai = UserFactory(email="kai@example.org")
    db.add(Consent(user_id=kai.id, notice_version=1, given_at=clock.now()))
    db.commit()
    member = make_browser()
    member.sign_in("kai@example.org")  # signed in before the change: asked at the next request
    assert member.get("/account", follow_redirects=False).status_code == 200
    chair = make_browser()
    chair.sign_in("chair@example.org")
    clock.advance(minutes=1)
    chair.post("/admin/privacy", {"body": "## Our promise\n\nWe now also keep backups."})

    asked = member.get("/account", follow_redirects=False)
    assert (
        asked.status_code == 303 and asked.headers["location"] == "/account/consent?next=/account"
    )
    page = member.get(asked.headers["location"])
    assert "The privacy notice has changed since you last agreed" in page.text
    assert "version 2" in page.text
    refused = member.post("/account/profile", {"bio": "hi", "avatar": "wave"})
    assert refused.status_code == 403  # nothing else until they answer
    unticked = member.post("/account/consent", {"next": "/account"})
    assert unticked.status_code == 422
    member.post("/account/consent", {"agree": "yes", "next": "/account"})
    assert member.get("/account", follow_redirects=False).status_code == 200
    versions = db.scalars(
        select(Consent.notice_version).where(Consent.user_id == kai.id).order_by(Consent.id)
    ).all()
    assert versions == [1, 2]  # the first consent stays on record beside the new one

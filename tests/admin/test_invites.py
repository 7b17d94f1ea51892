"""Referral that survives sign-up: an invite link opened while signed out carries through
registration, confirming the address and signing in, to the forum it was for; admins see who
used which invite, and can withdraw one; expired and withdrawn invites stop working."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole, User
from app.clock import ManualClock
from app.forums.models import Invite, JoinPolicy, Membership, MembershipStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of
from tests.mail import last_email_to, link_in

NEWCOMER = {
    "handle": "river_song",
    "email": "river@example.org",
    "password": "tidal-harbour-42",
    "consent": "yes",
}


def invite_to(db: Session, admin: Browser, slug: str, uses: str = "5") -> Invite:
    admin.post(f"/admin/forums/{slug}/invites", {"note": "Renal clinic", "max_uses": uses})
    return db.scalars(select(Invite).order_by(Invite.id.desc())).first()  # type: ignore[return-value]


def signed_in_admin(make_browser: Callable[[], Browser]) -> Browser:
    UserFactory(email="chair@example.org", handle="chair", site_role=SiteRole.ADMIN)
    admin = make_browser()
    admin.sign_in("chair@example.org")
    return admin


def test_an_invite_opened_signed_out_carries_through_sign_up_to_the_forum(
    browser: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(slug="renal-clinic", join_policy=JoinPolicy.INVITE_ONLY)
    admin = signed_in_admin(make_browser)
    invite = invite_to(db, admin, "renal-clinic")
    here = f"/invite/{invite.code}"

    page = browser.get(here)
    assert page.status_code == 200 and "You're invited to" in page.text
    assert f'href="/register?next=/invite/{invite.code}"' in page.text
    assert browser.post("/register", {**NEWCOMER, "next": here}).status_code == 200
    confirmed = browser.post(
        link_in(last_email_to(db, "river@example.org"), "/verify-email/"), follow_redirects=False
    )
    assert confirmed.headers["location"] == f"/login?notice=email_verified&next={here}"
    signed_in = browser.post(
        "/login",
        {"email": "river@example.org", "password": "tidal-harbour-42", "next": here},
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == here
    assert "Join " in browser.get(here).text
    joined = browser.post(here, follow_redirects=False)
    assert joined.headers["location"] == "/f/renal-clinic?notice=joined"
    river = db.scalars(select(User).where(User.handle == "river_song")).one()
    membership = db.scalars(select(Membership).where(Membership.user_id == river.id)).one()
    assert membership.forum_id == forum.id and membership.status is MembershipStatus.ACTIVE

    listing = admin.get("/admin/forums/renal-clinic/invites").text
    assert "river_song" in listing and "1 of 5" in listing


def test_a_withdrawn_invite_stops_working_at_once(
    browser: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    ForumFactory(slug="renal-clinic", join_policy=JoinPolicy.INVITE_ONLY)
    admin = signed_in_admin(make_browser)
    invite = invite_to(db, admin, "renal-clinic")
    UserFactory(email="pat@example.org")
    browser.sign_in("pat@example.org")
    admin.post(f"/admin/forums/renal-clinic/invites/{invite.id}/revoke")
    assert "Withdrawn" in admin.get("/admin/forums/renal-clinic/invites").text
    gone = browser.get(f"/invite/{invite.code}")
    assert gone.status_code == 404 and "been withdrawn" in gone.text
    assert browser.post(f"/invite/{invite.code}").status_code == 404
    assert db.scalar(select(Membership).where(Membership.forum_id == invite.forum_id)) is None


def test_an_expired_invite_stops_working(
    browser: Browser, make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    ForumFactory(slug="renal-clinic", join_policy=JoinPolicy.INVITE_ONLY)
    admin = signed_in_admin(make_browser)
    invite = invite_to(db, admin, "renal-clinic")
    clock.advance(days=31)
    assert browser.get(f"/invite/{invite.code}").status_code == 404
    admin.sign_in("chair@example.org")  # a month on, the admin signs in again too
    assert "Expired" in admin.get("/admin/forums/renal-clinic/invites").text


def test_a_member_already_in_the_forum_uses_up_nothing(
    browser: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(slug="renal-clinic", join_policy=JoinPolicy.INVITE_ONLY)
    admin = signed_in_admin(make_browser)
    invite = invite_to(db, admin, "renal-clinic", uses="1")
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    browser.post(f"/invite/{invite.code}")
    db.refresh(invite)
    assert invite.uses == 0
    assert "Used up" not in admin.get("/admin/forums/renal-clinic/invites").text


def test_an_admin_cannot_withdraw_another_forums_invite_by_its_id(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    ForumFactory(slug="renal-clinic")
    ForumFactory(slug="heart")
    admin = signed_in_admin(make_browser)
    invite = invite_to(db, admin, "renal-clinic")
    assert admin.post(f"/admin/forums/heart/invites/{invite.id}/revoke").status_code == 404
    db.refresh(invite)
    assert invite.revoked_at is None
    assert timedelta(days=29) < invite.expires_at - invite.created_at

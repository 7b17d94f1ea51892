"""Sanctions: warnings must be acknowledged, mutes stop posting, appeals reach a different moderator."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.accounts.views import BAN_APPEAL
from app.config import Settings
from app.db import utcnow
from app.forums.models import Forum, Membership, MembershipRole, MembershipStatus
from app.moderation_queue.models import Appeal, AppealStatus, Sanction
from app.security import signature
from tests.conftest import Browser
from tests.factories import PASSWORD, ForumFactory, member_of, thread_with_opening_post


def setup(make_browser: Callable[[], Browser]) -> tuple[Forum, int, int, Browser, Browser]:
    forum = ForumFactory()
    sam = member_of(forum, email="sam@example.org", handle="sam")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    thread = thread_with_opening_post(forum, sam)
    member, moderator = make_browser(), make_browser()
    member.sign_in("sam@example.org")
    moderator.sign_in("rowan@example.org")
    return forum, sam.id, thread.id, member, moderator


def sanction(
    moderator: Browser, forum: Forum, user_id: int, kind: str, reason: str, days: str = ""
) -> None:
    response = moderator.post(
        f"/moderation/members/{user_id}/sanctions",
        {"forum": forum.slug, "kind": kind, "reason": reason, "days": days},
    )
    assert response.status_code == 200, response.text


def test_the_strike_ladder_suggests_a_warning_first(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, sam_id, _thread_id, _member, moderator = setup(make_browser)
    page = moderator.get(f"/moderation/members/{sam_id}?forum={forum.slug}").text
    assert "The strike ladder suggests: <strong>warning" in page
    sanction(moderator, forum, sam_id, "warning", "Please keep replies kind.")
    page = moderator.get(f"/moderation/members/{sam_id}?forum={forum.slug}").text
    assert "suggests: <strong>mute for 3 days" in page


def test_a_warning_must_be_acknowledged_on_the_next_visit(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, sam_id, _thread_id, member, moderator = setup(make_browser)
    sanction(moderator, forum, sam_id, "warning", "Please keep replies kind.")
    landing = member.get(f"/f/{forum.slug}", follow_redirects=False)
    assert landing.status_code == 303 and landing.headers["location"] == "/account/sanctions"
    page = member.get("/account/sanctions").text
    assert "Please keep replies kind." in page and "I have read this warning" in page
    sanction_id = db.scalars(select(Sanction.id)).one()
    member.post(f"/account/sanctions/{sanction_id}/acknowledge")
    assert member.get(f"/f/{forum.slug}", follow_redirects=False).status_code == 200


def test_a_muted_member_can_read_but_not_post_until_it_ends(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, sam_id, thread_id, member, moderator = setup(make_browser)
    sanction(
        moderator, forum, sam_id, "mute", "Cooling-off period after a heated thread.", days="3"
    )
    thread_page = member.get(f"/f/{forum.slug}/t/{thread_id}")
    assert thread_page.status_code == 200 and "Post reply" not in thread_page.text
    refused = member.post(f"/f/{forum.slug}/t/{thread_id}/reply", {"body": "Let me reply"})
    assert refused.status_code == 403
    notes = member.get("/notifications").text
    assert (
        "mute (you can read but not post)" in notes
        and "Cooling-off period" in notes
        and "until" in notes
    )


def test_a_forum_ban_removes_the_membership(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, sam_id, _thread_id, member, moderator = setup(make_browser)
    sanction(moderator, forum, sam_id, "ban", "Repeated harassment of other members.")
    membership = db.scalars(select(Membership).where(Membership.user_id == sam_id)).one()
    assert membership.status is MembershipStatus.REMOVED
    assert member.get(f"/f/{forum.slug}/new").status_code == 403


def test_an_appeal_reaches_a_different_moderator_who_can_lift_it(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, sam_id, thread_id, member, moderator = setup(make_browser)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    colleague = make_browser()
    colleague.sign_in("alex@example.org")
    sanction(moderator, forum, sam_id, "mute", "Cooling-off period.", days="7")
    sanction_id = db.scalars(select(Sanction.id)).one()
    member.post(
        f"/account/sanctions/{sanction_id}/appeal", {"body": "I was quoting someone else, sorry."}
    )
    again = member.post(f"/account/sanctions/{sanction_id}/appeal", {"body": "Please?"})
    assert again.status_code == 409 and "once" in again.text
    assert "I was quoting someone else" not in moderator.get("/moderation/appeals").text
    appeal = db.scalars(select(Appeal)).one()
    assert (
        moderator.post(f"/moderation/appeals/{appeal.id}", {"outcome": "overturn"}).status_code
        == 404
    )
    assert "I was quoting someone else" in colleague.get("/moderation/appeals").text
    colleague.post(
        f"/moderation/appeals/{appeal.id}", {"outcome": "overturn", "response": "Thanks, lifted."}
    )
    db.refresh(appeal)
    assert appeal.status is AppealStatus.OVERTURNED
    assert "Post reply" in member.get(f"/f/{forum.slug}/t/{thread_id}").text
    assert "overturned and lifted" in member.get("/notifications").text


def test_only_site_admins_sanction_site_wide(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, sam_id, _thread_id, _member, moderator = setup(make_browser)
    refused = moderator.post(
        f"/moderation/members/{sam_id}/sanctions",
        {"forum": forum.slug, "kind": "suspension", "reason": "x", "site_wide": "true"},
    )
    assert refused.status_code == 403


def test_a_member_banned_from_the_whole_site_can_read_why_and_appeal_once(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, sam_id, _thread_id, member, _moderator = setup(make_browser)
    member_of(forum, MembershipRole.MODERATOR, email="ada@example.org", site_role=SiteRole.ADMIN)
    member_of(forum, MembershipRole.MODERATOR, email="bo@example.org", site_role=SiteRole.ADMIN)
    ada, bo = make_browser(), make_browser()
    ada.sign_in("ada@example.org")
    bo.sign_in("bo@example.org")
    banned = ada.post(
        f"/moderation/members/{sam_id}/sanctions",
        {"forum": forum.slug, "kind": "ban", "reason": "Repeated threats.", "site_wide": "true"},
    )
    assert banned.status_code == 200
    assert member.get("/account").url.path == "/login"  # their sessions ended with the ban

    wrong = member.post("/login", {"email": "sam@example.org", "password": "not their password"})
    assert wrong.status_code == 401 and "Repeated threats." not in wrong.text
    closed = member.post("/login", {"email": "sam@example.org", "password": PASSWORD})
    assert closed.status_code == 403
    assert "Your account is closed" in closed.text and "Repeated threats." in closed.text
    proof = dict(
        re.findall(r'name="(user_id|sanction_id|expires|token)" value="([^"]+)"', closed.text)
    )
    assert set(proof) == {"user_id", "sanction_id", "expires", "token"}

    forged = member.post(
        "/account/closed/appeal", {**proof, "user_id": str(sam_id + 1), "body": "Let me back."}
    )
    assert forged.status_code == 403
    sent = member.post("/account/closed/appeal", {**proof, "body": "It was a quote from a film."})
    assert sent.status_code == 200 and "Your appeal has been sent" in sent.text
    again = member.post("/account/closed/appeal", {**proof, "body": "Please?"})
    assert again.status_code == 409

    assert "It was a quote from a film." not in ada.get("/moderation/appeals").text  # her own ban
    appeal = db.scalars(select(Appeal)).one()
    bo.post(f"/moderation/appeals/{appeal.id}", {"outcome": "overturn", "response": "Lifted."})
    member.post("/login", {"email": "sam@example.org", "password": PASSWORD})
    assert member.get("/account").url.path == "/account"  # signed in again


def test_an_appeal_form_for_a_closed_account_expires(
    make_browser: Callable[[], Browser], db: Session, settings: Settings
) -> None:
    forum, sam_id, _thread_id, member, _moderator = setup(make_browser)
    member_of(forum, MembershipRole.MODERATOR, email="ada@example.org", site_role=SiteRole.ADMIN)
    ada = make_browser()
    ada.sign_in("ada@example.org")
    ada.post(
        f"/moderation/members/{sam_id}/sanctions",
        {"forum": forum.slug, "kind": "ban", "reason": "Spam.", "site_wide": "true"},
    )
    ban_id = db.scalars(select(Sanction.id)).one()
    expired = int(utcnow().timestamp()) - 1
    token = signature(settings.secret_key, BAN_APPEAL, sam_id, ban_id, expired)
    late = member.post(
        "/account/closed/appeal",
        {
            "user_id": str(sam_id),
            "sanction_id": str(ban_id),
            "expires": str(expired),
            "token": token,
            "body": "Please.",
        },
    )
    assert late.status_code == 403 and db.scalars(select(Appeal)).all() == []

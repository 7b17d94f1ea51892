"""No forum without cover: a forum nobody moderates cannot be opened to members (the admin
console says why), its last moderator cannot be taken away while it is open, and a request to
join alerts the forum's moderators by an email that names neither the forum nor the person."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.audit.models import AuditEvent
from app.forums.models import Forum, Invite, JoinPolicy, MembershipRole
from app.notifications.models import OutboxEmail
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of

CONDITION = "Young adults with kidney disease"


@pytest.fixture
def admin(make_browser: Callable[[], Browser], db: Session) -> Browser:
    UserFactory(email="chair@charity.example", handle="chair", site_role=SiteRole.ADMIN)
    browser = make_browser()
    browser.sign_in("chair@charity.example")
    return browser


def new_forum(admin: Browser, db: Session, join_policy: str = "open") -> Forum:
    admin.post(
        "/admin/forums/new",
        {
            "name": CONDITION,
            "address": "kidney-young",
            "visibility": "members_only",
            "join_policy": join_policy,
            "moderation_mode": "hold_flagged",
        },
    )
    return db.scalars(select(Forum).where(Forum.slug == "kidney-young")).one()


def test_a_new_forum_stays_closed_until_it_has_a_moderator(
    admin: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = new_forum(admin, db)
    assert forum.opened_at is None
    page = admin.get("/admin/forums/kidney-young").text
    assert "Nobody moderates this forum." in page and "Not open to members yet" in page
    refused = admin.post("/admin/forums/kidney-young/open")
    assert refused.status_code == 409
    assert "it cannot be opened to members: nobody would see an urgent post" in refused.text
    assert "Not open yet" in admin.get("/admin").text

    UserFactory(email="kai@example.org", handle="kai")
    kai = make_browser()
    kai.sign_in("kai@example.org")
    assert CONDITION not in kai.get("/").text
    assert "This forum is not open to members yet." in kai.get("/f/kidney-young").text
    assert kai.post("/f/kidney-young/join").status_code == 409

    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    opened = admin.post("/admin/forums/kidney-young/open")
    assert (
        "The forum is open to members." in opened.text and "Moderated by mod_rowan." in opened.text
    )
    assert CONDITION in kai.get("/").text
    kai.post("/f/kidney-young/join")
    assert "Start a new thread" in kai.get("/f/kidney-young").text


def test_an_invite_to_a_closed_forum_does_not_let_anyone_in(
    admin: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = new_forum(admin, db, join_policy="invite_only")
    admin.post("/admin/forums/kidney-young/invites", {"note": "", "max_uses": "5", "days": "7"})
    code = db.scalars(select(Invite.code).where(Invite.forum_id == forum.id)).one()
    UserFactory(email="kai@example.org")
    kai = make_browser()
    kai.sign_in("kai@example.org")
    assert kai.post(f"/invite/{code}").status_code == 409


def test_the_last_moderator_of_an_open_forum_cannot_be_removed(admin: Browser, db: Session) -> None:
    forum = ForumFactory(slug="heart")
    rowan = member_of(forum, MembershipRole.MODERATOR, handle="mod_rowan")
    refused = admin.post(f"/admin/people/{rowan.id}/role", {"forum": "heart", "role": "member"})
    assert refused.status_code == 409 and "mod_rowan is the forum" in refused.text
    alex = member_of(forum, MembershipRole.MODERATOR, handle="mod_alex")
    assert (
        admin.post(
            f"/admin/people/{rowan.id}/role", {"forum": "heart", "role": "member"}
        ).status_code
        == 200
    )
    assert alex.id != rowan.id


def test_a_join_request_alerts_the_moderators_without_naming_the_forum_or_the_person(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(name=CONDITION, slug="kidney", join_policy=JoinPolicy.APPROVAL_REQUIRED)
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    UserFactory(email="pat@charity.example", handle="central_pat", site_moderator=True)
    UserFactory(email="kai@example.org", handle="kidneybean_kai")
    kai = make_browser()
    kai.sign_in("kai@example.org")
    kai.post("/f/kidney/join")
    mails = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "join_request")).all()
    assert sorted(m.to_address for m in mails) == ["alex@example.org", "rowan@example.org"]
    for mail in mails:
        text = (mail.subject + mail.body).lower()
        assert "kidney" not in text and "kai" not in text
        assert f"/moderation/join-requests/{forum.id}" in mail.body
    kai.post("/f/kidney/join")  # asking twice does not alert twice
    assert len(db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "join_request")).all()) == 2
    rowan = make_browser()
    rowan.sign_in("rowan@example.org")
    followed = rowan.get(f"/moderation/join-requests/{forum.id}", follow_redirects=False)
    assert followed.headers["location"] == "/f/kidney/requests"
    assert "kidneybean_kai" in rowan.get(followed.headers["location"]).text
    assert kai.get(f"/moderation/join-requests/{forum.id}").status_code == 403


def test_join_requests_reach_site_wide_moderators_only_in_a_forum_with_none_of_its_own(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    looked_after = ForumFactory(slug="kidney", join_policy=JoinPolicy.APPROVAL_REQUIRED)
    member_of(looked_after, MembershipRole.MODERATOR, email="rowan@example.org")
    uncovered = ForumFactory(slug="carers", join_policy=JoinPolicy.APPROVAL_REQUIRED)
    UserFactory(email="pat@charity.example", site_moderator=True)
    UserFactory(email="kai@example.org")
    kai = make_browser()
    kai.sign_in("kai@example.org")

    def alerted() -> list[str]:
        mails = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "join_request"))
        return sorted(m.to_address for m in mails)

    kai.post("/f/kidney/join")
    assert alerted() == ["rowan@example.org"]  # the forum's own, not every site-wide moderator
    kai.post("/f/carers/join")
    assert alerted() == ["pat@charity.example", "rowan@example.org"]  # nobody else would know
    assert (
        f"/moderation/join-requests/{uncovered.id}"
        in db.scalars(
            select(OutboxEmail.body).where(OutboxEmail.to_address == "pat@charity.example")
        ).one()
    )


def test_a_site_wide_moderator_covers_every_forum_and_sees_every_queue(
    admin: Browser, make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = new_forum(admin, db)
    elsewhere = ForumFactory(name="Carers", slug="carers")
    member_of(elsewhere, MembershipRole.MODERATOR, email="own@example.org")
    pat = UserFactory(email="pat@charity.example", handle="central_pat")
    pat_browser = make_browser()
    pat_browser.sign_in("pat@charity.example")
    assert pat_browser.get("/moderation").status_code == 403  # not a moderator yet

    # Only a site admin can make someone a site-wide moderator: not the person, not a moderator.
    own = make_browser()
    own.sign_in("own@example.org")
    for outsider in (pat_browser, own):
        refused = outsider.post(
            f"/admin/people/{pat.id}/site-moderator", {"site_moderator": "true"}
        )
        assert refused.status_code == 403
    assert "Make site-wide moderator" in admin.get(f"/admin/people/{pat.id}").text
    admin.post(f"/admin/people/{pat.id}/site-moderator", {"site_moderator": "true"})
    db.refresh(pat)
    assert pat.site_moderator
    assert "site-wide moderator" in admin.get("/admin/people").text
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.site_moderator")).one()
    assert event.actor_id is not None and event.target_id == pat.id

    # Cover: the forum with no moderator of its own can now be opened, and alerts reach pat.
    assert "The forum is open to members." in admin.post("/admin/forums/kidney-young/open").text
    assert (
        "the site-wide moderators (central_pat)"
        in admin.get("/admin/forums/kidney-young/safeguarding").text
    )
    # The queue: every forum's, including one pat is not a member of; not the admin console.
    queue = pat_browser.get("/moderation")
    assert queue.status_code == 200
    assert 'option value="kidney-young"' in queue.text and 'option value="carers"' in queue.text
    assert pat_browser.get(f"/f/{elsewhere.slug}/requests").status_code == 200
    assert pat_browser.get("/admin").status_code == 403
    assert own.get(f"/f/{forum.slug}/requests").status_code == 403  # still only their own

    # Pat is the open forum's only cover: they cannot stop until someone else moderates it.
    stop = admin.post(f"/admin/people/{pat.id}/site-moderator", {"site_moderator": "false"})
    assert stop.status_code == 409 and CONDITION in stop.text
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    admin.post(f"/admin/people/{pat.id}/site-moderator", {"site_moderator": "false"})
    db.refresh(pat)
    assert not pat.site_moderator and pat_browser.get("/moderation").status_code == 403

"""Home, joining forums, and what non-members can see."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forums.models import JoinPolicy, Membership, MembershipRole, MembershipStatus, Visibility
from tests.conftest import Browser
from tests.factories import ForumFactory, MembershipFactory, UserFactory, thread_with_opening_post


def test_home_lists_my_forums_and_the_ones_i_can_join(browser: Browser, db: Session) -> None:
    kidney = ForumFactory(name="Young adults with kidney disease (18–30)")
    ForumFactory(name="Living with type 1 diabetes")
    MembershipFactory(forum=kidney, user=UserFactory(email="kai@example.org"))
    browser.sign_in("kai@example.org")
    page = browser.get("/").text
    mine, joinable = page.split("Forums you can join")
    assert "Young adults with kidney disease" in mine
    assert "Living with type 1 diabetes" in joinable and "kidney" not in joinable


def test_joining_an_open_forum_is_instant(browser: Browser, db: Session) -> None:
    forum = ForumFactory(join_policy=JoinPolicy.OPEN)
    UserFactory(email="sam@example.org")
    browser.sign_in("sam@example.org")
    page = browser.post(f"/f/{forum.slug}/join").text
    assert "You have joined this forum" in page
    assert "Start a new thread" in page


def test_joining_an_approval_forum_leaves_a_pending_request(browser: Browser, db: Session) -> None:
    forum = ForumFactory(join_policy=JoinPolicy.APPROVAL_REQUIRED)
    user = UserFactory(email="sam@example.org")
    browser.sign_in("sam@example.org")
    page = browser.post(f"/f/{forum.slug}/join").text
    assert "request to join has been sent" in page
    assert "Start a new thread" not in page
    db.expire_all()
    assert forum.id in {m.forum_id for m in user_memberships(db, user.id, MembershipStatus.PENDING)}


def user_memberships(db: Session, user_id: int, status: MembershipStatus) -> list[Membership]:
    return list(
        db.scalars(
            select(Membership).where(Membership.user_id == user_id, Membership.status == status)
        )
    )


def test_a_members_only_forum_shows_outsiders_only_its_name_and_description(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory(
        visibility=Visibility.MEMBERS_ONLY,
        name="After a heart attack",
        description="Cardiac rehab and getting back to life.",
    )
    thread = thread_with_opening_post(forum, UserFactory(), title="Nervous about rehab")
    UserFactory(email="outsider@example.org")
    browser.sign_in("outsider@example.org")
    page = browser.get(f"/f/{forum.slug}").text
    assert "After a heart attack" in page and "Cardiac rehab and getting back" in page
    assert "Nervous about rehab" not in page
    thread_page = browser.get(f"/f/{forum.slug}/t/{thread.id}")
    assert thread_page.status_code == 403
    assert "Nervous about rehab" not in thread_page.text


def test_a_public_read_forum_can_be_read_signed_out_but_not_posted_to(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory(visibility=Visibility.PUBLIC_READ)
    thread = thread_with_opening_post(forum, UserFactory(), title="Carb counting tips")
    assert "Carb counting tips" in browser.get(f"/f/{forum.slug}").text
    page = browser.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert "Sign in</a> to reply" in page
    refused = browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "hello"})
    assert refused.status_code == 401


def test_an_unknown_forum_is_a_clear_404(browser: Browser, db: Session) -> None:
    response = browser.get("/f/no-such-forum")
    assert response.status_code == 404
    assert "There is no forum at this address" in response.text


def test_an_approved_member_is_welcomed_like_one_who_joined(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(
        join_policy=JoinPolicy.APPROVAL_REQUIRED,
        welcome_message="Welcome! Introduce yourself when you're ready.",
    )
    MembershipFactory(
        forum=forum, role=MembershipRole.MODERATOR, user=UserFactory(email="mod@example.org")
    )
    UserFactory(email="sam@example.org")
    sam, moderator = make_browser(), make_browser()
    sam.sign_in("sam@example.org")
    moderator.sign_in("mod@example.org")
    sam.post(f"/f/{forum.slug}/join")
    request = db.scalars(
        select(Membership).where(Membership.status == MembershipStatus.PENDING)
    ).one()
    moderator.post(f"/f/{forum.slug}/requests/{request.id}", {"decision": "approve"})
    notifications = sam.get("/notifications").text
    link = re.search(r'href="(/notifications/\d+)">Your request to join', notifications)
    assert link
    assert "Introduce yourself when you" in sam.get(link.group(1)).text


def test_an_approval_forum_without_questions_asks_one_optional_question_the_moderator_sees(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(join_policy=JoinPolicy.APPROVAL_REQUIRED, joining_questions=[])
    MembershipFactory(
        forum=forum, role=MembershipRole.MODERATOR, user=UserFactory(email="mod@example.org")
    )
    UserFactory(email="sam@example.org", handle="sam")
    UserFactory(email="ali@example.org", handle="ali")
    sam, ali, moderator = make_browser(), make_browser(), make_browser()
    for browser, email in ((sam, "sam"), (ali, "ali"), (moderator, "mod")):
        browser.sign_in(f"{email}@example.org")
    form = sam.get(f"/f/{forum.slug}").text
    assert "Anything you would like the moderators to know? (optional)" in form
    assert 'name="answers" rows="2" maxlength="1000"' in form  # not required
    sam.post(f"/f/{forum.slug}/join", {"answers": "I was diagnosed in March."})
    ali.post(f"/f/{forum.slug}/join", {"answers": "  "})  # left blank: still a request
    requests = db.scalars(
        select(Membership).where(Membership.status == MembershipStatus.PENDING)
    ).all()
    assert sorted(len(r.answers) for r in requests) == [0, 1]
    page = moderator.get(f"/f/{forum.slug}/requests").text
    assert "<dt>Anything you would like the moderators to know? (optional)</dt>" in page
    assert "<dd>I was diagnosed in March.</dd>" in page
    assert "they chose not to add anything" in page


def test_a_forum_no_longer_joined_by_approval_asks_none_of_its_old_questions(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory(
        join_policy=JoinPolicy.OPEN, joining_questions=["How long have you had CKD?"]
    )
    UserFactory(email="sam@example.org")
    browser.sign_in("sam@example.org")
    assert "How long have you had CKD?" not in browser.get(f"/f/{forum.slug}").text
    page = browser.post(f"/f/{forum.slug}/join").text
    assert "You have joined this forum" in page
    joined = db.scalars(select(Membership).where(Membership.forum_id == forum.id)).one()
    assert joined.status is MembershipStatus.ACTIVE and joined.answers == []

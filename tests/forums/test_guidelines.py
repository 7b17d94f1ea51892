"""Joining a forum means reading and accepting its guidelines; changed guidelines are accepted
again before the member's next post."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.forums.models import JoinPolicy, Membership
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of, thread_with_opening_post

GUIDELINES = "Be kind. **No medical advice.**"


def test_joining_shows_the_guidelines_and_needs_them_accepted(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory(slug="kidney", guidelines=GUIDELINES)
    kai = UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    page = browser.get("/f/kidney")
    assert "<strong>No medical advice.</strong>" in page.text
    assert "I have read these guidelines" in page.text
    refused = browser.post("/f/kidney/join", {})
    assert refused.status_code == 422 and "tick the box to accept them" in refused.text
    assert db.scalar(select(Membership).where(Membership.user_id == kai.id)) is None
    joined = browser.post("/f/kidney/join", {"accept_guidelines": "yes"}, follow_redirects=False)
    assert joined.headers["location"] == "/f/kidney?notice=joined"
    membership = db.scalars(select(Membership).where(Membership.user_id == kai.id)).one()
    assert membership.guidelines_accepted_version == forum.guidelines_version == 1


def test_changed_guidelines_are_accepted_again_before_the_next_post(
    browser: Browser, make_browser: object, db: Session
) -> None:
    forum = ForumFactory(slug="kidney", guidelines=GUIDELINES)
    author = member_of(forum, email="kai@example.org")
    membership = db.scalars(select(Membership).where(Membership.user_id == author.id)).one()
    membership.guidelines_accepted_version = 1
    db.commit()
    thread = thread_with_opening_post(forum, author)
    UserFactory(email="chair@example.org", site_role=SiteRole.ADMIN)
    admin = make_browser()  # type: ignore[operator]
    admin.sign_in("chair@example.org")
    admin.post(
        "/admin/forums/kidney",
        {
            "address": "kidney",
            "name": forum.name,
            "description": forum.description,
            "audience": forum.audience,
            "visibility": forum.visibility.value,
            "join_policy": forum.join_policy.value,
            "moderation_mode": forum.moderation_mode.value,
            "guidelines": GUIDELINES + "\n\nNo selling.",
        },
    )
    db.refresh(forum)
    assert forum.guidelines_version == 2

    browser.sign_in("kai@example.org")
    reply = "Thank you, this helped me a lot today."
    refused = browser.post(f"/f/kidney/t/{thread.id}/reply", {"body": reply})
    assert refused.status_code == 403
    assert "/f/kidney/guidelines" in refused.text and reply in refused.text  # nothing lost
    page = browser.get("/f/kidney/guidelines")
    assert "The guidelines have changed" in page.text and "No selling." in page.text
    browser.post("/f/kidney/guidelines", {"accept_guidelines": "yes"})
    db.refresh(membership)
    assert membership.guidelines_accepted_version == 2
    assert browser.post(f"/f/kidney/t/{thread.id}/reply", {"body": reply}).status_code == 200


def test_a_forum_without_guidelines_asks_nothing(browser: Browser, db: Session) -> None:
    ForumFactory(slug="open-forum", join_policy=JoinPolicy.OPEN)
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    joined = browser.post("/f/open-forum/join", {}, follow_redirects=False)
    assert joined.headers["location"] == "/f/open-forum?notice=joined"


def test_invite_only_forums_say_so(browser: Browser, db: Session) -> None:
    ForumFactory(name="Renal clinic group", join_policy=JoinPolicy.INVITE_ONLY)
    UserFactory(email="kai@example.org")
    browser.sign_in("kai@example.org")
    home = browser.get("/").text
    assert "By invitation only" in home and "Join by request" not in home

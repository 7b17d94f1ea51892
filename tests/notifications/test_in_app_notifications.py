"""Members are told in the app what happened to their held posts."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ReviewItem
from app.posts.models import Post
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of, thread_with_opening_post


def test_the_author_is_notified_of_a_rejection_with_the_reason(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    forum.policy.rejection_reasons = ["Please check fluid advice with your renal team first."]
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    thread = thread_with_opening_post(forum, kai, title="Fluid limits in summer")
    author, moderator = make_browser(), make_browser()
    author.sign_in("kai@example.org")
    author.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Ice lollies help me a lot."})
    assert "Notifications <span" not in author.get("/").text
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    moderator.sign_in("rowan@example.org")
    item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == reply.id)).one()
    moderator.post(
        f"/moderation/items/{item.id}/decide",
        {"action": "reject", "reason": "Please check fluid advice with your renal team first."},
    )
    home = author.get("/").text
    assert '<span class="count">1<span class="visually-hidden"> new</span>' in home
    page = author.get("/notifications").text
    assert "didn&#39;t publish your reply in “Fluid limits in summer”" in page
    assert "Please check fluid advice with your renal team first." in page
    (link,) = re.findall(r'href="(/notifications/\d+)"', page)
    assert author.get(link, follow_redirects=False).headers["location"] == f"/posts/{reply.id}"
    author.post("/notifications/read")
    assert '<span class="count">' not in author.get("/").text


def test_notifications_are_private_to_their_member(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    thread = thread_with_opening_post(forum, kai, title="Night hypos")
    author, other, moderator = make_browser(), make_browser(), make_browser()
    author.sign_in("kai@example.org")
    author.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "A sensor alarm helped."})
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    moderator.sign_in("rowan@example.org")
    item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == reply.id)).one()
    moderator.post(f"/moderation/items/{item.id}/decide", {"action": "approve"})
    other.sign_in("sam@example.org")
    assert "Night hypos" not in other.get("/notifications").text
    assert "approved your reply in “Night hypos”" in author.get("/notifications").text

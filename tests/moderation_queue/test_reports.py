"""Members report published posts; the report joins the Reported queue and the reporter hears back."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forums.models import MembershipRole
from app.moderation_queue.models import Report, ReviewItem, ReviewQueue
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post


def test_a_reported_post_is_queued_and_removing_it_tells_both_people(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    sam = member_of(forum, email="sam@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    thread = thread_with_opening_post(forum, kai)
    post = PostFactory(
        thread=thread, author=sam, body_source="Just stop taking your tablets, they're poison."
    )
    reporter, moderator, author = make_browser(), make_browser(), make_browser()
    reporter.sign_in("kai@example.org")
    page = reporter.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert "Report this post" in page
    done = reporter.post(f"/posts/{post.id}/report", {"reason": "medical_advice", "note": ""})
    assert "A moderator will look at the post you reported" in done.text
    item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
    assert item.queue is ReviewQueue.REPORTED and "report.medical_advice" in item.reason_codes
    moderator.sign_in("rowan@example.org")
    card = moderator.get(f"/moderation/items/{item.id}").text
    assert "Reported by members: medical_advice" in card and ">Remove</button>" in card
    moderator.post(
        f"/moderation/items/{item.id}/decide",
        {
            "action": "remove",
            "reason": "It gives medical advice that should come from a care team.",
        },
    )
    db.expire_all()
    assert db.get(Post, post.id).status is PostStatus.REMOVED  # type: ignore[union-attr]
    assert "tablets, they" not in reporter.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert "took action" in reporter.get("/notifications").text
    author.sign_in("sam@example.org")
    assert "removed your reply" in author.get("/notifications").text
    assert db.scalars(select(Report)).one().outcome == "upheld"


def test_a_report_needs_a_reason_and_cannot_target_a_held_post(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    other = member_of(forum)
    held = PostFactory(thread=thread, author=other, status=PostStatus.HELD, published_at=None)
    visible = PostFactory(thread=thread, author=other)
    browser.sign_in("kai@example.org")
    assert browser.post(f"/posts/{visible.id}/report", {"reason": "bogus"}).status_code == 422
    assert browser.post(f"/posts/{held.id}/report", {"reason": "hurtful"}).status_code == 404

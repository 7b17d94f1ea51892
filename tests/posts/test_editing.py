"""Editing and withdrawing my own posts: edits are re-assessed; a held edit leaves the published text."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import ManualClock
from app.forums.models import MembershipRole
from app.moderation_queue.models import ReviewItem, ReviewQueue
from app.posts.models import EditStatus, Post, PostEdit, PostStatus, Thread
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post

ORIGINAL = "Evening slots at the dialysis unit really helped me."


def setup(make_browser: Callable[[], Browser]) -> tuple[str, Post, Browser, Browser]:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    thread = thread_with_opening_post(forum, kai)
    post = PostFactory(thread=thread, author=kai, body_source=ORIGINAL)
    author, moderator = make_browser(), make_browser()
    author.sign_in("kai@example.org")
    moderator.sign_in("rowan@example.org")
    return f"/f/{forum.slug}/t/{thread.id}", post, author, moderator


def test_a_harmless_edit_is_published_at_once(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    _thread_url, post, author, _moderator = setup(make_browser)
    author.post(
        f"/posts/{post.id}/edit",
        {"body": "Evening slots helped me, and a blanket for the cold unit."},
    )
    db.refresh(post)
    assert "blanket" in post.body_html
    assert db.scalars(select(PostEdit.status)).one() is EditStatus.APPLIED


def test_an_edit_that_would_be_held_goes_to_review_and_the_published_text_stays(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    thread_url, post, author, moderator = setup(make_browser)
    author.post(
        f"/posts/{post.id}/edit", {"body": "Call me on 07700 900123 about the evening slots."}
    )
    db.refresh(post)
    assert post.body_source == ORIGINAL and post.status is PostStatus.PUBLISHED
    own_view = author.get(thread_url).text
    assert "Your edit is waiting for a moderator" in own_view
    item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
    assert item.queue is ReviewQueue.HELD and "edit.pending" in item.reason_codes
    card = moderator.get(f"/moderation/items/{item.id}").text
    assert "07700 900123" in card
    moderator.post(
        f"/moderation/items/{item.id}/decide",
        {"action": "reject", "reason": "It shares personal details that could identify someone."},
    )
    db.refresh(post)
    assert post.body_source == ORIGINAL and post.status is PostStatus.PUBLISHED
    assert (
        "didn&#39;t publish your edit" in author.get("/notifications").text
        or "didn't publish your edit" in author.get("/notifications").text
    )


def test_withdrawing_a_post_takes_it_down_for_everyone(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    thread_url, post, author, _moderator = setup(make_browser)
    page = author.post(f"/posts/{post.id}/withdraw")
    assert "Your post has been withdrawn" in page.text
    db.refresh(post)
    assert post.status is PostStatus.WITHDRAWN
    assert db.scalars(select(Thread.reply_count)).one() == 0
    assert ORIGINAL not in make_browser().get(thread_url).text


def test_only_the_author_can_edit_or_withdraw(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    _thread_url, post, _author, moderator = setup(make_browser)
    assert moderator.get(f"/posts/{post.id}/edit").status_code == 404
    assert moderator.post(f"/posts/{post.id}/edit", {"body": "hijack"}).status_code == 404
    assert moderator.post(f"/posts/{post.id}/withdraw").status_code == 404
    db.refresh(post)
    assert post.body_source == ORIGINAL and post.status is PostStatus.PUBLISHED


def test_withdrawing_a_post_can_be_undone_for_a_minute(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    reader = member_of(forum, email="sam@example.org")
    thread = thread_with_opening_post(forum, kai)
    reply = PostFactory(thread=thread, author=kai, body_source="Frozen grapes help me.")
    author, sam = make_browser(), make_browser()
    author.sign_in("kai@example.org")
    sam.sign_in(reader.email)
    withdrawn = author.post(f"/posts/{reply.id}/withdraw")
    assert "Your post has been withdrawn." in withdrawn.text
    assert "Frozen grapes" not in sam.get(f"/f/{forum.slug}/t/{thread.id}").text
    token = re.search(r'name="token" value="([^"]+)"', withdrawn.text)
    assert token and f'action="/posts/{reply.id}/restore"' in withdrawn.text
    assert author.post(f"/posts/{reply.id}/restore", {"token": "1.forged"}).status_code == 409
    author.post(f"/posts/{reply.id}/restore", {"token": token.group(1)})
    assert "Frozen grapes" in sam.get(f"/f/{forum.slug}/t/{thread.id}").text
    db.refresh(thread)
    assert thread.reply_count == 1
    # A minute later it is too late.
    author.post(f"/posts/{reply.id}/withdraw")
    clock.advance(seconds=61)
    late = author.post(f"/posts/{reply.id}/restore", {"token": token.group(1)})
    assert late.status_code == 409 and "too late to undo" in late.text

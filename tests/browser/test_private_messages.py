"""Reaching out privately, in Chromium: from the item card, with a template, to the author's inbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ReviewItem, ReviewQueue
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, member_of, thread_with_opening_post

pytestmark = pytest.mark.browser

CRISIS = "I can't go on. Everyone would be better off without me."


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_moderator_writes_to_the_author_who_replies_in_their_inbox(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    forum = ForumFactory(name="Heart attack recovery", moderation_mode=ModerationMode.HOLD_FLAGGED)
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    thread = thread_with_opening_post(forum, kai, title="Six weeks after")
    author = new_page(javascript)
    sign_in(author, live_server, "kai@example.org")
    author.goto(f"{live_server.url}/f/{forum.slug}/t/{thread.id}")
    author.get_by_label("Your reply").fill(CRISIS)
    author.get_by_role("button", name="Post reply").click()
    author.get_by_text("You don't have to face this alone").first.wait_for()

    moderator = new_page(javascript)
    sign_in(moderator, live_server, "rowan@example.org")
    item = db.scalars(select(ReviewItem)).one()
    moderator.goto(f"{live_server.url}/moderation/items/{item.id}")
    moderator.get_by_role("link", name="Write to kai privately").click()
    moderator.get_by_label("Start from a template").select_option(label="Checking in")
    if not javascript:
        moderator.get_by_role("button", name="Use this template").click()
    message = moderator.get_by_label("Message", exact=True)
    message.wait_for()
    moderator.wait_for_function("() => document.getElementById('body').value.includes('check in')")
    assert "Samaritans: 116 123" in message.input_value()
    moderator.get_by_role("button", name="Send privately").click()
    moderator.get_by_text("Sent. The member has been told").wait_for()

    author.goto(f"{live_server.url}/")
    author.get_by_role("link", name="Messages 1 unread").click()
    author.get_by_role("link", name="The moderation team of Heart attack recovery").click()
    author.get_by_text("wanted to check in with you").wait_for()
    author.get_by_label("Your reply").fill("Thank you. I have a plan to end my life tonight.")
    author.get_by_role("button", name="Send").click()
    author.get_by_text("You don't have to face this alone").wait_for()

    again = db.scalars(select(ReviewItem).where(ReviewItem.conversation_id.is_not(None))).one()
    assert again.queue is ReviewQueue.URGENT
    moderator.goto(f"{live_server.url}/moderation?queue=urgent")
    moderator.get_by_text("Private message from kai").wait_for()

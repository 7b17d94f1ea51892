"""Decisions people can trust, in Chromium: undo, a reject reason that must be picked and an appeal
reviewed by a different moderator, reaching out from an admin's template, and follow-ups done."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole, User
from app.db import utcnow
from app.moderation_queue.models import FollowUp, ReviewItem, ReviewStatus
from app.posts.models import Post, PostStatus
from tests.browser.test_member_flow import sign_in
from tests.browser.test_moderation_dashboard import queue_forum, wait_until_htmx_is_idle
from tests.conftest import LiveServer
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

HELD = "Frozen grapes help with the fluid limit."
REASON = "It could hurt or upset other members."


def the_item(db: Session) -> ReviewItem:
    db.expire_all()
    return db.scalars(select(ReviewItem)).one()


def the_post(db: Session) -> Post:
    db.expire_all()
    return db.scalars(select(Post).where(Post.body_source == HELD)).one()


def open_item(page: Any, live_server: LiveServer, item: ReviewItem, javascript: bool) -> None:
    """With JavaScript, from the queue into its pane (j); without, the item's own page."""
    if javascript:
        page.goto(f"{live_server.url}/moderation")
        page.keyboard.press("j")
        page.locator("#item-pane article.item-card").wait_for()
        wait_until_htmx_is_idle(page)
    else:
        page.goto(f"{live_server.url}/moderation/items/{item.id}")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_moderator_undoes_an_approval(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    queue_forum(db, [HELD])
    item = the_item(db)
    page = new_page(javascript)
    sign_in(page, live_server, "rowan@example.org")
    if javascript:
        page.goto(f"{live_server.url}/moderation")
        page.keyboard.press("j")
        pane = page.locator("#item-pane")
        pane.locator("article.item-card").wait_for()
        wait_until_htmx_is_idle(page)
        pane.get_by_role("button", name="Approve", exact=True).click()
        pane.get_by_text("The queue is clear. Thank you!").wait_for()
    else:
        page.goto(f"{live_server.url}/moderation/items/{item.id}")
        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_url("**/moderation?notice=approve&undo=*")
    assert the_post(db).status is PostStatus.PUBLISHED
    page.get_by_role("button", name="Undo this decision").click()
    page.get_by_text("Undone: the item is back on the queue and claimed by you.").wait_for()
    if javascript:
        assert page.url.endswith("/moderation")  # the card came back in place
    assert the_post(db).status is PostStatus.HELD
    assert the_item(db).status is ReviewStatus.PENDING


def test_a_rejection_needs_a_reason_and_a_different_moderator_reviews_the_appeal(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum, thread_id = queue_forum(db, [HELD])
    item = the_item(db)
    rowan = new_page()
    sign_in(rowan, live_server, "rowan@example.org")
    rowan.goto(f"{live_server.url}/moderation/items/{item.id}")
    reason = rowan.get_by_label("Reason the author sees")
    assert reason.input_value() == ""  # no reason is picked for the moderator
    rowan.get_by_role("button", name="Reject", exact=True).click()
    assert reason.evaluate("el => el.validity.valueMissing") is True
    assert the_item(db).status is ReviewStatus.PENDING
    reason.select_option(label=REASON)
    rowan.get_by_role("button", name="Reject", exact=True).click()
    rowan.get_by_text("The queue is clear. Thank you!").wait_for()
    assert the_post(db).status is PostStatus.REJECTED

    author = new_page()
    sign_in(author, live_server, "kai@example.org")
    author.goto(f"{live_server.url}/f/{forum.slug}/t/{thread_id}")
    author.get_by_role("link", name="Appeal this decision").click()
    author.get_by_label("Why the decision should change").fill(
        "I was sharing a tip that helped me, not giving advice."
    )
    author.get_by_role("button", name="Send my appeal").click()
    author.get_by_text("Your appeal has been sent.").wait_for()
    assert author.get_by_role("button", name="Send my appeal").count() == 0  # once only

    rowan.goto(f"{live_server.url}/moderation/appeals")
    rowan.get_by_text("No appeals about posts are waiting for you.").wait_for()
    alex = new_page()
    sign_in(alex, live_server, "alex@example.org")
    alex.goto(f"{live_server.url}/moderation/appeals")
    alex.get_by_text("I was sharing a tip that helped me").wait_for()
    alex.get_by_label("Your answer to the member").fill("You're right: it's back up.")
    alex.get_by_role("button", name="Overturn and publish the post").click()
    alex.get_by_text("Decided. The author has been told.").wait_for()
    assert the_post(db).status is PostStatus.PUBLISHED
    author.goto(f"{live_server.url}/notifications")
    author.get_by_text("the decision was overturned and your post is published").wait_for()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_reason_the_forum_no_longer_offers_brings_the_form_back(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    forum, _thread_id = queue_forum(db, [HELD])
    item = the_item(db)
    page = new_page(javascript)
    sign_in(page, live_server, "rowan@example.org")
    open_item(page, live_server, item, javascript)
    # While the card is open, an admin rewrites the forum's reasons.
    forum.policy.rejection_reasons = ["Please keep to the forum's topic."]
    db.commit()
    page.get_by_label("Reason the author sees").select_option(label=REASON)
    page.get_by_label("Message to the author (optional)").fill("Thanks for understanding.")
    page.get_by_role("button", name="Reject", exact=True).click()
    summary = page.locator(".error-summary")
    summary.get_by_text("Choose a reason, so the author knows what to change.").wait_for()
    if javascript:
        assert summary.evaluate("el => el === document.activeElement")
    assert page.get_by_label("Message to the author (optional)").input_value() == (
        "Thanks for understanding."
    )
    assert the_item(db).status is ReviewStatus.PENDING
    page.get_by_label("Reason the author sees").select_option(
        label="Please keep to the forum's topic."
    )
    page.get_by_role("button", name="Reject", exact=True).click()
    page.get_by_text("Rejected; the author will see your reason.").wait_for()
    assert the_post(db).status is PostStatus.REJECTED


def test_a_moderator_reaches_out_from_a_template_the_admin_wrote(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum, _thread_id = queue_forum(db, [HELD])
    UserFactory(email="chair@charity.example", handle="chair", site_role=SiteRole.ADMIN)
    item = the_item(db)
    admin = new_page()
    sign_in(admin, live_server, "chair@charity.example")
    admin.goto(f"{live_server.url}/admin")
    admin.get_by_role("link", name="Reach-out templates").first.click()
    admin.locator("#title-1").fill("Kidney team check-in")
    admin.locator("#body-1").fill(
        "Hi from the kidney forum team. How are you doing?\n\n{resources}"
    )
    admin.get_by_role("button", name="Save templates").click()
    admin.get_by_text("Saved. Moderators see these templates from now on.").wait_for()

    moderator = new_page()
    sign_in(moderator, live_server, "rowan@example.org")
    moderator.goto(f"{live_server.url}/moderation/items/{item.id}")
    moderator.get_by_role("link", name="Write to kidneybean_kai privately").click()
    moderator.get_by_label("Start from a template").select_option(label="Kidney team check-in")
    moderator.wait_for_function(
        "() => document.getElementById('body').value.includes('kidney forum team')"
    )
    message = moderator.get_by_label("Message", exact=True).input_value()
    assert "{resources}" not in message and "Samaritans" in message
    moderator.get_by_role("button", name="Send privately").click()
    moderator.get_by_text("Sent. The member has been told").wait_for()
    author = new_page()
    sign_in(author, live_server, "kai@example.org")
    author.goto(f"{live_server.url}/messages")
    author.get_by_role("link", name=f"The moderation team of {forum.name}").click()
    author.get_by_text("Hi from the kidney forum team.").wait_for()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_due_follow_up_is_marked_done(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    forum, _thread_id = queue_forum(db, [HELD])
    item = the_item(db)
    kai = db.scalars(select(User).where(User.handle == "kidneybean_kai")).one()
    rowan_id = db.scalars(select(User.id).where(User.handle == "mod_rowan")).one()
    db.add(
        FollowUp(
            review_item_id=item.id,
            forum_id=forum.id,
            member_id=kai.id,
            moderator_id=rowan_id,
            created_at=utcnow() - timedelta(hours=25),
            due_at=utcnow() - timedelta(hours=1),
        )
    )
    db.commit()
    page = new_page(javascript)
    sign_in(page, live_server, "rowan@example.org")
    page.goto(f"{live_server.url}/moderation")
    page.get_by_text("Look in on kidneybean_kai").wait_for()
    page.get_by_text("They have posted 2 times since.").wait_for()  # the thread and the reply
    page.get_by_role("button", name="Mark as done").click()
    page.get_by_text("Follow-up marked as done.").wait_for()
    if not javascript:
        assert page.url.endswith("/moderation?notice=follow_up_done")
    else:
        assert page.url.endswith("/moderation")
    db.expire_all()
    assert db.scalars(select(FollowUp)).one().done_at is not None
    page.goto(f"{live_server.url}/moderation")
    assert page.get_by_text("Look in on kidneybean_kai").count() == 0


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_note_is_saved_without_leaving_the_item(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    queue_forum(db, [HELD])
    item = the_item(db)
    page = new_page(javascript)
    sign_in(page, live_server, "rowan@example.org")
    open_item(page, live_server, item, javascript)
    page.locator("#author-history > summary").click()
    page.get_by_label("Add a private note").fill("Wrote to them privately; call back tomorrow.")
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Wrote to them privately; call back tomorrow.").wait_for()
    page.get_by_text("Note saved.").wait_for()
    if javascript:
        assert page.url.endswith("/moderation")  # the queue and the card stayed where they were
        assert page.locator("#item-pane article.item-card").count() == 1
    else:
        assert page.url.endswith(f"/moderation/items/{item.id}?note=saved#author-history")


def test_escalating_opens_its_form_in_the_pane_and_comes_back_to_the_item(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    queue_forum(db, [HELD])
    page = new_page(True)
    sign_in(page, live_server, "rowan@example.org")
    page.goto(f"{live_server.url}/moderation")
    page.keyboard.press("j")
    pane = page.locator("#item-pane")
    pane.locator("article.item-card").wait_for()
    wait_until_htmx_is_idle(page)
    page.keyboard.press("u")  # the one Escalate: its form, in the pane
    pane.get_by_role("heading", name="Escalate this item").wait_for()
    pane.get_by_label("Clinical reviewers").check()
    pane.get_by_label("Why (the person who takes it over reads this first)").fill(
        "Advice about fluid limits; needs a clinician."
    )
    pane.get_by_role("button", name="Escalate", exact=True).click()
    pane.get_by_text("escalated to the clinical reviewers").wait_for()
    assert page.url.endswith("/moderation")  # never left the dashboard
    assert the_item(db).escalation == "clinical"


def test_a_bulk_rejection_shows_the_posts_and_takes_a_reason_from_the_forums_list(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    other = "Has anyone tried the new clinic on Thursdays?"
    queue_forum(db, [HELD, other])
    page = new_page(False)  # a plain form, with or without JavaScript
    sign_in(page, live_server, "rowan@example.org")
    page.goto(f"{live_server.url}/moderation")
    for box in page.get_by_role("checkbox", name="Select item").all():
        box.check()
    page.get_by_role("button", name="Reject selected…").click()
    page.get_by_role("heading", name="Reject 2 items?").wait_for()
    assert page.get_by_text(HELD).is_visible() and page.get_by_text(other).is_visible()
    page.get_by_role("button", name="Yes, reject 2").click()  # no reason yet: refused
    page.get_by_label("Reason the authors see").select_option(REASON)
    page.get_by_role("button", name="Yes, reject 2").click()
    page.wait_for_url("**/moderation?notice=bulk")
    db.expire_all()
    assert {i.status for i in db.scalars(select(ReviewItem))} == {ReviewStatus.REJECTED}

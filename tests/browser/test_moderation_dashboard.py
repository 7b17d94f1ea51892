"""The moderation dashboard in Chromium: keyboard-only clearing, colleagues, live urgent items, appeals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.forums.models import Forum, MembershipRole, ModerationMode
from app.moderation_queue.models import ModerationDecision, ReviewItem, ReviewStatus
from app.posts.models import PostStatus
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post

pytestmark = pytest.mark.browser

KIND_REPLIES = [
    "Evening dialysis slots changed everything for me.",
    "Frozen grapes help with the fluid limit.",
    "My renal nurse suggested a pill organiser.",
    "Uni gave me extensions once I asked the disability service.",
    "Naps after dialysis are not lazy, they are recovery.",
    "The transplant list felt endless but it moved.",
    "Low potassium recipes from the kidney charity are good.",
    "I bring a blanket, the unit is always cold.",
    "Talking to a counsellor helped with the anxiety.",
    "You are not alone in this, we are here.",
]


def queue_forum(db: Session, held_posts: list[str]) -> tuple[Forum, int]:
    """A pre-moderated forum with a moderator and the given replies held for review."""
    forum = ForumFactory(
        name="Young adults with kidney disease (18–30)", moderation_mode=ModerationMode.PRE_MODERATE
    )
    author = member_of(forum, email="kai@example.org", handle="kidneybean_kai")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    thread = thread_with_opening_post(forum, author, title="Starting dialysis")
    for body in held_posts:
        post = PostFactory(
            thread=thread,
            author=author,
            body_source=body,
            status=PostStatus.HELD,
            published_at=None,
        )
        db.add(
            ReviewItem(
                post_id=post.id, forum_id=forum.id, queue="held", priority=10, reason_codes=[]
            )
        )
    db.commit()
    return forum, thread.id


def wait_until_htmx_is_idle(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added')"
    )


def test_a_moderator_clears_ten_held_posts_with_the_keyboard_alone(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    queue_forum(db, KIND_REPLIES)
    page = new_page()
    sign_in(page, live_server, "rowan@example.org")
    page.goto(f"{live_server.url}/moderation")
    page.keyboard.press("j")
    for _ in range(10):
        card = page.locator("#item-pane article.item-card")
        card.wait_for()
        wait_until_htmx_is_idle(page)
        before = card.get_attribute("data-item-id")
        page.keyboard.press("a")
        page.wait_for_function(
            "before => { const c = document.querySelector('#item-pane [data-item-id]');"
            " return !c || c.getAttribute('data-item-id') !== before; }",
            arg=before,
        )
    page.get_by_text("The queue is clear. Thank you!").wait_for()
    statuses = set(db.scalars(select(ReviewItem.status)))
    assert statuses == {ReviewStatus.APPROVED}
    assert len(db.scalars(select(ModerationDecision)).all()) == 10


def test_two_moderators_at_once_never_decide_the_same_item(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    queue_forum(db, KIND_REPLIES[:4])
    rowan, alex = new_page(), new_page()
    sign_in(rowan, live_server, "rowan@example.org")
    sign_in(alex, live_server, "alex@example.org")
    for page in (rowan, alex):
        page.goto(f"{live_server.url}/moderation")
    rowan.keyboard.press("j")  # opens and claims the first item
    rowan.locator("#item-pane article.item-card").wait_for()
    claimed = rowan.locator("#item-pane article.item-card").get_attribute("data-item-id")
    alex.goto(f"{live_server.url}/moderation/items/{claimed}")
    assert alex.get_by_text("Being reviewed by mod_rowan").is_visible()
    # Both work through the queue as fast as they can, each pressing "a" on whatever is open.
    alex.goto(f"{live_server.url}/moderation")
    alex.keyboard.press("j")
    for _ in range(6):
        for page in (rowan, alex):
            if page.locator("#item-pane article.item-card").count():
                page.keyboard.press("a")
                page.wait_for_timeout(150)
    rowan.wait_for_timeout(500)
    decided = db.scalars(select(ModerationDecision.review_item_id)).all()
    assert len(decided) == len(set(decided))  # no item was decided twice
    assert len(decided) == 4


def test_a_crisis_post_jumps_to_the_top_while_the_page_is_open(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum, thread_id = queue_forum(db, KIND_REPLIES[:3])
    moderator = new_page()
    sign_in(moderator, live_server, "rowan@example.org")
    moderator.goto(f"{live_server.url}/moderation")
    assert moderator.locator("#queue-list .queue-entry").count() == 3
    author = new_page()
    sign_in(author, live_server, "kai@example.org")
    author.goto(f"{live_server.url}/f/{forum.slug}/t/{thread_id}")
    author.get_by_label("Your reply").fill(
        "I can't do this anymore. Everyone would be better off without me."
    )
    author.get_by_role("button", name="Post reply").click()
    author.get_by_text("You don't have to face this alone").wait_for()
    assert author.get_by_text("Samaritans").first.is_visible()
    first = moderator.locator("#queue-list .queue-entry").first
    first.locator(".badge--urgent").wait_for(
        timeout=15_000
    )  # the live queue polls every few seconds
    assert "(1 urgent)" in moderator.title()
    assert moderator.get_by_text("1 new item since you opened this page.").is_visible()


def test_a_rejected_author_sees_the_reason(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum, thread_id = queue_forum(db, ["Honestly the renal team is useless, ignore them."])
    moderator = new_page()
    sign_in(moderator, live_server, "rowan@example.org")
    moderator.goto(f"{live_server.url}/moderation")
    moderator.get_by_role("link", name="Reply by kidneybean_kai").click()
    card = moderator.locator("#item-pane article.item-card")
    card.get_by_label("Reason the author sees").select_option(
        "It breaks the forum's guidelines in another way."
    )
    card.get_by_label("Message to the author (optional)").fill(
        "Please raise concerns with PALS instead."
    )
    card.get_by_role("button", name="Reject").click()
    moderator.get_by_text("Rejected; the author will see your reason.").wait_for()
    author = new_page()
    sign_in(author, live_server, "kai@example.org")
    author.goto(f"{live_server.url}/f/{forum.slug}/t/{thread_id}")
    assert author.get_by_text(
        "Their reason: It breaks the forum's guidelines in another way."
    ).is_visible()
    author.goto(f"{live_server.url}/notifications")
    assert author.get_by_text("Please raise concerns with PALS instead.").is_visible()


def test_an_appeal_reaches_a_different_moderator(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum, _thread_id = queue_forum(db, [])
    kai = db.scalars(select(User).where(User.handle == "kidneybean_kai")).one()
    rowan = new_page(javascript=False)
    sign_in(rowan, live_server, "rowan@example.org")
    rowan.goto(f"{live_server.url}/moderation/members/{kai.id}?forum={forum.slug}")
    rowan.get_by_label("Mute (can read, cannot post)").check()
    rowan.get_by_label("For how many days").fill("7")
    rowan.get_by_label("Reason (the member sees this)").fill(
        "Please take a short break after yesterday's thread."
    )
    rowan.get_by_role("button", name="Apply").click()

    kai_page = new_page()
    sign_in(kai_page, live_server, "kai@example.org")
    kai_page.goto(f"{live_server.url}/account/sanctions")
    assert kai_page.get_by_text("Please take a short break").is_visible()
    kai_page.get_by_text("Appeal this decision").click()
    kai_page.get_by_label("Why should it be reconsidered?").fill(
        "I was quoting my nurse, not giving advice."
    )
    kai_page.get_by_role("button", name="Send appeal").click()
    kai_page.get_by_text("A different moderator will review it.").first.wait_for()

    rowan.goto(f"{live_server.url}/moderation/appeals")
    assert rowan.get_by_text("I was quoting my nurse").count() == 0
    alex = new_page()
    sign_in(alex, live_server, "alex@example.org")
    alex.goto(f"{live_server.url}/moderation/appeals")
    assert alex.get_by_text("I was quoting my nurse").is_visible()
    alex.get_by_label("Your answer to the member").fill("Thanks for explaining; lifted.")
    alex.get_by_role("button", name="Overturn and lift it").click()
    alex.get_by_text("Decided. The member has been told.").wait_for()

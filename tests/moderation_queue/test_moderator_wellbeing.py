"""Looking after moderators: the queue shows a snippet of each post (hidden for crisis items while
the moderator's wellbeing setting says so), the bulk confirmation shows the posts, the shift timer
counts from the start of the shift, and a break is suggested after N crisis items or M minutes."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.clock import ManualClock
from app.forums.models import ModerationMode
from tests.conftest import Browser
from tests.moderation_queue.test_review_queue import (
    CRISIS,
    HOSTILE,
    KIND,
    decide,
    item_of,
    post_reply,
    setup_forum,
)

HIDDEN = "May be distressing: show a preview"


def settings(browser: Browser, blur: bool = True, crisis: int = 5, minutes: int = 90) -> int:
    form = {"break_after_crisis_items": str(crisis), "break_after_minutes": str(minutes)}
    if blur:
        form["blur_distressing"] = "true"
    return browser.post("/moderation/wellbeing", form).status_code


def test_the_queue_shows_a_snippet_and_hides_crisis_posts_until_chosen(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    post_reply(sam, forum, thread_id, CRISIS)
    page = rowan.get("/moderation").text
    assert f'<p class="snippet">{KIND}</p>' in page
    hidden = page[page.index(HIDDEN) - 200 : page.index(HIDDEN) + 200]
    assert "<details" in hidden and "better off without me" in hidden  # there, behind "show"
    assert "better off without me</p>" not in page.replace(hidden, "")
    card = rowan.get(f"/moderation/items/{item_of(db, CRISIS).id}").text
    assert "This post may be distressing to read. Show it" in card

    assert settings(rowan, blur=False) == 200
    page = rowan.get("/moderation").text
    assert HIDDEN not in page and '<p class="snippet">I can&#39;t go on.' in page
    card = rowan.get(f"/moderation/items/{item_of(db, CRISIS).id}").text
    assert "This post may be distressing to read. Show it" not in card


def test_the_bulk_confirmation_shows_the_posts(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    post_reply(sam, forum, thread_id, HOSTILE)
    ids = [str(item_of(db, body).id) for body in (KIND, HOSTILE)]
    confirm = rowan.client.post(
        "/moderation/bulk",
        data={
            "action": "reject",
            "reason": "It could hurt or upset other members.",
            "item_ids": ids,
            "csrf_token": rowan.get("/").text.split('"X-CSRF-Token": "')[1].split('"')[0],
        },
    ).text
    assert "Reject 2 items?" in confirm
    assert "Sending you strength today." in confirm and "stop whining" in confirm


def test_the_shift_timer_counts_from_the_start_of_the_shift(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    assert "You are not on shift." in rowan.get("/moderation").text
    decide(rowan, item_of(db, KIND), "approve")  # deciding starts the shift
    clock.advance(minutes=30)
    page = rowan.get("/moderation").text
    assert "On shift for 30 min: <strong>1</strong> item reviewed, 0 of them crisis items." in page
    ended = rowan.post("/moderation/shift", {"action": "end"}).text
    assert (
        "Your shift has ended. Thank you for today." in ended and "You are not on shift." in ended
    )
    started = rowan.post("/moderation/shift", {"action": "start"}).text
    assert "On shift for 0 min: <strong>0</strong> items reviewed" in started


def test_a_break_is_suggested_after_the_chosen_number_of_crisis_items(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    assert settings(rowan, crisis=1) == 200
    post_reply(sam, forum, thread_id, CRISIS)
    assert "Time for a break?" not in rowan.get("/moderation").text
    decide(rowan, item_of(db, CRISIS), "approve")
    page = rowan.get("/moderation").text
    assert "Time for a break?" in page and "read 1 crisis item." in page
    after = rowan.post("/moderation/shift", {"action": "break"}).text
    assert "Enjoy your break." in after and "Time for a break?" not in after


def test_a_break_is_suggested_after_the_chosen_minutes(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    _forum, _thread_id, _sam, rowan = setup_forum(make_browser)
    assert settings(rowan, minutes=45) == 200
    rowan.post("/moderation/shift", {"action": "start"})
    clock.advance(minutes=44)
    assert "Time for a break?" not in rowan.get("/moderation").text
    clock.advance(minutes=1)
    assert "Time for a break?" in rowan.get("/moderation").text


def test_the_settings_are_checked_and_kept(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    _forum, _thread_id, _sam, rowan = setup_forum(make_browser)
    assert settings(rowan, crisis=0) == 422
    assert settings(rowan, minutes=5) == 422
    assert settings(rowan, blur=False, crisis=3, minutes=60) == 200
    page = rowan.get("/moderation/wellbeing").text
    assert 'value="3"' in page and 'value="60"' in page and " checked" not in page

"""Claims that cannot hide urgent work: claiming is a POST, an urgent claim lapses after 60 s
without activity, others see who holds it and for how long, and refusals say why."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import ManualClock
from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ModeratorNote, ReviewItem, ReviewQueue, ReviewStatus
from tests.conftest import Browser
from tests.factories import member_of
from tests.moderation_queue.test_review_queue import (
    CRISIS,
    KIND,
    decide,
    item_of,
    post_reply,
    setup_forum,
)

HTMX = {"HX-Request": "true"}


def two_moderators_and_a_crisis(
    make_browser: Callable[[], Browser], db: Session
) -> tuple[ReviewItem, Browser, Browser]:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    post_reply(sam, forum, thread_id, CRISIS)
    item = item_of(db, CRISIS)
    assert item.queue is ReviewQueue.URGENT
    return item, rowan, alex


def test_reading_an_item_claims_nothing(make_browser: Callable[[], Browser], db: Session) -> None:
    item, rowan, alex = two_moderators_and_a_crisis(make_browser, db)
    card = rowan.get(f"/moderation/items/{item.id}").text
    db.refresh(item)
    assert item.claimed_by_id is None and item.version == 1
    assert "Claim it, so colleagues know you are reviewing it" in card
    assert "Being reviewed by" not in alex.get(f"/moderation/items/{item.id}").text


def test_opening_from_the_queue_claims_and_shows_who_and_for_how_long(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    item, rowan, alex = two_moderators_and_a_crisis(make_browser, db)
    card = rowan.post(f"/moderation/items/{item.id}/claim", headers=HTMX).text
    assert "<html" not in card and "data-claim-keepalive" in card
    clock.advance(seconds=50)
    assert rowan.post(f"/moderation/items/{item.id}/claim?keepalive=true").status_code == 204
    clock.advance(seconds=50)  # 100 s since the claim, 50 s since the last sign of activity
    shown = alex.get(f"/moderation/items/{item.id}").text
    assert "Being reviewed by mod_rowan for 1 minute." in shown
    assert "being reviewed by mod_rowan for 1 min" in alex.get("/moderation").text


def test_an_idle_claim_on_an_urgent_item_lapses_after_a_minute(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    item, rowan, alex = two_moderators_and_a_crisis(make_browser, db)
    rowan.post(f"/moderation/items/{item.id}/claim")
    clock.advance(seconds=59)
    assert decide(alex, item, "approve").status_code == 409
    clock.advance(seconds=2)  # 61 s without activity: the item is back with the team
    assert "Being reviewed by" not in alex.get(f"/moderation/items/{item.id}").text
    assert alex.post(f"/moderation/items/{item.id}/claim?keepalive=true").status_code == 204
    # Rowan comes back to the screen: the lapsed claim is not theirs any more.
    assert rowan.post(f"/moderation/items/{item.id}/claim?keepalive=true").status_code == 409
    assert decide(alex, item, "approve").status_code == 200
    db.refresh(item)
    assert item.status is ReviewStatus.APPROVED


def test_an_ordinary_item_is_held_for_five_minutes(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    post_reply(sam, forum, thread_id, KIND)
    item = item_of(db, KIND)
    rowan.post(f"/moderation/items/{item.id}/claim")
    clock.advance(minutes=4)
    assert decide(alex, item, "approve").status_code == 409
    clock.advance(minutes=2)
    assert decide(alex, item, "approve").status_code == 200


def test_an_item_that_becomes_urgent_keeps_a_claim_only_while_its_moderator_is_active(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    post_reply(sam, forum, thread_id, KIND)
    item = item_of(db, KIND)
    rowan.post(f"/moderation/items/{item.id}/claim")  # five minutes, as a held item
    sam.post(f"/posts/{item.post_id}/edit", {"body": CRISIS})  # the author rewrites it
    db.refresh(item)
    assert item.queue is ReviewQueue.URGENT
    clock.advance(seconds=61)
    assert decide(alex, item, "approve").status_code == 200


def test_a_refusal_says_whether_it_was_decided_or_is_being_reviewed(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    item, rowan, alex = two_moderators_and_a_crisis(make_browser, db)
    rowan.post(f"/moderation/items/{item.id}/claim")
    busy = alex.post(
        f"/moderation/items/{item.id}/decide", {"action": "approve"}, headers=HTMX
    ).text
    assert "Nothing was changed." in busy and "Being reviewed by mod_rowan" in busy
    decide(rowan, item, "approve")
    gone = alex.post(
        f"/moderation/items/{item.id}/decide", {"action": "approve"}, headers=HTMX
    ).text
    assert "Already decided by mod_rowan, so nothing was changed. Here is the next one." in gone


def test_without_javascript_the_refusal_page_says_which_of_the_two_it_was(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    item, rowan, alex = two_moderators_and_a_crisis(make_browser, db)
    rowan.post(f"/moderation/items/{item.id}/claim")
    clock.advance(seconds=30)
    busy = decide(alex, item, "approve")
    assert busy.status_code == 409 and "A colleague is reviewing this item" in busy.text
    assert "Already decided" not in busy.text
    decide(rowan, item, "approve")
    gone = decide(alex, item, "approve")
    assert gone.status_code == 409 and "Already decided by mod_rowan" in gone.text
    assert "A colleague is reviewing this item" not in gone.text


def test_without_javascript_a_note_is_saved_and_the_item_stays_open(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    item, rowan, _alex = two_moderators_and_a_crisis(make_browser, db)
    saved = rowan.post(
        f"/moderation/items/{item.id}/notes",
        {"body": "Wrote to them privately."},
        follow_redirects=False,
    )
    assert saved.headers["location"] == f"/moderation/items/{item.id}?note=saved#author-history"
    page = rowan.get(saved.headers["location"]).text
    assert "Wrote to them privately." in page and "Note saved." in page
    assert '<details id="author-history" open>' in page


def test_the_queue_is_never_called_clear_while_a_colleague_holds_an_item(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    post_reply(sam, forum, thread_id, KIND)
    post_reply(sam, forum, thread_id, CRISIS)
    kind, crisis = item_of(db, KIND), item_of(db, CRISIS)
    alex.post(f"/moderation/items/{crisis.id}/claim")
    after = rowan.post(
        f"/moderation/items/{kind.id}/decide", {"action": "approve"}, headers=HTMX
    ).text
    assert "The queue is clear" not in after
    assert "1 item is being reviewed by a colleague" in after


def test_a_note_is_saved_in_place_and_keeps_the_claim(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    item, rowan, alex = two_moderators_and_a_crisis(make_browser, db)
    rowan.post(f"/moderation/items/{item.id}/claim")
    clock.advance(seconds=50)
    fragment = rowan.post(
        f"/moderation/items/{item.id}/notes",
        {"body": "Called the author's GP? No: wrote to them."},
        headers=HTMX,
    ).text
    assert "<html" not in fragment and "Note saved." in fragment and "wrote to them" in fragment
    assert db.scalars(select(ModeratorNote)).one().author_id is not None
    clock.advance(seconds=50)  # 100 s after claiming, 50 s after the note
    assert decide(alex, item, "approve").status_code == 409

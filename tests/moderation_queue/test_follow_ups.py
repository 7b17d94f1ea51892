"""Follow-up: after an urgent item is decided, the moderator is reminded a day later to look in on
the author (have they posted since? replied to the team's message?) until someone marks it done."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.clock import ManualClock
from app.forums.models import Forum, MembershipRole
from app.moderation_queue.models import FollowUp, ModerationDecision
from app.posts.models import Thread
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of, rejection_reason
from tests.moderation_queue.test_review_queue import (
    CRISIS,
    KIND,
    decide,
    item_of,
    post_reply,
    setup_forum,
)

HTMX = {"HX-Request": "true"}


def crisis_decided(
    make_browser: Callable[[], Browser], db: Session
) -> tuple[Forum, int, Browser, Browser]:
    """Sam's crisis reply, approved by Rowan; returns the forum, the item's id and both."""
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, CRISIS)
    item = item_of(db, CRISIS)
    decide(rowan, item, "approve")
    return forum, item.id, sam, rowan


def test_a_follow_up_appears_a_day_after_an_urgent_decision_until_marked_done(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    _forum, item_id, _sam, rowan = crisis_decided(make_browser, db)
    assert "Look in on sam" not in rowan.get("/moderation").text
    clock.advance(hours=23, minutes=59)
    assert "Look in on sam" not in rowan.get("/moderation").text
    clock.advance(minutes=2)
    page = rowan.get("/moderation").text
    assert "Follow-up due (1)" in page and "Look in on sam" in page
    assert "They have not posted since." in page
    assert "Nobody has written to them privately yet." in page
    assert f'href="/moderation/items/{item_id}/message"' in page
    follow_up = db.scalars(select(FollowUp)).one()
    done = rowan.post(f"/moderation/follow-ups/{follow_up.id}/done", follow_redirects=False)
    assert done.headers["location"] == "/moderation?notice=follow_up_done"
    page = rowan.get("/moderation?notice=follow_up_done").text
    assert "Follow-up marked as done." in page and "Look in on sam" not in page
    assert "follow_up.done" in db.scalars(select(AuditEvent.action)).all()


def test_it_says_whether_the_author_posted_and_replied_since(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum, item_id, sam, rowan = crisis_decided(make_browser, db)
    sent = rowan.post(
        f"/moderation/items/{item_id}/message",
        {"body": "Hello, we saw your post and wanted to check in. How are you today?"},
        follow_redirects=False,
    )
    conversation_id = sent.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    clock.advance(hours=2)
    sam.post(f"/messages/{conversation_id}", {"body": "Thank you, a little better today."})
    thread_id = db.scalars(select(Thread.id).where(Thread.forum_id == forum.id)).one()
    post_reply(sam, forum, thread_id, KIND)
    clock.advance(hours=23)
    page = rowan.get("/moderation").text
    assert "They have posted 1 time since." in page
    assert "They replied to the team's message." in page
    assert f'href="/moderation/conversations/{conversation_id}"' in page


def test_any_moderator_of_the_forum_can_mark_it_done_in_place(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    post_reply(sam, forum, thread_id, CRISIS)
    decide(rowan, item_of(db, CRISIS), "approve")
    clock.advance(hours=25)
    page = alex.get("/moderation").text
    assert "Look in on sam" in page and "(decided by mod_rowan)" in page
    follow_up = db.scalars(select(FollowUp)).one()
    fragment = alex.post(f"/moderation/follow-ups/{follow_up.id}/done", headers=HTMX).text
    assert "<html" not in fragment and f'id="follow-up-{follow_up.id}"' in fragment
    assert "Follow-up marked as done." in fragment
    db.refresh(follow_up)
    assert follow_up.done_at is not None and follow_up.done_by_id is not None
    assert "Look in on sam" not in rowan.get("/moderation").text


def test_moderators_of_other_forums_cannot_see_or_do_it(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    crisis_decided(make_browser, db)
    other = ForumFactory()
    member_of(other, MembershipRole.MODERATOR, email="jo@example.org", handle="mod_jo")
    jo = make_browser()
    jo.sign_in("jo@example.org")
    clock.advance(hours=25)
    assert "Look in on sam" not in jo.get("/moderation").text
    follow_up = db.scalars(select(FollowUp)).one()
    assert jo.post(f"/moderation/follow-ups/{follow_up.id}/done").status_code == 404
    db.refresh(follow_up)
    assert follow_up.done_at is None


def test_undoing_the_decision_cancels_its_follow_up(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    _forum, _item_id, _sam, rowan = crisis_decided(make_browser, db)
    decision = db.scalars(select(ModerationDecision)).one()
    assert rowan.post(f"/moderation/decisions/{decision.id}/undo").status_code == 200
    assert db.scalars(select(FollowUp)).all() == []
    clock.advance(hours=25)
    assert "Look in on sam" not in rowan.get("/moderation").text


def test_a_forum_can_follow_up_sooner(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    forum.policy.follow_up_hours = 4
    db.commit()
    post_reply(sam, forum, thread_id, CRISIS)
    decide(rowan, item_of(db, CRISIS), "reject", reason=rejection_reason(forum))
    clock.advance(hours=4, minutes=1)
    assert "Look in on sam" in rowan.get("/moderation").text

"""Personal goals: set with a reminder, recorded in one tap, seen as a simple history; shared
only with the member's buddy or one cohort, whose members may cheer it on; assessed like posts."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import Alert
from app.audit.models import AuditEvent
from app.buddies import service as buddies
from app.clock import ManualClock
from app.cohorts import service as cohorts
from app.forums.models import Forum, MembershipRole
from app.goals import service as goals
from app.goals.models import Goal, GoalProgress, GoalSharing
from app.moderation_queue import items
from app.moderation_queue.models import ReviewItem, ReviewQueue, ScreenedText, TextSource
from app.notifications.models import Notification
from tests.conftest import Browser
from tests.factories import ForumFactory, buddy_request, buddy_with_room, member_of

WALK = "Swim twice a week at the leisure centre"


def signed_in(make_browser: Callable[[], Browser], email: str) -> Browser:
    browser = make_browser()
    browser.sign_in(email)
    return browser


def test_a_goal_is_set_reminded_on_its_days_and_recorded_in_one_tap(
    make_browser: Callable[[], Browser], db: Session, app: FastAPI, clock: ManualClock
) -> None:
    forum = ForumFactory()
    member_of(forum, email="sam@example.org")
    sam = signed_in(make_browser, "sam@example.org")
    tomorrow = (clock.now().weekday() + 1) % 7
    set_ = sam.post(
        "/goals",
        {"text": WALK, "share": f"private-{forum.id}", "days": str(tomorrow), "weeks": "4"},
        follow_redirects=False,
    )
    assert set_.status_code == 303
    goal = db.scalars(select(Goal)).one()
    assert goal.sharing is GoalSharing.PRIVATE and goal.reminder_days == [tomorrow]
    worker = app.state.assessments.worker
    worker.run_until_idle()
    assert db.scalars(select(Notification).where(Notification.kind == "goal.reminder")).all() == []
    clock.advance(days=1)
    worker.run_until_idle()
    worker.run_until_idle()
    reminders = db.scalars(select(Notification).where(Notification.kind == "goal.reminder")).all()
    assert len(reminders) == 1 and WALK not in reminders[0].text  # never the goal's words
    sam.sign_in("sam@example.org")
    sam.post(f"/goals/{goal.id}/progress")
    sam.post(f"/goals/{goal.id}/progress")  # a second tap the same day changes nothing
    assert len(db.scalars(select(GoalProgress)).all()) == 1
    page = sam.get(f"/goals/{goal.id}").text
    assert page.count("✓") == 1 and "The last four weeks" in page


def _paired(db: Session, forum: Forum) -> tuple[int, int]:
    member = member_of(forum, email="nia@example.org")
    buddy = buddy_with_room(forum, user={"email": "jo@example.org"})
    pairing = buddies.pair(db, forum, buddy_request(forum, member), buddy.id, member_of(forum))
    db.commit()
    return pairing.id, member.id


def test_a_goal_shared_with_a_buddy_is_seen_and_cheered_only_by_the_buddy(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    pairing_id, _member = _paired(db, forum)
    member_of(forum, email="kai@example.org")
    nia, jo, kai = (signed_in(make_browser, f"{n}@example.org") for n in ("nia", "jo", "kai"))
    assert f"buddy-{pairing_id}" in nia.get("/goals").text
    nia.post("/goals", {"text": WALK, "share": f"buddy-{pairing_id}", "weeks": "2"})
    goal = db.scalars(select(Goal)).one()
    assert WALK in jo.get("/goals").text
    assert jo.post(f"/goals/{goal.id}/encourage", follow_redirects=False).status_code == 303
    assert "Cheered on 1 times" in nia.get(f"/goals/{goal.id}").text
    assert "Someone cheered you on" in nia.get("/notifications").text
    # The buddy cheers; they do not record the member's progress.
    assert jo.post(f"/goals/{goal.id}/progress").status_code == 403
    # Another member of the forum: not found, whatever they try.
    assert WALK not in kai.get("/goals").text
    assert kai.get(f"/goals/{goal.id}").status_code == 404
    assert kai.post(f"/goals/{goal.id}/encourage").status_code == 404
    assert kai.post(f"/goals/{goal.id}/progress").status_code == 404
    # Nor may anyone share into a pairing they are not in.
    refused = kai.post("/goals", {"text": WALK, "share": f"buddy-{pairing_id}", "weeks": "2"})
    assert refused.status_code == 403
    assert len(db.scalars(select(Goal)).all()) == 1


def test_a_goal_shared_with_a_cohort_is_seen_by_that_cohort_only(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    lead = member_of(forum, MembershipRole.SUPPORTER)
    pat = member_of(forum, email="pat@example.org")
    ann = member_of(forum, email="ann@example.org")
    bob = member_of(forum, email="bob@example.org")
    ours = cohorts.create(db, forum, lead, "Spring course")
    theirs = cohorts.create(db, forum, lead, "Autumn course")
    cohorts.join(db, ours, pat)
    cohorts.join(db, ours, ann)
    cohorts.join(db, theirs, bob)  # in another cohort of the same forum
    db.commit()
    pat_b, ann_b, bob_b = (
        signed_in(make_browser, f"{n}@example.org") for n in ("pat", "ann", "bob")
    )
    pat_b.post("/goals", {"text": WALK, "share": f"cohort-{ours.id}", "weeks": "2"})
    goal = db.scalars(select(Goal)).one()
    assert WALK in ann_b.get("/goals").text
    assert ann_b.get(f"/goals/{goal.id}").status_code == 200
    assert WALK not in bob_b.get("/goals").text
    assert bob_b.get(f"/goals/{goal.id}").status_code == 404


def test_goal_texts_are_assessed_like_posts(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    pairing_id, _member = _paired(db, forum)
    nia = signed_in(make_browser, "nia@example.org")
    with_number = nia.post(
        "/goals",
        {"text": "Call me on 07700 900123 daily", "share": f"buddy-{pairing_id}", "weeks": "2"},
    )
    assert with_number.status_code == 422 and "07700 900123" in with_number.text  # kept, not lost
    crisis = nia.post(
        "/goals",
        {
            "text": "Get through the week. I have a plan to end my life",
            "share": f"buddy-{pairing_id}",
            "weeks": "1",
        },
    )
    assert "Samaritans" in crisis.text and "kept this goal private" in crisis.text
    goal = db.scalars(select(Goal)).one()
    assert goal.sharing is GoalSharing.PRIVATE


def test_a_goal_that_reads_as_a_crisis_reaches_the_urgent_queue_with_an_alert(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(name="Kidney care")
    elsewhere = ForumFactory()
    member_of(forum, email="ria@example.org", handle="ria_r")
    member_of(forum, MembershipRole.MODERATOR, email="mod@example.org")
    member_of(elsewhere, MembershipRole.MODERATOR, email="other@example.org")
    ria, mod, other = (signed_in(make_browser, f"{n}@example.org") for n in ("ria", "mod", "other"))
    # A goal that needs nobody: no item, no alert.
    ria.post("/goals", {"text": WALK, "share": f"private-{forum.id}", "weeks": "4"})
    assert db.scalars(select(ReviewItem)).all() == [] and db.scalars(select(Alert)).all() == []

    crisis = "Stay alive this week. I have a plan to end my life"
    saved = ria.post("/goals", {"text": crisis, "share": f"private-{forum.id}", "weeks": "1"})
    assert "Samaritans" in saved.text  # help for the writer at once
    item = db.scalars(select(ReviewItem)).one()
    text = db.get(ScreenedText, item.screened_text_id)
    goal = db.scalars(select(Goal).where(Goal.text == crisis)).one()
    assert item.queue is ReviewQueue.URGENT and item.forum_id == forum.id and item.distressing
    assert text is not None and text.source is TextSource.GOAL and text.source_id == goal.id
    assert db.scalars(select(Alert).where(Alert.review_item_id == item.id)).one()
    # The forum's moderators see where it came from; a moderator of another forum sees nothing.
    assert "Goal set by ria_r" in mod.get("/moderation").text
    card = mod.get(f"/moderation/items/{item.id}").text
    assert "Goal set by ria_r" in card and "end my life" in card
    assert mod.get(f"/moderation/items/{item.id}/message").status_code == 200  # reach out
    assert other.get(f"/moderation/items/{item.id}").status_code == 404
    assert "ria_r" not in other.get("/moderation").text
    # Too long to be a goal: not saved, but never lost behind the form's error either.
    long_one = crisis + ". " + "Every day is so hard and I am so tired of all of it. " * 4
    refused = ria.post("/goals", {"text": long_one, "share": f"private-{forum.id}", "weeks": "1"})
    assert refused.status_code == 200 and "Samaritans" in refused.text
    assert db.scalars(select(ScreenedText).where(ScreenedText.source_id.is_(None))).one()
    assert len(db.scalars(select(Goal)).all()) == 2
    # Handling it is recorded like any decision, and stops the alert.
    decided = mod.post(
        f"/moderation/items/{item.id}/decide",
        {"action": "dismiss", "version": str(item.version)},
        follow_redirects=False,
    )
    assert decided.status_code in (200, 303)
    db.refresh(item)
    assert item.status.value == "dismissed"


def test_a_moderator_can_take_a_goal_down_from_the_queue(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    nia = member_of(forum, email="nia@example.org", handle="nia")
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="mod@example.org")
    group = cohorts.create(db, forum, member_of(forum, MembershipRole.SUPPORTER), "Spring")
    cohorts.join(db, group, nia)
    cohorts.join(db, group, kai)
    [in_group] = [c for c in goals.share_choices(db, nia, [forum]) if c.cohort is not None]
    goal = goals.set_goal(db, nia, in_group, text=WALK, reminder_days=[], weeks=4)
    # The assessment asked a person to look at it afterwards (the Unreviewed queue).
    text = ScreenedText(
        forum_id=forum.id,
        author_id=nia.id,
        source=TextSource.GOAL,
        source_id=goal.id,
        body_source=WALK,
        route="hold",
        reasons=[],
    )
    db.add(text)
    db.flush()
    item = items.open_screened_text_item(
        db, text.id, forum.id, ReviewQueue.UNREVIEWED, priority=10, reason_codes=["model.flag"]
    )
    db.commit()
    nia_b, kai_b, mod = (signed_in(make_browser, f"{n}@example.org") for n in ("nia", "kai", "mod"))
    assert kai_b.get(f"/goals/{goal.id}").status_code == 200

    card = mod.get(f"/moderation/items/{item.id}").text
    assert "Take the goal down" in card and "Mark as handled" in card and "Approve" not in card
    refused = mod.post(
        f"/moderation/items/{item.id}/decide",
        {"action": "reject", "reason": "It is off-topic or advertising.", "version": "1"},
    )
    assert refused.status_code == 422  # nothing to publish or reject here
    taken = mod.post(
        f"/moderation/items/{item.id}/decide",
        {
            "action": "remove",
            "reason": "It is off-topic or advertising.",
            "message": "Keep goals about your own health, please.",
            "version": str(item.version),
        },
        follow_redirects=False,
    )
    assert taken.status_code in (200, 303)
    db.expire_all()
    hidden = db.get(Goal, goal.id)
    assert hidden is not None and hidden.sharing is GoalSharing.PRIVATE and hidden.cohort_id is None
    assert kai_b.get(f"/goals/{goal.id}").status_code == 404
    assert WALK not in kai_b.get("/goals").text
    assert WALK in nia_b.get(f"/goals/{goal.id}").text  # still hers
    notice = db.scalars(
        select(Notification).where(
            Notification.user_id == nia.id, Notification.kind == "goal.taken_down"
        )
    ).one()
    assert "only you can see it" in notice.text and "off-topic" in notice.text
    assert "Keep goals about your own health" in notice.text
    assert (
        db.scalars(select(AuditEvent).where(AuditEvent.action == "goal.take_down")).one().target_id
        == goal.id
    )
    assert db.get(ReviewItem, item.id).status.value == "removed"  # type: ignore[union-attr]

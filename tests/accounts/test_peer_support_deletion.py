"""Deleting an account takes the member's peer support with it: goals (with the days done and
the cheers), wellbeing check-in answers, buddy requests and profiles, words held for a moderator,
and group memberships. A pairing under way ends; other people's data stays as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import data
from app.alerts.models import Alert
from app.buddies import service as buddies
from app.buddies.models import BuddyPairing, BuddyProfile, BuddyRequest, PairingStatus
from app.clock import ManualClock
from app.cohorts import service as cohorts
from app.cohorts.models import Cohort, CohortMember
from app.forums.models import Forum, MembershipRole
from app.goals import service as goals
from app.goals.models import Goal, GoalEncouragement, GoalProgress
from app.moderation_queue import screening
from app.moderation_queue.models import ReviewItem, ScreenedText, TextSource
from app.notifications.models import Notification
from app.outcomes import service as outcomes
from app.outcomes.models import OutcomeResponse
from tests.conftest import Browser
from tests.factories import ForumFactory, buddy_request, buddy_with_room, member_of

CRISIS = "Stay alive this week. I have a plan to end my life"


def count(db: Session, model: Any, *where: Any) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_deleting_an_account_removes_its_peer_support_data_and_nobody_elses(
    db: Session, clock: ManualClock
) -> None:
    forum: Forum = ForumFactory()
    nia = member_of(forum, email="nia@example.org", handle="nia")
    kai = member_of(forum, email="kai@example.org", handle="kai")
    buddy = buddy_with_room(forum)
    moderator = member_of(forum, MembershipRole.MODERATOR)
    # Nia asks for a buddy and is paired; she offers to be a buddy herself too.
    pairing = buddies.pair(
        db, forum, buddy_request(forum, nia, hopes="Someone on dialysis"), buddy.id, moderator
    )
    buddies.save_profile(
        db,
        forum,
        nia,
        experiences=["dialysis"],
        age_band=None,
        languages=["en"],
        capacity=1,
        available=True,
    )
    # A group Nia is in, whose prompt she wrote; Kai is in it too.
    group = cohorts.create(db, forum, member_of(forum, MembershipRole.SUPPORTER), "Spring course")
    cohorts.join(db, group, nia)
    cohorts.join(db, group, kai)
    cohorts.set_rhythm(db, group, nia, day=2, prompt="How did the week go?")
    # Goals: hers (done once, cheered by Kai), and Kai's (cheered by her).
    [mine] = [c for c in goals.share_choices(db, nia, [forum]) if c.cohort is not None]
    her_goal = goals.set_goal(db, nia, mine, text="Walk daily", reminder_days=[0], weeks=4)
    goals.record_progress(db, her_goal, clock.now())
    goals.encourage(db, her_goal, kai)
    [kais] = [c for c in goals.share_choices(db, kai, [forum]) if c.cohort is not None]
    kai_goal = goals.set_goal(db, kai, kais, text="Sleep earlier", reminder_days=[], weeks=4)
    goals.encourage(db, kai_goal, nia)
    # Wellbeing answers from both; a crisis goal of hers held in the Urgent queue, with its alert.
    outcomes.record(db, forum, nia, {"confidence": 3})
    outcomes.record(db, forum, kai, {"confidence": 8})
    check = screening.screen(CRISIS, forum, None)
    item = screening.hold_for_review(db, check, forum, nia, TextSource.GOAL, her_goal.id)
    assert item is not None and count(db, Alert, Alert.review_item_id == item.id) == 1
    db.commit()
    her_goal_id = her_goal.id

    data.delete_account(db, nia, remove_posts=False)
    db.commit()
    db.expire_all()

    assert count(db, Goal, Goal.user_id == nia.id) == 0
    assert count(db, GoalProgress, GoalProgress.goal_id == her_goal_id) == 0
    assert count(db, GoalEncouragement, GoalEncouragement.goal_id == her_goal_id) == 0
    assert count(db, GoalEncouragement, GoalEncouragement.user_id == nia.id) == 0
    assert count(db, OutcomeResponse, OutcomeResponse.user_id == nia.id) == 0
    assert count(db, BuddyRequest, BuddyRequest.member_id == nia.id) == 0
    assert count(db, BuddyProfile, BuddyProfile.user_id == nia.id) == 0
    assert count(db, ScreenedText, ScreenedText.author_id == nia.id) == 0
    assert count(db, ReviewItem) == 0  # its alert goes too (the HTTP test below: a cascade)
    assert count(db, CohortMember, CohortMember.user_id == nia.id) == 0
    cohort = db.get(Cohort, group.id)
    assert cohort is not None and cohort.check_in_prompt_by_id is None
    assert cohort.check_in_prompt == "How did the week go?"  # kept, as her posts were
    # The pairing has ended, and her buddy was told.
    ended = db.get(BuddyPairing, pairing.id)
    assert ended is not None and ended.status is PairingStatus.ENDED
    assert (
        count(
            db, Notification, Notification.user_id == buddy.id, Notification.kind == "buddy.ended"
        )
        == 1
    )
    # Kai's goal, answers and place in the group are untouched; the commissioner's figures
    # hold Kai alone.
    assert count(db, Goal, Goal.user_id == kai.id) == 1
    assert count(db, OutcomeResponse, OutcomeResponse.user_id == kai.id) == 1
    assert count(db, CohortMember, CohortMember.user_id == kai.id) == 1
    assert outcomes.impact(db, forum).answered == 1


def test_removing_what_i_wrote_removes_the_group_prompt_i_wrote(db: Session) -> None:
    forum: Forum = ForumFactory()
    nia = member_of(forum)
    group = cohorts.create(db, forum, nia, "Spring course")
    cohorts.set_rhythm(db, group, nia, day=2, prompt="How did the week go?")
    db.commit()
    data.delete_account(db, nia, remove_posts=True)
    db.commit()
    db.expire_all()
    cohort = db.get(Cohort, group.id)
    assert cohort is not None and cohort.check_in_prompt == ""
    assert count(db, CohortMember, CohortMember.cohort_id == group.id) == 0


def test_deleting_my_account_through_the_site_takes_my_goals_answers_and_held_words(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum: Forum = ForumFactory()
    nia = member_of(forum, email="nia@example.org")
    me = make_browser()
    me.sign_in("nia@example.org")
    me.post("/goals", {"text": CRISIS, "share": f"private-{forum.id}", "weeks": "1"})
    me.post(f"/f/{forum.slug}/wellbeing", {"confidence": "2"})
    me.post(f"/f/{forum.slug}/buddies/request", {"hopes": "Someone who has lived it"})
    assert count(db, Goal) == count(db, ScreenedText) == count(db, OutcomeResponse) == 1
    assert count(db, BuddyRequest) == count(db, Alert) == 1
    done = me.post("/account/delete", {"posts": "keep", "confirm": "delete my account"})
    assert done.status_code == 200
    db.expire_all()
    for model in (Goal, ScreenedText, ReviewItem, Alert, OutcomeResponse, BuddyRequest):
        assert count(db, model) == 0, model
    assert me.get("/goals", follow_redirects=False).status_code == 303
    assert nia.id is not None

"""Structured peer support in Chromium: a newly diagnosed member self-refers and is paired with a
buddy, a course group's weekly check-in opens itself and is handed to a peer leader, a goal is
set, reminded and recorded, and a wellbeing check-in shows in the member's trend and, once ten
people have answered, in the commissioner's totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.alerts.models import Alert
from app.buddies.models import BuddyFeedback
from app.clock import ManualClock
from app.cohorts.models import Cohort
from app.forums.models import MembershipRole
from app.goals.models import GoalProgress
from app.moderation_queue.models import ReviewItem, ReviewQueue
from app.outcomes import service as outcomes
from app.outcomes.models import OutcomeResponse
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, UserFactory, member_of

pytestmark = pytest.mark.browser


def test_a_newcomer_is_paired_with_a_buddy_talks_and_ends_with_feedback(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory(name="Living with type 1 diabetes")
    member_of(forum, email="nia@example.org", handle="newly_nia")
    member_of(forum, MembershipRole.SUPPORTER, email="jo@example.org", handle="supporter_jo")
    member_of(forum, MembershipRole.MODERATOR, email="cal@example.org", handle="coord_cal")
    url = live_server.url

    buddy = new_page()
    sign_in(buddy, live_server, "jo@example.org")
    buddy.goto(f"{url}/f/{forum.slug}")
    buddy.get_by_role("link", name="Buddies").click()
    buddy.get_by_role("link", name="Your buddy profile").click()
    buddy.get_by_label("An insulin pump or sensor").check()
    buddy.get_by_role("button", name="Save").click()
    buddy.get_by_text("Your buddy profile is saved.").wait_for()

    newcomer = new_page()
    sign_in(newcomer, live_server, "nia@example.org")
    newcomer.goto(f"{url}/f/{forum.slug}/buddies")
    newcomer.get_by_label("What you hope for (optional)").fill("Someone who has a pump")
    newcomer.get_by_label("An insulin pump or sensor").check()
    newcomer.get_by_label("My clinician or care team suggested a buddy").check()
    newcomer.get_by_role("button", name="Ask for a buddy").click()
    newcomer.get_by_text("A coordinator will suggest a buddy").wait_for()

    coordinator = new_page()
    sign_in(coordinator, live_server, "cal@example.org")
    coordinator.goto(f"{url}/f/{forum.slug}/buddies/coordinate")
    coordinator.get_by_text("suggested by their clinician").wait_for()
    assert coordinator.get_by_label("supporter_jo").is_checked()  # the best fit, first
    coordinator.get_by_role("button", name="Pair them").click()
    coordinator.get_by_text("Paired. Both of them have been told.").wait_for()

    newcomer.goto(f"{url}/notifications")
    newcomer.get_by_text("You have been paired with a buddy").click()
    newcomer.get_by_text("Your buddy is supporter_jo").wait_for()
    newcomer.get_by_role("link", name="Open your conversation").click()
    newcomer.get_by_label("Your reply").fill("Hello Jo, thank you for being my buddy.")
    newcomer.get_by_role("button", name="Send").click()
    newcomer.get_by_text("thank you for being my buddy").wait_for()

    buddy.goto(f"{url}/messages")
    buddy.get_by_role("link", name="Your conversation with newly_nia").click()
    buddy.get_by_text("thank you for being my buddy").wait_for()
    buddy.get_by_label("Your reply").fill("Glad to. How are the first weeks going?")
    buddy.get_by_role("button", name="Send").click()

    newcomer.reload()
    newcomer.get_by_text("How are the first weeks going?").wait_for()
    newcomer.get_by_label("Your reply").fill("Honestly I have a plan to end my life tonight.")
    newcomer.get_by_role("button", name="Send").click()
    newcomer.get_by_text("You don't have to face this alone").wait_for()
    item = db.scalars(select(ReviewItem).where(ReviewItem.queue == ReviewQueue.URGENT)).one()
    assert item.conversation_id is not None
    assert db.scalars(select(Alert).where(Alert.review_item_id == item.id)).one()  # people paged
    coordinator.goto(f"{url}/moderation?queue=urgent")
    coordinator.get_by_text("Message from newly_nia to their buddy").wait_for()
    buddy.reload()
    assert buddy.get_by_text("end my life").count() == 0  # held until a moderator has seen it

    newcomer.get_by_role("link", name="About this pairing, or end it").click()
    newcomer.get_by_role("button", name="End the pairing now").click()
    newcomer.get_by_text("Two short questions").wait_for()
    newcomer.get_by_label("Quite a lot").check()
    newcomer.get_by_label("Yes", exact=True).check()
    newcomer.get_by_role("button", name="Send feedback").click()
    newcomer.get_by_text("Thank you for your feedback.").wait_for()
    feedback = db.scalars(select(BuddyFeedback)).one()
    assert (feedback.helpful, feedback.recommend) == (4, "yes")


def test_a_course_groups_check_in_opens_itself_and_a_peer_leader_takes_over(
    live_server: LiveServer,
    new_page: Callable[..., Any],
    db: Session,
    app: FastAPI,
    clock: ManualClock,
) -> None:
    """Without JavaScript: every step is a plain link or form."""
    forum = ForumFactory(name="Type 1 diabetes")
    member_of(forum, MembershipRole.SUPPORTER, email="fay@example.org", handle="facilitator_fay")
    member_of(forum, email="pat@example.org", handle="pat")
    url = live_server.url

    facilitator = new_page(False)
    sign_in(facilitator, live_server, "fay@example.org")
    facilitator.goto(f"{url}/f/{forum.slug}")
    facilitator.get_by_role("link", name="Groups").click()
    facilitator.get_by_label("Name of the group").fill("Type 1 course, spring 2027")
    facilitator.get_by_role("button", name="Start the group").click()
    tomorrow = (clock.now().weekday() + 1) % 7
    facilitator.get_by_label("Day the check-in thread opens").select_option(str(tomorrow))
    facilitator.get_by_label("The prompt that opens it").fill("What helped you most this week?")
    facilitator.get_by_role("button", name="Save").click()
    facilitator.get_by_text("The weekly check-in is saved.").wait_for()
    cohort = db.scalars(select(Cohort)).one()

    participant = new_page(False)
    sign_in(participant, live_server, "pat@example.org")
    participant.goto(f"{url}/cohorts/join/{cohort.invite_code}")
    participant.get_by_role("button", name="Join the group").click()
    participant.get_by_text("Welcome to the group.").wait_for()

    clock.advance(days=1)  # the next day, the worker opens the thread
    app.state.assessments.worker.run_until_idle()
    participant.goto(f"{url}/notifications")
    participant.get_by_text("This week's check-in has opened").click()
    participant.get_by_text("What helped you most this week?").wait_for()
    participant.get_by_label("Your reply").fill("Walking after lunch kept my levels steady.")
    participant.get_by_role("button", name="Send").click()
    participant.get_by_text("Walking after lunch").wait_for()

    facilitator.goto(f"{url}/cohorts/{cohort.id}")
    facilitator.get_by_label("Make a member a peer leader").select_option(label="pat")
    facilitator.get_by_role("button", name="Make peer leader").click()
    facilitator.get_by_role("button", name="Step back as facilitator").click()
    facilitator.get_by_text("You have handed the group to its peer leaders").wait_for()
    assert facilitator.get_by_text("Leading the group").count() == 0

    participant.goto(f"{url}/cohorts/{cohort.id}")
    participant.get_by_role("heading", name="Leading the group").wait_for()


def test_a_goal_is_set_reminded_on_its_day_and_recorded_in_one_tap(
    live_server: LiveServer,
    new_page: Callable[..., Any],
    db: Session,
    app: FastAPI,
    clock: ManualClock,
) -> None:
    forum = ForumFactory(name="Type 2 diabetes")
    member_of(forum, email="sam@example.org", handle="sam")
    url = live_server.url
    sam = new_page()
    sign_in(sam, live_server, "sam@example.org")
    sam.goto(f"{url}/goals")
    sam.get_by_label("What will you do, and how often?").fill("Walk for 20 minutes after lunch")
    tomorrow = (clock.now().weekday() + 1) % 7
    sam.locator(f"#day-{tomorrow}").check()
    sam.get_by_label("For how many weeks").fill("4")
    sam.get_by_role("button", name="Set the goal").click()
    sam.get_by_text("Your goal is set.").wait_for()

    clock.advance(days=1)  # the chosen day: the worker sends the gentle reminder
    app.state.assessments.worker.run_until_idle()
    sam.goto(f"{url}/notifications")
    sam.get_by_text("A gentle reminder about your goal").click()
    sam.get_by_role("heading", name="Walk for 20 minutes after lunch").wait_for()
    sam.get_by_role("button", name="Done today").click()
    sam.get_by_text("Recorded. Well done.").wait_for()
    assert sam.get_by_role("table").get_by_text("✓").count() == 1
    assert len(db.scalars(select(GoalProgress)).all()) == 1


def test_a_check_in_shows_in_the_members_trend_and_in_totals_only_from_ten_people(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, clock: ManualClock
) -> None:
    forum = ForumFactory(name="Kidney care")
    sam = member_of(forum, email="sam@example.org", handle="sam")
    UserFactory(email="chair@charity.example", handle="chair", site_role=SiteRole.ADMIN)
    # Sam answered once when joining, seven weeks ago: the next check-in is due.
    db.add(
        OutcomeResponse(
            forum_id=forum.id,
            user_id=sam.id,
            confidence=4,
            created_at=clock.now() - timedelta(weeks=7),
        )
    )
    db.commit()
    url = live_server.url
    page = new_page()
    sign_in(page, live_server, "sam@example.org")
    page.goto(f"{url}/f/{forum.slug}/wellbeing")
    confidence = page.get_by_role("group", name="How confident do you feel managing your health?")
    confidence.get_by_label("7", exact=True).check()
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Your answers are saved").wait_for()
    page.get_by_role("img", name="Your confidence managing your health over time").wait_for()
    trend = page.get_by_role("table", name="Your answers, 0 to 10")
    assert trend.get_by_role("row").count() == 3  # a heading row and both check-ins

    admin = new_page()
    sign_in(admin, live_server, "chair@charity.example")
    admin.goto(f"{url}/admin/impact/outcomes")
    admin.get_by_text("Fewer than 10 people have answered: nothing is shown.").wait_for()
    for n in range(9):
        outcomes.record(db, forum, member_of(forum), {"confidence": n})
    db.commit()
    admin.reload()
    admin.get_by_text("10 people answered at least once.").wait_for()
    assert admin.get_by_text("Fewer than 10 people have answered").count() == 0

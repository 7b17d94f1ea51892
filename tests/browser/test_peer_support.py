"""Structured peer support in Chromium: a newly diagnosed member self-refers and is paired with a
buddy, and a course group's weekly check-in opens itself and is handed to a peer leader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.buddies.models import BuddyFeedback
from app.clock import ManualClock
from app.cohorts.models import Cohort
from app.forums.models import MembershipRole
from app.moderation_queue.models import ReviewItem, ReviewQueue
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, member_of

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
    item = db.scalars(select(ReviewItem)).one()
    assert item.queue is ReviewQueue.URGENT
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

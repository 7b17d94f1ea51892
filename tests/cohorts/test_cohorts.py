"""Cohort groups: a facilitator starts a private group inside a forum, invites the course by link
or email, the group talks in threads only it and the forum's moderators can read, a check-in
thread opens itself each week, and the facilitator hands the group to peer leaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import Alert
from app.clock import ManualClock
from app.cohorts.models import Cohort, CohortMember, CohortRole
from app.conversations.models import Conversation, ConversationMessage, MessageStatus
from app.forums.models import Forum, JoinPolicy, Membership, MembershipRole
from app.moderation_queue.models import ReviewItem, ReviewQueue, ScreenedText, TextSource
from app.notifications.models import Notification, OutboxEmail
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of

CRISIS = "Honestly I have a plan to end my life tonight."


@dataclass
class Course:
    forum: Forum
    cohort: Cohort
    facilitator: Browser
    participant: Browser


def a_course_group(make_browser: Callable[[], Browser], db: Session) -> Course:
    forum = ForumFactory(name="Type 1 diabetes", join_policy=JoinPolicy.APPROVAL_REQUIRED)
    member_of(forum, MembershipRole.SUPPORTER, email="fay@example.org", handle="facilitator_fay")
    UserFactory(email="pat@example.org", handle="pat")  # not yet in the forum
    facilitator, participant = make_browser(), make_browser()
    facilitator.sign_in("fay@example.org")
    participant.sign_in("pat@example.org")
    created = facilitator.post(
        f"/f/{forum.slug}/cohorts", {"name": "Type 1 course, spring 2027"}, follow_redirects=False
    )
    assert created.status_code == 303
    cohort = db.scalars(select(Cohort)).one()
    page = facilitator.get(f"/cohorts/{cohort.id}").text
    assert f"/cohorts/join/{cohort.invite_code}" in page
    joined = participant.post(f"/cohorts/join/{cohort.invite_code}", follow_redirects=False)
    assert joined.status_code == 303
    return Course(forum, cohort, facilitator, participant)


def test_the_invite_link_brings_a_participant_into_the_group_and_its_forum(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    course = a_course_group(make_browser, db)
    roles = {m.user.handle: m.role for m in db.scalars(select(CohortMember)).all()}
    assert roles == {"facilitator_fay": CohortRole.FACILITATOR, "pat": CohortRole.PARTICIPANT}
    membership = db.scalars(select(Membership).where(Membership.forum_id == course.forum.id)).all()
    assert all(m.is_active for m in membership) and len(membership) == 2
    assert (
        "Type 1 course, spring 2027"
        in course.participant.get(f"/f/{course.forum.slug}/cohorts").text
    )


def test_invitations_by_email_name_neither_the_group_nor_the_forum(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    course = a_course_group(make_browser, db)
    sent = course.facilitator.post(
        f"/cohorts/{course.cohort.id}/invites",
        {"emails": "ann@example.org\nbob@example.org, ann@example.org"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    mails = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "cohort.invite")).all()
    assert sorted(m.to_address for m in mails) == ["ann@example.org", "bob@example.org"]
    for mail in mails:
        assert f"/cohorts/join/{course.cohort.invite_code}" in mail.body
        assert "Type 1" not in mail.subject + mail.body
    # Only those who lead the group send invitations.
    refused = course.participant.post(
        f"/cohorts/{course.cohort.id}/invites", {"emails": "eve@example.org"}
    )
    assert refused.status_code == 403


def test_the_groups_threads_are_read_only_by_the_group_and_the_forums_moderators(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    course = a_course_group(make_browser, db)
    cohort_id = course.cohort.id
    course.participant.post(
        f"/cohorts/{cohort_id}/threads", {"title": "Hypos at night", "body": "Any tips?"}
    )
    thread = db.scalars(select(Conversation).where(Conversation.cohort_id == cohort_id)).one()
    url = f"/cohorts/{cohort_id}/threads/{thread.id}"
    assert "Any tips?" in course.facilitator.get(url).text
    course.facilitator.post(url, {"body": "Good question, let us talk about it on Thursday."})
    assert "talk about it on Thursday" in course.participant.get(url).text

    member_of(course.forum, email="kim@example.org")  # in the forum, not in the group
    member_of(course.forum, MembershipRole.MODERATOR, email="mo@example.org")
    elsewhere = ForumFactory()
    member_of(elsewhere, MembershipRole.MODERATOR, email="om@example.org")
    other_group = Cohort(forum_id=course.forum.id, name="Another course", invite_code="other")
    db.add(other_group)
    db.commit()
    db.add(CohortMember(cohort_id=other_group.id, user_id=_id(db, "kim@example.org")))
    db.commit()
    kim, moderator, outsider = make_browser(), make_browser(), make_browser()
    kim.sign_in("kim@example.org")
    moderator.sign_in("mo@example.org")
    outsider.sign_in("om@example.org")
    for page in (f"/cohorts/{cohort_id}", url):
        assert kim.get(page).status_code == 404
        assert outsider.get(page).status_code == 404
        assert moderator.get(page).status_code == 200
    assert kim.post(url, {"body": "Let me in"}).status_code == 404
    # Not through another group's address, nor as a private message.
    assert kim.get(f"/cohorts/{other_group.id}/threads/{thread.id}").status_code == 404
    assert (
        kim.post(f"/cohorts/{other_group.id}/threads/{thread.id}", {"body": "x"}).status_code == 404
    )
    assert kim.get(f"/messages/{thread.id}").status_code == 404
    assert course.participant.get(f"/messages/{thread.id}").status_code == 404
    assert "Hypos at night" not in kim.get(f"/f/{course.forum.slug}/cohorts").text
    # The moderators read; they don't write as if they were in the group.
    assert moderator.post(url, {"body": "Hello"}).status_code == 403


def _id(db: Session, email: str) -> int:
    from app.accounts.models import User

    return db.scalars(select(User.id).where(User.email == email)).one()


def test_a_message_that_reads_as_a_crisis_is_held_and_goes_urgent(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    course = a_course_group(make_browser, db)
    course.participant.post(
        f"/cohorts/{course.cohort.id}/threads", {"title": "This week", "body": CRISIS}
    )
    message = db.scalars(select(ConversationMessage)).one()
    assert message.status is MessageStatus.HELD
    item = db.scalars(select(ReviewItem)).one()
    assert item.queue is ReviewQueue.URGENT
    member_of(course.forum, MembershipRole.MODERATOR, email="mo@example.org")
    moderator = make_browser()
    moderator.sign_in("mo@example.org")
    dashboard = moderator.get("/moderation?queue=urgent").text
    assert "Message by pat in the group thread “This week”" in dashboard
    url = f"/cohorts/{course.cohort.id}/threads/{message.conversation_id}"
    assert "Samaritans" in course.participant.get(url).text
    assert "end my life" not in course.facilitator.get(url).text


def test_the_groups_other_members_hear_of_a_new_message_once_per_unread_thread(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    course = a_course_group(make_browser, db)
    cohort = course.cohort
    fay = db.scalars(select(CohortMember).where(CohortMember.role == CohortRole.FACILITATOR)).one()
    fay.user.email_preference = "immediate"
    db.commit()
    course.participant.post(
        f"/cohorts/{cohort.id}/threads", {"title": "Pump sites", "body": "Where do you put yours?"}
    )
    thread = db.scalars(select(Conversation).where(Conversation.cohort_id == cohort.id)).one()
    url = f"/cohorts/{cohort.id}/threads/{thread.id}"
    course.participant.post(url, {"body": "And do you rotate them?"})

    def told() -> list[Notification]:
        return list(
            db.scalars(select(Notification).where(Notification.kind == "cohort.message")).all()
        )

    # One notice for the facilitator while it is unread; none for the writer.
    assert [n.user_id for n in told()] == [fay.user_id]
    assert "new message in your group" in told()[0].text and "rotate" not in told()[0].text
    emails = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "notification")).all()
    assert len(emails) == 1 and emails[0].to_address == "fay@example.org"
    assert "Type 1" not in emails[0].subject + emails[0].body  # neither the group nor its words
    assert "rotate" not in emails[0].subject + emails[0].body
    # Read, then a new message: told again.
    course.facilitator.get(url)
    course.facilitator.post(url, {"body": "Tummy and thighs, in turn."})
    course.participant.post(url, {"body": "Thank you!"})
    assert len(told()) == 3  # the participant once (the facilitator wrote), the facilitator again


def test_a_check_in_prompt_that_reads_as_a_crisis_goes_urgent_not_to_the_group(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    course = a_course_group(make_browser, db)
    cohort = course.cohort
    kept = cohort.check_in_prompt
    saved = course.facilitator.post(f"/cohorts/{cohort.id}/rhythm", {"day": "2", "prompt": CRISIS})
    assert "Samaritans" in saved.text and "not shown your prompt" in saved.text
    db.refresh(cohort)
    assert cohort.check_in_prompt == kept and cohort.check_in_day == 2  # the day is still saved
    item = db.scalars(select(ReviewItem)).one()
    text = db.get(ScreenedText, item.screened_text_id)
    assert item.queue is ReviewQueue.URGENT and text is not None
    assert text.source is TextSource.COHORT_PROMPT and text.source_id == cohort.id
    assert db.scalars(select(Alert).where(Alert.review_item_id == item.id)).one()
    member_of(course.forum, MembershipRole.MODERATOR, email="mo@example.org")
    moderator = make_browser()
    moderator.sign_in("mo@example.org")
    assert "Weekly check-in prompt written by facilitator_fay" in moderator.get("/moderation").text


def test_the_weekly_check_in_opens_itself_on_the_chosen_day(
    make_browser: Callable[[], Browser], db: Session, app: FastAPI, clock: ManualClock
) -> None:
    course = a_course_group(make_browser, db)
    tomorrow = (clock.now().weekday() + 1) % 7
    course.facilitator.post(
        f"/cohorts/{course.cohort.id}/rhythm",
        {"day": str(tomorrow), "prompt": "What helped you most this week?"},
    )
    worker = app.state.assessments.worker
    worker.run_until_idle()
    assert db.scalars(select(Conversation).where(Conversation.cohort_id.is_not(None))).all() == []
    clock.advance(days=1)
    worker.run_until_idle()
    worker.run_until_idle()  # the same day again: still one thread
    thread = db.scalars(select(Conversation).where(Conversation.cohort_id.is_not(None))).one()
    assert thread.title is not None and thread.title.startswith("Weekly check-in")
    prompt = db.scalars(select(ConversationMessage)).one()
    assert prompt.status is MessageStatus.DELIVERED  # assessed like any message, then shown
    told = db.scalars(select(Notification).where(Notification.kind == "cohort.check_in")).all()
    assert len(told) == 2
    course.participant.sign_in("pat@example.org")
    page = course.participant.get(f"/cohorts/{course.cohort.id}/threads/{thread.id}").text
    assert "What helped you most this week?" in page
    clock.advance(days=7)
    worker.run_until_idle()
    assert (
        len(db.scalars(select(Conversation).where(Conversation.cohort_id.is_not(None))).all()) == 2
    )


def test_the_facilitator_hands_the_group_to_a_peer_leader_and_steps_back(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    course = a_course_group(make_browser, db)
    cohort_id = course.cohort.id
    early = course.facilitator.post(f"/cohorts/{cohort_id}/step-back")
    assert early.status_code == 409  # never left without someone to lead it
    assert (
        course.participant.post(f"/cohorts/{cohort_id}/leaders", {"user_id": "1"}).status_code
        == 403
    )
    course.facilitator.post(
        f"/cohorts/{cohort_id}/leaders", {"user_id": str(_id(db, "pat@example.org"))}
    )
    assert "You are now a peer leader" in course.participant.get("/notifications").text
    assert (
        course.facilitator.post(
            f"/cohorts/{cohort_id}/step-back", follow_redirects=False
        ).status_code
        == 303
    )
    roles = {m.user.handle: m.role for m in db.scalars(select(CohortMember)).all()}
    assert roles == {"facilitator_fay": CohortRole.STEPPED_BACK, "pat": CohortRole.PEER_LEADER}
    # The peer leader now sets the rhythm; the facilitator reads and writes but no longer leads.
    led = course.participant.post(f"/cohorts/{cohort_id}/rhythm", {"day": "3", "prompt": "Hi all"})
    assert led.status_code == 200 and "The weekly check-in is saved" in led.text
    assert course.facilitator.post(f"/cohorts/{cohort_id}/rhythm", {"day": "1"}).status_code == 403
    assert course.facilitator.get(f"/cohorts/{cohort_id}").status_code == 200


def test_only_trained_supporters_start_a_group(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, email="m@example.org")
    member = make_browser()
    member.sign_in("m@example.org")
    assert member.post(f"/f/{forum.slug}/cohorts", {"name": "Mine"}).status_code == 403
    assert db.scalars(select(Cohort)).all() == []

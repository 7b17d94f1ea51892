"""Buddying: a member asks for a buddy, a coordinator pairs them with a trained supporter, the
pair talk privately (every message assessed like a post), and the pairing ends with feedback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import Alert
from app.audit.models import AuditEvent
from app.buddies import service as buddies
from app.buddies.models import BuddyFeedback, BuddyPairing, BuddyRequest, PairingStatus
from app.clock import ManualClock
from app.conversations.models import ConversationMessage, MessageStatus
from app.forums.models import Forum, MembershipRole
from app.moderation_queue.models import ReviewItem, ReviewQueue, ScreenedText, TextSource
from app.notifications.models import Notification, OutboxEmail
from tests.conftest import Browser
from tests.factories import ForumFactory, buddy_request, buddy_with_room, member_of

CRISIS = "Honestly I have a plan to end my life tonight."


@dataclass
class People:
    forum: Forum
    newcomer: Browser
    supporter: Browser
    coordinator: Browser


def a_forum_with_a_buddy_and_a_newcomer(make_browser: Callable[[], Browser]) -> People:
    forum = ForumFactory(name="Living with type 1 diabetes")
    member_of(forum, email="new@example.org", handle="newly_nia")
    member_of(forum, MembershipRole.SUPPORTER, email="jo@example.org", handle="supporter_jo")
    member_of(forum, MembershipRole.MODERATOR, email="coord@example.org", handle="coord_cal")
    people = People(forum, make_browser(), make_browser(), make_browser())
    people.newcomer.sign_in("new@example.org")
    people.supporter.sign_in("jo@example.org")
    people.coordinator.sign_in("coord@example.org")
    offered = people.supporter.post(
        f"/f/{forum.slug}/buddies/offer",
        {"experiences": "pump", "languages": "en", "capacity": "2", "available": "true"},
        follow_redirects=False,
    )
    assert offered.status_code == 303
    return people


def ask_and_pair(people: People, db: Session) -> BuddyPairing:
    slug = people.forum.slug
    asked = people.newcomer.post(
        f"/f/{slug}/buddies/request",
        {
            "hopes": "Someone who has lived with a pump for a while",
            "experiences": "pump",
            "via_clinician": "true",
        },
        follow_redirects=False,
    )
    assert asked.status_code == 303
    request = db.scalars(select(BuddyRequest)).one()
    page = people.coordinator.get(f"/f/{slug}/buddies/coordinate").text
    assert "newly_nia" in page and "supporter_jo" in page and "suggested by their clinician" in page
    paired = people.coordinator.post(
        f"/f/{slug}/buddies/requests/{request.id}/pair",
        {"buddy_id": _user_id(db, "supporter_jo")},
        follow_redirects=False,
    )
    assert paired.status_code == 303
    return db.scalars(select(BuddyPairing)).one()


def _user_id(db: Session, handle: str) -> str:
    from app.accounts.models import User

    return str(db.scalars(select(User.id).where(User.handle == handle)).one())


def test_a_newcomer_asks_a_coordinator_pairs_them_and_both_are_told(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    pairing = ask_and_pair(people, db)
    assert pairing.weeks == 8 and pairing.status is PairingStatus.ACTIVE
    for browser in (people.newcomer, people.supporter):
        assert "You have been paired with a buddy" in browser.get("/notifications").text
        page = browser.get(f"/buddies/{pairing.id}").text
        assert "Week 1 of 8" in page and f"/messages/{pairing.conversation_id}" in page
    assert "Your buddy is supporter_jo" in people.newcomer.get(f"/buddies/{pairing.id}").text
    # Nobody waits any longer: the request has left the coordinator's list.
    assert (
        "newly_nia" not in people.coordinator.get(f"/f/{people.forum.slug}/buddies/coordinate").text
    )


def test_hopes_that_read_as_a_crisis_reach_the_urgent_queue_and_the_member_sees_help(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    slug = people.forum.slug
    with_number = people.newcomer.post(
        f"/f/{slug}/buddies/request", {"hopes": "Ring me on 07700 900123 please"}
    )
    assert with_number.status_code == 422 and "07700 900123" in with_number.text  # to reword
    assert db.scalars(select(BuddyRequest)).all() == []
    asked = people.newcomer.post(f"/f/{slug}/buddies/request", {"hopes": CRISIS})
    assert "Samaritans" in asked.text and "A coordinator will suggest a buddy" in asked.text
    request = db.scalars(select(BuddyRequest)).one()  # still asked: help is never held back
    item = db.scalars(select(ReviewItem)).one()
    text = db.get(ScreenedText, item.screened_text_id)
    assert item.queue is ReviewQueue.URGENT and text is not None
    assert text.source is TextSource.BUDDY_REQUEST and text.source_id == request.id
    assert db.scalars(select(Alert).where(Alert.review_item_id == item.id)).one()
    dashboard = people.coordinator.get("/moderation").text
    assert "Buddy request from newly_nia (what they hope for)" in dashboard
    # Asking again is refused, but such words are never lost behind the form's error.
    again = people.newcomer.post(f"/f/{slug}/buddies/request", {"hopes": CRISIS})
    assert again.status_code == 200 and "Samaritans" in again.text
    assert len(db.scalars(select(BuddyRequest)).all()) == 1
    assert len(db.scalars(select(ReviewItem)).all()) == 2


def test_the_pair_talk_privately_and_a_crisis_message_reaches_the_urgent_queue(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    pairing = ask_and_pair(people, db)
    url = f"/messages/{pairing.conversation_id}"
    people.supporter.post(url, {"body": "Hello! How are the first weeks on the pump?"})
    assert "How are the first weeks" in people.newcomer.get(url).text
    # The team does not read a buddy conversation that nothing has flagged.
    assert (
        people.coordinator.get(f"/moderation/conversations/{pairing.conversation_id}").status_code
        == 404
    )
    assert "newly_nia" not in people.coordinator.get("/moderation/conversations").text
    people.newcomer.post(url, {"body": CRISIS})
    message = db.scalars(
        select(ConversationMessage).where(ConversationMessage.body_source == CRISIS)
    ).one()
    assert message.status is MessageStatus.HELD  # a moderator sees it before the buddy does
    item = db.scalars(select(ReviewItem)).one()
    assert item.queue is ReviewQueue.URGENT and item.conversation_id == pairing.conversation_id
    assert "Samaritans" in people.newcomer.get(url).text  # help for the writer, at once
    assert "end my life" not in people.supporter.get(url).text
    # Through the flag, a moderator reads the conversation, and the reading is audited.
    card = people.coordinator.get(f"/moderation/items/{item.id}").text
    assert "end my life" in card and "Message from newly_nia to their buddy" in card
    assert "Message from newly_nia to their buddy" in people.coordinator.get("/moderation").text
    team_page = people.coordinator.get(f"/moderation/conversations/{pairing.conversation_id}")
    assert team_page.status_code == 200
    reads = db.scalars(select(AuditEvent).where(AuditEvent.action == "conversation.read")).all()
    assert len(reads) == 2 and {r.target_id for r in reads} == {pairing.conversation_id}


def test_a_buddy_hears_of_a_new_message_in_the_app_and_by_a_neutral_email(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    pairing = ask_and_pair(people, db)
    pairing.buddy.email_preference = "immediate"
    db.commit()
    people.newcomer.post(
        f"/messages/{pairing.conversation_id}", {"body": "My pump beeped all night again"}
    )
    told = db.scalars(
        select(Notification).where(
            Notification.kind == "message.new", Notification.user_id == pairing.buddy_id
        )
    ).one()
    assert "beeped" not in told.text
    [email] = db.scalars(
        select(OutboxEmail).where(
            OutboxEmail.kind == "notification", OutboxEmail.to_address == "jo@example.org"
        )
    ).all()
    for words in ("beeped", "diabetes", "buddy"):
        assert words not in email.subject.casefold() and words not in email.body.casefold()


def test_identifiers_are_flagged_to_the_sender_and_held(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    pairing = ask_and_pair(people, db)
    url = f"/messages/{pairing.conversation_id}"
    people.newcomer.post(url, {"body": "Text me on 07700 900123 whenever"})
    mine = people.newcomer.get(url).text
    assert "could identify someone" in mine and "07700" in mine
    assert "07700" not in people.supporter.get(url).text


def test_either_can_report_a_message_and_moderators_may_then_read(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    pairing = ask_and_pair(people, db)
    url = f"/messages/{pairing.conversation_id}"
    people.supporter.post(url, {"body": "Have you tried the new sensor yet?"})
    message = db.scalars(select(ConversationMessage)).one()
    page = people.newcomer.get(url).text
    assert f"/messages/{pairing.conversation_id}/messages/{message.id}/report" in page
    # One cannot report one's own message.
    own = people.supporter.post(f"{url}/messages/{message.id}/report", follow_redirects=False)
    assert own.status_code == 404
    reported = people.newcomer.post(f"{url}/messages/{message.id}/report", follow_redirects=False)
    assert reported.status_code == 303
    item = db.scalars(select(ReviewItem)).one()
    assert item.queue is ReviewQueue.REPORTED and item.reason_codes == ["member_report"]
    assert (
        people.coordinator.get(f"/moderation/conversations/{pairing.conversation_id}").status_code
        == 200
    )
    people.coordinator.post(f"/moderation/items/{item.id}/claim")
    people.coordinator.post(
        f"/moderation/items/{item.id}/decide",
        {"action": "remove", "reason": "It breaks the forum's guidelines in another way."},
    )
    db.refresh(message)
    assert message.status is MessageStatus.REJECTED
    assert "new sensor" not in people.newcomer.get(url).text
    # The report decided, the conversation is private again.
    assert (
        people.coordinator.get(f"/moderation/conversations/{pairing.conversation_id}").status_code
        == 404
    )


def test_either_can_end_the_pairing_at_once_and_both_answer_two_questions(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    pairing = ask_and_pair(people, db)
    ended = people.newcomer.post(f"/buddies/{pairing.id}/end", follow_redirects=False)
    assert ended.status_code == 303
    db.refresh(pairing)
    assert pairing.status is PairingStatus.ENDED
    refused = people.supporter.post(
        f"/messages/{pairing.conversation_id}", {"body": "Still there?"}
    )
    assert refused.status_code == 422 and "has ended" in refused.text
    page = people.supporter.get(f"/buddies/{pairing.id}").text
    assert "Two short questions" in page
    people.supporter.post(f"/buddies/{pairing.id}/feedback", {"helpful": "4", "recommend": "yes"})
    again = people.supporter.post(
        f"/buddies/{pairing.id}/feedback", {"helpful": "1", "recommend": "no"}
    )
    assert again.status_code == 409
    feedback = db.scalars(select(BuddyFeedback)).one()
    assert (feedback.helpful, feedback.recommend) == (4, "yes")


def test_weekly_check_ins_then_the_pairing_ends_when_its_weeks_are_up(
    make_browser: Callable[[], Browser], db: Session, app: FastAPI, clock: ManualClock
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    pairing = ask_and_pair(people, db)
    worker = app.state.assessments.worker
    worker.run_until_idle()
    assert not db.scalars(select(Notification).where(Notification.kind == "buddy.check_in")).all()
    clock.advance(days=7, minutes=1)
    worker.run_until_idle()
    check_ins = db.scalars(select(Notification).where(Notification.kind == "buddy.check_in")).all()
    assert len(check_ins) == 2 and "Week 2 with your buddy" in check_ins[0].text
    clock.advance(weeks=7)
    for _week in range(8):
        worker.run_until_idle()
    db.refresh(pairing)
    assert pairing.status is PairingStatus.ENDED and pairing.ended_by_id is None
    people.newcomer.sign_in("new@example.org")  # eight weeks on, signed out for being idle
    assert "Two short questions" in people.newcomer.get(f"/buddies/{pairing.id}").text


def test_suggestions_rank_by_fit_then_by_load(db: Session) -> None:
    forum = ForumFactory()
    busy_fit = buddy_with_room(forum, 2, experiences=["dialysis"], user={"handle": "busy_fit"})
    buddy_with_room(forum, 2, experiences=["pump"], user={"handle": "other"})
    buddy_with_room(forum, 2, experiences=["dialysis"], user={"handle": "free_fit"})
    buddy_with_room(forum, 0, experiences=["dialysis"], user={"handle": "no_room"})
    buddies.pair(db, forum, buddy_request(forum, member_of(forum)), busy_fit.id, member_of(forum))
    wanted = buddy_request(forum, member_of(forum), experiences=["dialysis"], language="en")
    ranked = [s.buddy.handle for s in buddies.suggestions(db, wanted)]
    # Shared experience first, then the lighter load; a buddy with no room is not suggested.
    assert ranked == ["free_fit", "busy_fit", "other"]


def test_nobody_outside_the_pair_reads_or_acts_on_it(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    people = a_forum_with_a_buddy_and_a_newcomer(make_browser)
    pairing = ask_and_pair(people, db)
    people.supporter.post(f"/messages/{pairing.conversation_id}", {"body": "Hello there"})
    message = db.scalars(select(ConversationMessage)).one()
    member_of(people.forum, email="kai@example.org")
    kai = make_browser()
    kai.sign_in("kai@example.org")
    # Another member of the same forum: no pairing, no conversation, no report, no ending.
    assert kai.get(f"/buddies/{pairing.id}").status_code == 404
    assert kai.get(f"/messages/{pairing.conversation_id}").status_code == 404
    assert kai.post(f"/buddies/{pairing.id}/end").status_code == 404
    assert (
        kai.post(f"/buddies/{pairing.id}/feedback", {"helpful": "3", "recommend": "no"}).status_code
        == 404
    )
    assert (
        kai.post(f"/messages/{pairing.conversation_id}/messages/{message.id}/report").status_code
        == 404
    )
    assert kai.get(f"/f/{people.forum.slug}/buddies/coordinate").status_code == 403
    # Nor can a member offer to be a buddy without being a trained supporter.
    assert kai.get(f"/f/{people.forum.slug}/buddies/offer").status_code == 403
    db.refresh(pairing)
    assert pairing.status is PairingStatus.ACTIVE


def test_an_admin_names_a_supporter_as_the_forums_buddy_coordinator(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    from app.accounts.models import SiteRole
    from tests.factories import UserFactory

    forum = ForumFactory()
    coordinator = member_of(forum, MembershipRole.SUPPORTER, email="co@example.org")
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    admin, supporter = make_browser(), make_browser()
    admin.sign_in("admin@example.org")
    supporter.sign_in("co@example.org")
    assert supporter.get(f"/f/{forum.slug}/buddies/coordinate").status_code == 403
    admin.post(
        f"/admin/people/{coordinator.id}/role",
        {"forum": forum.slug, "role": "supporter", "coordinates_buddies": "true"},
    )
    assert "buddy coordinator" in admin.get(f"/admin/people/{coordinator.id}").text
    assert supporter.get(f"/f/{forum.slug}/buddies/coordinate").status_code == 200
    admin.post(f"/admin/people/{coordinator.id}/role", {"forum": forum.slug, "role": "supporter"})
    assert supporter.get(f"/f/{forum.slug}/buddies/coordinate").status_code == 403

"""Reaching out privately: a moderator writes to an author, who replies; the conversation stays
between the author and the forum's moderation team, and every member message is assessed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.config import Settings
from app.conversations import service as conversations
from app.conversations.models import Conversation, ConversationMessage, MessageStatus
from app.forums.models import Forum, MembershipRole, ModerationMode
from app.main import create_app
from app.moderation_queue.models import ReviewItem, ReviewQueue, ReviewStatus
from app.notifications.models import OutboxEmail
from app.posts.models import Post
from tests.conftest import Browser
from tests.factories import BrokenScorer, ForumFactory, member_of, thread_with_opening_post

CRISIS = "I can't go on. Everyone would be better off without me."
REPLY_IN_CRISIS = "Thanks for asking. Honestly I have a plan to end my life tonight."
CALM_REPLY = "Thank you for checking in. I'm feeling a bit better after talking to my sister."


def forum_with_a_crisis_post(make_browser: Callable[[], Browser]) -> tuple[Forum, Browser, Browser]:
    forum = ForumFactory(name="Heart attack recovery", moderation_mode=ModerationMode.HOLD_FLAGGED)
    kai = member_of(forum, email="kai@example.org", handle="kai", email_preference="immediate")
    member_of(forum, email="sam@example.org", handle="sam")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    thread = thread_with_opening_post(forum, kai, title="Six weeks after")
    sam, rowan = make_browser(), make_browser()
    sam.sign_in("sam@example.org")
    rowan.sign_in("rowan@example.org")
    sam.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": CRISIS, "confirmed": "1"})
    return forum, sam, rowan


def crisis_item(db: Session) -> ReviewItem:
    post = db.scalars(select(Post).where(Post.body_source == CRISIS)).one()
    return db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()


def write_from_template(rowan: Browser, item: ReviewItem) -> int:
    """The moderator picks the first template, keeps it and sends; returns the conversation id."""
    compose = rowan.get(f"/moderation/items/{item.id}/message?template=0").text
    body = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', compose, re.S)
    assert body is not None
    text = body.group(1).replace("&#39;", "'")
    sent = rowan.post(
        f"/moderation/items/{item.id}/message", {"body": text}, follow_redirects=False
    )
    assert sent.status_code == 303
    return int(sent.headers["location"].split("/")[-1].split("?")[0])


def test_a_moderator_reaches_out_from_a_template_with_the_forums_crisis_resources(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    _forum, sam, rowan = forum_with_a_crisis_post(make_browser)
    item = crisis_item(db)
    card = rowan.get(f"/moderation/items/{item.id}").text
    assert f"/moderation/items/{item.id}/message" in card and "Write to sam privately" in card
    compose = rowan.get(f"/moderation/items/{item.id}/message?template=0").text
    assert "wanted to check in" in compose and "Samaritans: 116 123" in compose
    conversation_id = write_from_template(rowan, item)
    # The author reads it in a private inbox, told by a notification (and an email) that names nothing.
    assert '/messages" class="bell">Messages <span class="count">1' in sam.get("/").text
    inbox = sam.get("/messages").text
    assert (
        f"/messages/{conversation_id}" in inbox
        and "The moderation team of Heart attack recovery" in inbox
    )
    page = sam.get(f"/messages/{conversation_id}").text
    assert "wanted to check in" in page and "Samaritans: 116 123" in page
    assert "mod_rowan" not in page  # members see the team, not which volunteer wrote
    assert "The moderation team sent you a private message." in sam.get("/notifications").text


def test_the_author_replies_and_any_moderator_of_the_forum_can_pick_it_up(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, sam, rowan = forum_with_a_crisis_post(make_browser)
    conversation_id = write_from_template(rowan, crisis_item(db))
    sam.post(f"/messages/{conversation_id}", {"body": CALM_REPLY})
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    inbox = alex.get("/moderation/conversations").text
    assert "Waiting for a reply" in inbox and "With sam" in inbox
    page = alex.get(f"/moderation/conversations/{conversation_id}").text
    assert "feeling a bit better" in page and "mod_rowan, for the moderation team" in page
    alex.post(f"/moderation/conversations/{conversation_id}", {"body": "Glad to hear it, sam."})
    assert "Glad to hear it, sam." in sam.get(f"/messages/{conversation_id}").text
    assert "A member replied to the moderation team" in rowan.get("/notifications").text
    # Staff reading a member's conversation is in the audit log, once per reading.
    reads = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "conversation.read", AuditEvent.target_id == conversation_id
        )
    ).all()
    alex_id = db.scalars(select(User.id).where(User.handle == "mod_alex")).one()
    assert {r.actor_id for r in reads} == {alex_id}  # the page, then the page again after replying
    assert len(reads) == 2


def test_nobody_else_can_read_the_conversation(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    _forum, _sam, rowan = forum_with_a_crisis_post(make_browser)
    conversation_id = write_from_template(rowan, crisis_item(db))
    kai = make_browser()
    kai.sign_in("kai@example.org")  # another member of the same forum
    assert kai.get(f"/messages/{conversation_id}").status_code == 404
    assert kai.post(f"/messages/{conversation_id}", {"body": "hi"}).status_code == 404
    assert kai.get(f"/moderation/conversations/{conversation_id}").status_code == 403
    assert "With sam" not in kai.get("/messages").text
    other = ForumFactory()
    member_of(other, MembershipRole.MODERATOR, email="elsewhere@example.org")
    outsider = make_browser()
    outsider.sign_in("elsewhere@example.org")
    assert outsider.get(f"/moderation/conversations/{conversation_id}").status_code == 404
    assert "With sam" not in outsider.get("/moderation/conversations").text
    assert outsider.get(f"/moderation/items/{crisis_item(db).id}/message").status_code == 404


def test_a_reply_that_reads_as_a_crisis_goes_urgent_again(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    _forum, sam, rowan = forum_with_a_crisis_post(make_browser)
    item = crisis_item(db)
    conversation_id = write_from_template(rowan, item)
    rowan.post(f"/moderation/items/{item.id}/decide", {"action": "approve"})
    page = sam.post(f"/messages/{conversation_id}", {"body": REPLY_IN_CRISIS}).text
    assert "Samaritans" in page and "You don't have to face this alone" in page
    urgent = db.scalars(
        select(ReviewItem).where(ReviewItem.conversation_id == conversation_id)
    ).one()
    assert urgent.queue is ReviewQueue.URGENT and urgent.status is ReviewStatus.PENDING
    assert urgent.distressing
    queue = rowan.get("/moderation?queue=urgent").text
    assert "Private message from sam" in queue
    card = rowan.get(f"/moderation/items/{urgent.id}").text
    assert "a plan to end my life" in card and "Reply privately to sam" in card
    assert "Mark as handled" in card
    # Replying from the card and marking it handled clears it.
    rowan.post(
        f"/moderation/conversations/{conversation_id}",
        {"body": "We're here. Please call Samaritans on 116 123 now.", "item_id": str(urgent.id)},
    )
    rowan.post(f"/moderation/items/{urgent.id}/decide", {"action": "dismiss"})
    db.refresh(urgent)
    assert urgent.status is ReviewStatus.DISMISSED


def test_emails_about_private_messages_never_carry_their_words(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(name="Type 1 diabetes")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    jo = member_of(forum, email="jo@example.org", handle="jo", email_preference="immediate")
    conversation = conversations.open_with_team(db, forum, jo, None)
    db.commit()
    rowan = make_browser()
    rowan.sign_in("rowan@example.org")
    rowan.post(
        f"/moderation/conversations/{conversation.id}", {"body": "About your insulin pump post"}
    )
    mails = db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "jo@example.org")).all()
    assert mails and all("insulin" not in m.body + m.subject for m in mails)
    assert all("diabetes" not in (m.body + m.subject).lower() for m in mails)


def test_a_message_must_say_something(make_browser: Callable[[], Browser], db: Session) -> None:
    _forum, _sam, rowan = forum_with_a_crisis_post(make_browser)
    item = crisis_item(db)
    empty = rowan.post(f"/moderation/items/{item.id}/message", {"body": "   "})
    assert empty.status_code == 422 and "Write a message first." in empty.text
    assert db.scalars(select(Conversation)).all() == []


@pytest.fixture
def unscored_app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(
        settings.model_copy(update={"assess_inline": False, "in_process_worker": False})
    )
    yield app
    app.state.engine.dispose()


def test_a_message_the_scorer_cannot_assess_still_reaches_a_human(
    unscored_app: FastAPI, db: Session
) -> None:
    forum = ForumFactory()
    sam = member_of(forum, email="sam@example.org", handle="sam")
    conversation = conversations.open_with_team(db, forum, sam, None)
    db.commit()
    unscored_app.state.gate.scorer = BrokenScorer()
    with TestClient(unscored_app) as client:
        author = Browser(client)
        author.sign_in("sam@example.org")
        author.post(f"/messages/{conversation.id}", {"body": CALM_REPLY})
        message = db.scalars(select(ConversationMessage)).one()
        assert message.status is MessageStatus.AWAITING_ASSESSMENT
        assert unscored_app.state.assessments.worker.run_until_idle() == 1
    db.refresh(message)
    assert message.status is MessageStatus.DELIVERED  # the team still reads it
    item = db.scalars(select(ReviewItem)).one()
    assert item.queue is ReviewQueue.HELD and item.reason_codes == ["assessment_failed"]


@dataclass
class PeerConversation:
    conversation: Conversation
    ash: User  # the recipient
    jo_browser: Browser  # the author
    ash_browser: Browser
    rowan: Browser  # the forum's moderator


def held_message_between_peers(
    make_browser: Callable[[], Browser], db: Session
) -> PeerConversation:
    """Jo writes to Ash, their peer: a message sharing a phone number, which the gate holds."""
    forum = ForumFactory()
    jo = member_of(forum, email="jo@example.org", handle="jo")
    ash = member_of(forum, email="ash@example.org", handle="ash")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    conversation = conversations.open_between_peers(db, forum, jo, ash)
    db.commit()
    jo_browser, ash_browser, rowan = make_browser(), make_browser(), make_browser()
    jo_browser.sign_in("jo@example.org")
    ash_browser.sign_in("ash@example.org")
    rowan.sign_in("rowan@example.org")
    jo_browser.post(f"/messages/{conversation.id}", {"body": "Call me on 07700 900123 tonight"})
    return PeerConversation(conversation, ash, jo_browser, ash_browser, rowan)


def test_between_two_members_a_message_the_gate_holds_waits_for_a_moderator(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    peers = held_message_between_peers(make_browser, db)
    conversation, jo_browser, ash_browser, rowan = (
        peers.conversation,
        peers.jo_browser,
        peers.ash_browser,
        peers.rowan,
    )
    jo_browser.post(f"/messages/{conversation.id}", {"body": "Hope the scan went well."})
    seen_by_ash = ash_browser.get(f"/messages/{conversation.id}").text
    assert "Hope the scan went well." in seen_by_ash and "07700" not in seen_by_ash
    assert "07700" in jo_browser.get(f"/messages/{conversation.id}").text  # the author sees theirs
    item = db.scalars(select(ReviewItem)).one()
    assert item.queue is ReviewQueue.HELD
    rowan.post(f"/moderation/items/{item.id}/decide", {"action": "approve"})
    assert "07700" in ash_browser.get(f"/messages/{conversation.id}").text

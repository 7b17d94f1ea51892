"""Decisions people can trust: undo within ten minutes, a reject reason that must be chosen, one
appeal of a rejected post reviewed by a different moderator, and a caring notice (not a bare
"approved") for the author of a crisis post."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.clock import ManualClock
from app.conversations.models import ConversationMessage, MessageStatus
from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import (
    AppealStatus,
    FollowUp,
    ModerationDecision,
    PostAppeal,
    ReviewItem,
    ReviewStatus,
)
from app.notifications.models import Notification
from app.posts.models import EditStatus, Post, PostEdit, PostStatus
from tests.conftest import Browser
from tests.conversations.test_private_messages import held_message_between_peers
from tests.factories import member_of, rejection_reason
from tests.moderation_queue.test_review_queue import (
    CRISIS,
    HOSTILE,
    KIND,
    decide,
    item_of,
    post_reply,
    setup_forum,
)

HTMX = {"HX-Request": "true"}
REASON = "It could hurt or upset other members."


def post_of(db: Session, body: str) -> Post:
    db.expire_all()  # as the database has it now, not as this session saw it earlier
    return db.scalars(select(Post).where(Post.body_source == body)).one()


def undo(browser: Browser, decision_id: int, **kwargs):  # type: ignore[no-untyped-def]
    return browser.post(f"/moderation/decisions/{decision_id}/undo", **kwargs)


def test_the_reject_reason_has_no_default_and_must_be_chosen(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, HOSTILE)
    item = item_of(db, HOSTILE)
    card = rowan.get(f"/moderation/items/{item.id}").text
    select_html = card[card.index('name="reason" required') :]
    select_html = select_html[: select_html.index("</select>")]
    assert '<option value="" selected>Choose a reason…</option>' in select_html
    assert select_html.count(" selected") == 1  # no real reason is picked for the moderator
    assert decide(rowan, item, "reject").status_code == 422
    db.refresh(item)
    assert item.status is ReviewStatus.PENDING


def test_the_reasons_are_the_forums_own(make_browser: Callable[[], Browser], db: Session) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    forum.policy.rejection_reasons = ["Please keep to the forum's topic: recovery after surgery."]
    db.commit()
    post_reply(sam, forum, thread_id, HOSTILE)
    card = rowan.get(f"/moderation/items/{item_of(db, HOSTILE).id}").text
    assert "Please keep to the forum&#39;s topic: recovery after surgery." in card
    assert REASON not in card


def test_a_reason_that_is_not_one_of_the_forums_is_refused_and_the_form_comes_back(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, HOSTILE)
    item = item_of(db, HOSTILE)
    kind_words = "Please be gentle with people here."
    for headers in ({}, HTMX):  # the page without JavaScript, then the pane with htmx
        refused = rowan.post(
            f"/moderation/items/{item.id}/decide",
            {"action": "reject", "reason": "Because I said so.", "message": kind_words},
            headers=headers,
        )
        assert refused.status_code == 422
        assert 'class="error-summary"' in refused.text
        assert f'href="#reason-{item.id}"' in refused.text
        assert f'aria-describedby="reason-{item.id}-error"' in refused.text
        assert f'value="{kind_words}"' in refused.text  # what the moderator typed is kept
        assert ("<html" in refused.text) is not bool(headers)
        db.refresh(item)
        assert item.status is ReviewStatus.PENDING
    assert "Because I said so." not in sam.get("/notifications").text
    # One of the forum's own reasons goes through.
    assert decide(rowan, item, "reject", reason=rejection_reason(forum)).status_code == 200
    assert post_of(db, HOSTILE).status is PostStatus.REJECTED


def test_undoing_an_approval_takes_the_post_down_and_withdraws_the_unread_notice(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    item = item_of(db, KIND)
    done = rowan.post(
        f"/moderation/items/{item.id}/decide", {"action": "approve"}, follow_redirects=False
    )
    assert done.status_code == 303
    decision = db.scalars(select(ModerationDecision)).one()
    assert done.headers["location"] == f"/moderation?notice=approve&undo={decision.id}"
    queue = rowan.get(done.headers["location"]).text
    assert f'action="/moderation/decisions/{decision.id}/undo"' in queue
    assert post_of(db, KIND).status is PostStatus.PUBLISHED

    back = undo(rowan, decision.id, follow_redirects=False)
    assert back.headers["location"] == f"/moderation/items/{item.id}?notice=undone"
    db.refresh(item)
    db.refresh(decision)
    post = post_of(db, KIND)
    assert post.status is PostStatus.HELD and item.status is ReviewStatus.PENDING
    assert item.claimed_by_id == decision.moderator_id and decision.undone_at is not None
    reader = make_browser()
    reader.sign_in("kai@example.org")
    assert "Rehab was scary" not in reader.get(f"/f/{forum.slug}/t/{thread_id}").text
    # Sam never saw the notice: it is withdrawn, as if it had not been sent.
    assert (
        db.scalars(select(Notification).where(Notification.user_id == post.author_id)).all() == []
    )
    assert "review.undo" in db.scalars(select(AuditEvent.action)).all()
    # The item can be decided again, properly this time.
    assert decide(rowan, item, "reject", reason=REASON).status_code == 200
    assert post_of(db, KIND).status is PostStatus.REJECTED


def test_undoing_a_decision_the_author_has_read_sends_a_correction(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, HOSTILE)
    item = item_of(db, HOSTILE)
    decide(rowan, item, "reject", reason=REASON)
    sam.post("/notifications/read")
    decision = db.scalars(select(ModerationDecision)).one()
    undo(rowan, decision.id)
    assert post_of(db, HOSTILE).status is PostStatus.HELD
    notices = sam.get("/notifications").text
    assert "didn&#39;t publish your reply" in notices or "didn't publish your reply" in notices
    assert "corrected their decision about your post in “Rough week”" in notices


def test_with_htmx_undo_brings_the_item_back_into_the_pane(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    item = item_of(db, KIND)
    next_card = rowan.post(
        f"/moderation/items/{item.id}/decide", {"action": "approve"}, headers=HTMX
    ).text
    decision = db.scalars(select(ModerationDecision)).one()
    assert (
        "Undo this decision" in next_card
        and f"/moderation/decisions/{decision.id}/undo" in next_card
    )
    card = undo(rowan, decision.id, headers=HTMX).text
    assert "<html" not in card and f'data-item-id="{item.id}"' in card
    assert "Undone: the item is back on the queue and claimed by you." in card


def test_undo_is_only_for_ten_minutes_and_only_for_the_moderator_who_decided(
    make_browser: Callable[[], Browser], db: Session, clock: ManualClock
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    post_reply(sam, forum, thread_id, KIND)
    decide(rowan, item_of(db, KIND), "approve")
    decision = db.scalars(select(ModerationDecision)).one()
    assert undo(alex, decision.id).status_code == 409
    clock.advance(minutes=10, seconds=1)
    assert (
        f"/moderation/decisions/{decision.id}/undo"
        not in rowan.get(f"/moderation?undo={decision.id}").text
    )
    refused = undo(rowan, decision.id)
    assert refused.status_code == 409 and "can no longer be undone" in refused.text
    assert post_of(db, KIND).status is PostStatus.PUBLISHED
    outsider = make_browser()
    member_of(forum, email="pat@example.org")
    outsider.sign_in("pat@example.org")
    assert undo(outsider, decision.id).status_code == 403


def test_an_author_appeals_a_rejected_post_once_and_a_different_moderator_decides(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    post_reply(sam, forum, thread_id, HOSTILE)
    decide(rowan, item_of(db, HOSTILE), "reject", reason=REASON)
    post = post_of(db, HOSTILE)
    thread_page = sam.get(f"/f/{forum.slug}/t/{thread_id}").text
    assert f'href="/posts/{post.id}/appeal"' in thread_page
    assert sam.post(f"/posts/{post.id}/appeal", {"body": "  "}).status_code == 422
    sent = sam.post(
        f"/posts/{post.id}/appeal",
        {"body": "I was quoting what someone said to me, not saying it to anyone here."},
        follow_redirects=False,
    )
    assert sent.headers["location"] == f"/posts/{post.id}/appeal?sent=1"
    again = sam.post(f"/posts/{post.id}/appeal", {"body": "Please look again."})
    assert again.status_code == 409 and "only once" in again.text
    assert len(db.scalars(select(PostAppeal)).all()) == 1

    # The moderator who rejected it never sees the appeal; a colleague does.
    appeal = db.scalars(select(PostAppeal)).one()
    assert "quoting what someone said" not in rowan.get("/moderation/appeals").text
    assert (
        rowan.post(f"/moderation/post-appeals/{appeal.id}", {"outcome": "overturn"}).status_code
        == 404
    )
    assert "quoting what someone said" in alex.get("/moderation/appeals").text
    alex.post(
        f"/moderation/post-appeals/{appeal.id}",
        {"outcome": "overturn", "response": "You're right, sorry about that."},
    )
    db.refresh(appeal)
    assert appeal.status is AppealStatus.OVERTURNED
    assert post_of(db, HOSTILE).status is PostStatus.PUBLISHED
    notices = sam.get("/notifications").text
    assert "reviewed by a different moderator: the decision was overturned" in notices
    assert sam.get(f"/posts/{post.id}/appeal").status_code == 404  # published: nothing to appeal


def test_only_the_author_can_appeal_and_only_a_post_that_was_not_published(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, HOSTILE)
    post = post_of(db, HOSTILE)
    assert sam.get(f"/posts/{post.id}/appeal").status_code == 404  # still waiting
    decide(rowan, item_of(db, HOSTILE), "reject", reason=REASON)
    kai = make_browser()
    kai.sign_in("kai@example.org")
    assert kai.get(f"/posts/{post.id}/appeal").status_code == 404
    assert kai.post(f"/posts/{post.id}/appeal", {"body": "Not mine."}).status_code == 404


def test_the_author_of_an_approved_crisis_post_gets_care_not_a_bare_approval(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, CRISIS)
    item = item_of(db, CRISIS)
    decide(rowan, item, "approve")
    notices = sam.get("/notifications").text
    assert "A moderator read your reply in “Rough week” and published it." in notices
    assert "we are thinking of you" in notices
    resource = forum.policy.crisis_resources[0]
    assert resource["name"] in notices and resource["contact"] in notices
    assert "Everyone in the forum can see it now." not in notices
    # The urgent item's decision schedules a follow-up for the moderator, a day later.
    follow_up = db.scalars(select(FollowUp)).one()
    assert follow_up.member_id == post_of(db, CRISIS).author_id
    assert round((follow_up.due_at - follow_up.created_at).total_seconds() / 3600) == 24


def test_undoing_an_edit_then_approve_puts_the_authors_words_back_and_holds_it_again(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    item = item_of(db, KIND)
    edited = "Rehab was hard, but the nurses were kind."
    decide(rowan, item, "edit_approve", edited_body=edited, reason="we shortened it")
    decision = db.scalars(select(ModerationDecision)).one()
    assert decision.body_before == KIND
    assert undo(rowan, decision.id).status_code == 200
    post = post_of(db, KIND)  # found by its own words again
    assert post.status is PostStatus.HELD and edited not in post.body_html
    assert (
        db.scalars(select(Notification).where(Notification.user_id == post.author_id)).all() == []
    )


def test_undoing_a_decision_on_an_authors_edit_makes_the_edit_wait_again(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, KIND)
    post = post_of(db, KIND)
    assert post.status is PostStatus.PUBLISHED
    sam.post(f"/posts/{post.id}/edit", {"body": "Call me on 07700 900123 tonight"})
    edit = db.scalars(select(PostEdit).where(PostEdit.post_id == post.id)).one()
    assert edit.status is EditStatus.PENDING
    item = db.scalars(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ReviewStatus.PENDING
        )
    ).one()
    for action, fields in (("approve", {}), ("reject", {"reason": REASON})):
        assert decide(rowan, item, action, **fields).status_code == 200
        sam.post("/notifications/read")  # Sam has read the notice: a correction, not a withdrawal
        decision = db.scalars(
            select(ModerationDecision).order_by(ModerationDecision.id.desc()).limit(1)
        ).one()
        assert decision.edit_id == edit.id and corrections_allowed(rowan, decision.id)
        assert undo(rowan, decision.id).status_code == 200
        db.expire_all()
        assert edit.status is EditStatus.PENDING and post.body_source == KIND
        assert post.status is PostStatus.PUBLISHED and item.status is ReviewStatus.PENDING
    notices = db.scalars(select(Notification.kind).where(Notification.user_id == post.author_id))
    assert list(notices).count("post.decision_corrected") == 2


def corrections_allowed(browser: Browser, decision_id: int) -> bool:
    return (
        f"/moderation/decisions/{decision_id}/undo"
        in browser.get(f"/moderation?undo={decision_id}").text
    )


def test_undoing_a_decision_on_a_private_message_puts_the_message_back(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    peers = held_message_between_peers(make_browser, db)
    conversation, rowan = peers.conversation, peers.rowan
    item = db.scalars(select(ReviewItem)).one()
    message = db.scalars(select(ConversationMessage)).one()
    assert message.status is MessageStatus.HELD
    decide(rowan, item, "reject", reason=REASON)
    decision = db.scalars(select(ModerationDecision)).one()
    db.expire_all()
    assert message.status is MessageStatus.REJECTED and corrections_allowed(rowan, decision.id)
    assert undo(rowan, decision.id).status_code == 200
    db.expire_all()
    assert message.status is MessageStatus.HELD and item.status is ReviewStatus.PENDING
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "review.undo")).one()
    assert event.target_type == "conversation" and event.target_id == conversation.id


def test_undoing_the_approval_of_a_held_message_withdraws_the_recipients_unread_notice(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    peers = held_message_between_peers(make_browser, db)
    ash, ash_browser, rowan = peers.ash, peers.ash_browser, peers.rowan
    item = db.scalars(select(ReviewItem)).one()

    def ash_notices() -> list[Notification]:
        db.expire_all()
        return list(db.scalars(select(Notification).where(Notification.user_id == ash.id)))

    decide(rowan, item, "approve")
    (notice,) = ash_notices()
    assert notice.kind == "message.new" and notice.read_at is None
    first = db.scalars(select(ModerationDecision)).one()
    undo(rowan, first.id)
    # Ash never saw it: the notice goes with the message, as if it had not been sent.
    assert ash_notices() == []
    assert "You have a new private message." not in ash_browser.get("/notifications").text

    decide(rowan, item, "approve")
    ash_browser.post("/notifications/read")
    second = db.scalars(select(ModerationDecision).where(ModerationDecision.id != first.id)).one()
    undo(rowan, second.id)
    db.expire_all()
    message = db.scalars(select(ConversationMessage)).one()
    assert message.status is MessageStatus.HELD
    (read,) = ash_notices()  # already read: left as it was
    assert read.kind == "message.new" and read.read_at is not None

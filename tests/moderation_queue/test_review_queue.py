"""The review queue: urgent first, the item card, decisions, claims, bulk actions, reports."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.audit.models import AuditEvent
from app.forums.models import Forum, MembershipRole, ModerationMode
from app.moderation_queue.models import (
    DecisionAction,
    ModerationDecision,
    ReviewItem,
    ReviewQueue,
    ReviewStatus,
)
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import (
    ForumFactory,
    UserFactory,
    member_of,
    rejection_reason,
    thread_with_opening_post,
)

HOSTILE = "You're pathetic, stop whining, people have it way worse than you."
KIND = "Sending you strength today. Rehab was scary for me too at first."
CRISIS = "I can't go on. Everyone would be better off without me."


def post_reply(browser: Browser, forum: Forum, thread_id: int, body: str) -> None:
    # "confirmed": the author saw any gentle nudge and chose to post anyway, for review.
    browser.post(f"/f/{forum.slug}/t/{thread_id}/reply", {"body": body, "confirmed": "1"})


def item_of(db: Session, body: str) -> ReviewItem:
    post = db.scalars(select(Post).where(Post.body_source == body)).one()
    return db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()


def decide(browser: Browser, item: ReviewItem, action: str, **fields: str):  # type: ignore[no-untyped-def]
    return browser.post(f"/moderation/items/{item.id}/decide", {"action": action, **fields})


def setup_forum(
    make_browser: Callable[[], Browser], mode: ModerationMode = ModerationMode.HOLD_FLAGGED
) -> tuple[Forum, int, Browser, Browser]:
    forum = ForumFactory(moderation_mode=mode)
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org", handle="sam")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    thread = thread_with_opening_post(forum, kai, title="Rough week")
    sam, rowan = make_browser(), make_browser()
    sam.sign_in("sam@example.org")
    rowan.sign_in("rowan@example.org")
    return forum, thread.id, sam, rowan


def test_crisis_posts_come_first_then_by_priority(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    post_reply(sam, forum, thread_id, HOSTILE)
    post_reply(sam, forum, thread_id, CRISIS)
    page = rowan.get("/moderation").text
    urgent, hostile, kind = (item_of(db, body) for body in (CRISIS, HOSTILE, KIND))
    positions = [page.index(f'data-item-id="{i.id}"') for i in (urgent, hostile, kind)]
    assert positions == sorted(positions)  # crisis, then the riskier held post, then the kind one
    assert urgent.queue is ReviewQueue.URGENT and urgent.distressing
    assert '<span class="count">1</span>' in page  # the urgent tab's count


def test_worry_about_someone_else_is_published_and_flagged_for_a_prompt_look(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    """Not the author's own crisis: the community can answer at once, and a moderator sees it
    before ordinary flags (to check on the member and offer resources)."""
    forum, thread_id, sam, _rowan = setup_forum(make_browser)
    worried = "My best mate keeps saying he wants to kill himself. What do I even say to him?"
    venting = "so done with this stupid disease and the endless blood tests, rant over. fuck it"
    post_reply(sam, forum, thread_id, worried)
    post_reply(sam, forum, thread_id, venting)
    concern, flag = item_of(db, worried), item_of(db, venting)
    assert db.get(Post, concern.post_id).status is PostStatus.PUBLISHED  # type: ignore[union-attr]
    assert concern.queue is ReviewQueue.UNREVIEWED
    assert "concern.other_person" in concern.reason_codes
    assert concern.priority >= 80 > flag.priority


def test_the_item_card_explains_and_highlights_why(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, HOSTILE)
    card = rowan.get(f"/moderation/items/{item_of(db, HOSTILE).id}").text
    assert "<mark>" in card and "Scores (minilm)" in card
    assert "Thread context (1 earlier post)" in card
    assert "sam&#39;s history" in card or "sam's history" in card


def test_approving_publishes_for_everyone_is_audited_and_the_author_told(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    item = item_of(db, KIND)
    assert decide(rowan, item, "approve").status_code == 200
    reader = make_browser()
    reader.sign_in("kai@example.org")
    assert "Rehab was scary for me too" in reader.get(f"/f/{forum.slug}/t/{thread_id}").text
    decision = db.scalars(select(ModerationDecision)).one()
    assert decision.action.value == "approve" and decision.agreed_with_machine is True
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == item.post_id)
    ).all()
    assert "review.approve" in actions
    assert "approved your reply" in sam.get("/notifications").text


def test_rejecting_needs_a_reason_which_the_author_sees(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, HOSTILE)
    item = item_of(db, HOSTILE)
    assert decide(rowan, item, "reject", reason="").status_code == 422
    decide(
        rowan,
        item,
        "reject",
        reason="It could hurt or upset other members.",
        message="Please be kind: everyone here is going through something.",
    )
    page = sam.get(f"/f/{forum.slug}/t/{thread_id}").text
    assert "Not published." in page and "It could hurt or upset other members." in page
    assert "Please be kind" in sam.get("/notifications").text
    assert db.scalars(select(ModerationDecision)).one().agreed_with_machine is True


def test_edit_then_approve_publishes_the_edit_and_tells_the_author(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    body = "My NHS number is 943 476 5919, the ward can call me."
    post_reply(sam, forum, thread_id, body)
    item = item_of(db, body)
    decide(
        rowan,
        item,
        "edit_approve",
        edited_body="My NHS number is [removed], the ward can call me.",
        reason="we removed your NHS number to keep you safe",
    )
    page = make_browser().get(f"/f/{forum.slug}/t/{thread_id}")
    db.expire_all()
    post = db.get(Post, item.post_id)
    assert post is not None and post.status is PostStatus.PUBLISHED and "5919" not in post.body_html
    assert "we removed your NHS number" in sam.get("/notifications").text
    assert page.status_code in (200, 403)


def test_escalating_moves_an_item_to_the_urgent_queue(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    post_reply(sam, forum, thread_id, HOSTILE)
    item = item_of(db, HOSTILE)
    # One way to escalate: the card links to a form that asks why and where; deciding "escalate"
    # without them is refused.
    card = rowan.get(f"/moderation/items/{item.id}").text
    assert f'href="/moderation/items/{item.id}/escalate"' in card
    assert f'hx-get="/moderation/items/{item.id}/escalate"' in card
    assert 'value="escalate"' not in card
    assert decide(rowan, item, "escalate").status_code == 422
    form = rowan.get(f"/moderation/items/{item.id}/escalate", headers={"HX-Request": "true"})
    assert "<html" not in form.text and 'hx-post="/moderation/items/' in form.text
    assert 'value="urgent"' in form.text
    done = rowan.post(
        f"/moderation/items/{item.id}/escalate",
        {"queue": "urgent", "reason": "Threatening; needs a second pair of eyes now."},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200 and "<html" not in done.text and "Escalated." in done.text
    db.refresh(item)
    assert item.queue is ReviewQueue.URGENT and item.status is ReviewStatus.PENDING
    escalation = db.scalars(
        select(ModerationDecision).where(ModerationDecision.action == DecisionAction.ESCALATE)
    ).one()
    assert escalation.reason == "Threatening; needs a second pair of eyes now."


def test_with_htmx_a_decision_returns_the_next_item_claimed(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    post_reply(sam, forum, thread_id, KIND)
    post_reply(sam, forum, thread_id, "Second kind reply about rehab.")
    first = item_of(db, KIND)
    response = rowan.post(
        f"/moderation/items/{first.id}/decide",
        {"action": "approve"},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in response.text and "Approved." in response.text
    assert "Second kind reply about rehab." in response.text
    second = item_of(db, "Second kind reply about rehab.")
    assert second.claimed_by_id is not None


def test_a_claimed_item_cannot_be_decided_by_a_colleague(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org", handle="mod_alex")
    alex = make_browser()
    alex.sign_in("alex@example.org")
    post_reply(sam, forum, thread_id, KIND)
    item = item_of(db, KIND)
    rowan.post(f"/moderation/items/{item.id}/claim")
    assert "Being reviewed by" not in rowan.get(f"/moderation/items/{item.id}").text
    assert (
        "Being reviewed by mod_rowan for 0 minutes" in alex.get(f"/moderation/items/{item.id}").text
    )
    late = decide(alex, item, "approve")
    assert late.status_code == 409 and "mod_rowan has been reviewing it for 0 minutes" in late.text
    assert "Already decided" not in late.text
    decide(rowan, item, "approve")
    again = decide(alex, item, "reject", reason=rejection_reason(forum))
    assert again.status_code == 409 and "Already decided by mod_rowan" in again.text
    assert len(db.scalars(select(ModerationDecision)).all()) == 1


def test_bulk_reject_shows_the_posts_asks_for_one_of_the_forums_reasons_then_audits_each(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    forum.policy.rejection_reasons = ["Please keep to the forum's topic.", "No adverts, please."]
    db.commit()
    bodies = [f"Spammy reply number {i} buy now" for i in range(3)]
    for body in bodies:
        post_reply(sam, forum, thread_id, body)
    author_id = db.scalars(select(Post.author_id).where(Post.body_source == bodies[0])).one()
    queue = rowan.get("/moderation").text
    assert 'id="bulk-reason"' not in queue  # no free-text reason on the queue
    confirm = rowan.post("/moderation/bulk", {"action": "reject", "author_id": str(author_id)})
    assert "Reject 3 items?" in confirm.text
    assert all(body in confirm.text for body in bodies)  # the posts themselves
    picker = confirm.text[confirm.text.index('<select id="bulk-reason"') :]
    picker = picker[: picker.index("</select>")]
    assert '<option value="" selected>Choose a reason…</option>' in picker
    assert picker.count(" selected") == 1 and "No adverts, please." in picker
    ids = {"item_ids": [str(i.id) for i in db.scalars(select(ReviewItem))]}
    for typed in ("", "Because I said so."):  # nothing chosen, or words not among the reasons
        refused = rowan.client.post(
            "/moderation/bulk",
            data={
                "action": "reject",
                "reason": typed,
                "confirmed": "true",
                "csrf_token": csrf_of(rowan),
                **ids,
            },
        )
        assert refused.status_code == 422 and "Choose a reason" in refused.text
    assert all(i.status is ReviewStatus.PENDING for i in db.scalars(select(ReviewItem)))
    rowan.client.post(
        "/moderation/bulk",
        data={
            "action": "reject",
            "reason": "No adverts, please.",
            "confirmed": "true",
            "csrf_token": csrf_of(rowan),
            **ids,
        },
    )
    db.expire_all()
    assert {i.status for i in db.scalars(select(ReviewItem))} == {ReviewStatus.REJECTED}
    assert {
        p.rejection_reason for p in db.scalars(select(Post).where(Post.author_id == author_id))
    } == {"No adverts, please."}
    assert (
        len(db.scalars(select(AuditEvent).where(AuditEvent.action == "review.reject")).all()) == 3
    )


def csrf_of(browser: Browser) -> str:
    return browser.get("/").text.split('"X-CSRF-Token": "')[1].split('"')[0]


def test_members_and_moderators_of_other_forums_cannot_see_or_decide(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, _rowan = setup_forum(make_browser, ModerationMode.PRE_MODERATE)
    other = ForumFactory()
    member_of(other, MembershipRole.MODERATOR, email="mod-other@example.org")
    post_reply(sam, forum, thread_id, KIND)
    item = item_of(db, KIND)
    assert sam.get("/moderation").status_code == 403
    assert decide(sam, item, "approve").status_code == 403
    outsider = make_browser()
    outsider.sign_in("mod-other@example.org")
    assert KIND not in outsider.get("/moderation").text
    assert outsider.get(f"/moderation/items/{item.id}").status_code == 404
    assert decide(outsider, item, "approve").status_code == 404
    db.refresh(item)
    assert item.status is ReviewStatus.PENDING


def test_site_admins_see_every_forum(browser: Browser, db: Session) -> None:
    ForumFactory()
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    browser.sign_in("admin@example.org")
    assert browser.get("/moderation").status_code == 200

"""The first moderator page: held posts with scores and reasons; approve or reject."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ModerationDecision
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of, thread_with_opening_post

HOSTILE = "You're pathetic, stop whining, people have it way worse than you."
KIND = "Sending you strength today. Rehab was scary for me too at first."


def held_reply(browser: Browser, forum_slug: str, thread_id: int, body: str) -> None:
    # "confirmed": the author saw the gentle nudge and chose to post anyway, for review.
    browser.post(f"/f/{forum_slug}/t/{thread_id}/reply", {"body": body, "confirmed": "1"})


def test_moderators_see_held_posts_with_reasons_and_scores(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    thread = thread_with_opening_post(forum, kai)
    sam, rowan = make_browser(), make_browser()
    sam.sign_in("sam@example.org")
    held_reply(sam, forum.slug, thread.id, HOSTILE)
    rowan.sign_in("rowan@example.org")
    page = rowan.get(f"/f/{forum.slug}/moderation").text
    assert "1 post held for review" in page
    assert "way worse than you" in page
    assert "<mark>" in page  # the triggering words are highlighted
    assert "Scores (profanity)" in page


def test_approving_publishes_the_post_for_everyone_and_is_audited(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="pat@example.org")
    rowan = member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    thread = thread_with_opening_post(forum, kai)
    pat, moderator, reader = make_browser(), make_browser(), make_browser()
    pat.sign_in("pat@example.org")
    held_reply(pat, forum.slug, thread.id, KIND)
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    assert reply.status is PostStatus.HELD
    moderator.sign_in("rowan@example.org")
    page = moderator.post(f"/f/{forum.slug}/moderation/posts/{reply.id}/approve").text
    assert "Approved" in page
    reader.sign_in("kai@example.org")
    assert "Rehab was scary for me too" in reader.get(f"/f/{forum.slug}/t/{thread.id}").text
    decision = db.scalars(select(ModerationDecision)).one()
    assert decision.moderator_id == rowan.id and decision.action.value == "approve"
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.target_id == reply.id)).all()
    assert "post.approve" in actions


def test_rejecting_needs_a_reason_which_the_author_then_sees(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    thread = thread_with_opening_post(forum, kai)
    sam, rowan = make_browser(), make_browser()
    sam.sign_in("sam@example.org")
    held_reply(sam, forum.slug, thread.id, HOSTILE)
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    rowan.sign_in("rowan@example.org")
    no_reason = rowan.post(f"/f/{forum.slug}/moderation/posts/{reply.id}/reject", {"reason": ""})
    assert no_reason.status_code == 422
    rowan.post(
        f"/f/{forum.slug}/moderation/posts/{reply.id}/reject",
        {"reason": "Please be kind: everyone here is going through something."},
    )
    page = sam.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert "Not published." in page and "Please be kind" in page


def test_a_post_decided_by_a_colleague_cannot_be_decided_again(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org")
    thread = thread_with_opening_post(forum, kai)
    author, first, second = make_browser(), make_browser(), make_browser()
    author.sign_in("kai@example.org")
    held_reply(author, forum.slug, thread.id, KIND)
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    first.sign_in("rowan@example.org")
    second.sign_in("alex@example.org")
    first.post(f"/f/{forum.slug}/moderation/posts/{reply.id}/approve")
    late = second.post(
        f"/f/{forum.slug}/moderation/posts/{reply.id}/reject", {"reason": "Too late"}
    )
    assert "A colleague already decided that post" in late.text
    assert len(db.scalars(select(ModerationDecision)).all()) == 1


def test_members_and_moderators_of_other_forums_cannot_moderate(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum_a, forum_b = ForumFactory(), ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    member_of(forum_a, MembershipRole.MODERATOR, email="mod-a@example.org")
    member_of(forum_b, email="member-b@example.org")
    author = member_of(forum_b, email="author@example.org")
    thread = thread_with_opening_post(forum_b, author)
    writer = make_browser()
    writer.sign_in("author@example.org")
    held_reply(writer, forum_b.slug, thread.id, KIND)
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    for email in ("mod-a@example.org", "member-b@example.org"):
        visitor = make_browser()
        visitor.sign_in(email)
        assert visitor.get(f"/f/{forum_b.slug}/moderation").status_code == 403
        assert (
            visitor.post(f"/f/{forum_b.slug}/moderation/posts/{reply.id}/approve").status_code
            == 403
        )
    # A moderator of A cannot reach B's post through A's queue either.
    mod_a = make_browser()
    mod_a.sign_in("mod-a@example.org")
    assert mod_a.post(f"/f/{forum_a.slug}/moderation/posts/{reply.id}/approve").status_code == 404
    db.refresh(reply)
    assert reply.status is PostStatus.HELD


def test_site_admins_can_moderate_any_forum(browser: Browser, db: Session) -> None:
    from app.accounts.models import SiteRole

    forum = ForumFactory()
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    browser.sign_in("admin@example.org")
    assert browser.get(f"/f/{forum.slug}/moderation").status_code == 200

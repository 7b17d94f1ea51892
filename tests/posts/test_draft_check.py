"""The compose form's check: identifiers, a gentle nudge, crisis help at once, blocked words."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forums.models import WatchedWord, WatchedWordAction
from app.moderation_queue.models import PostAssessment
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of, thread_with_opening_post

NHS_NUMBER_POST = "My NHS number is 943 476 5919 if the renal unit asks, can someone pass it on?"
CRISIS_POST = "I can't do this anymore. Everyone would be better off without me."
HOSTILE = "You're pathetic, stop whining, people have it way worse than you."


def setup_thread(db: Session) -> tuple[str, str]:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    return forum.slug, f"/f/{forum.slug}/t/{thread.id}"


def replies(db: Session) -> list[Post]:
    return list(db.scalars(select(Post).where(Post.is_opening.is_(False))))


def test_identifiers_are_highlighted_and_can_be_removed_before_posting(
    browser: Browser, db: Session
) -> None:
    _slug, thread_url = setup_thread(db)
    browser.sign_in("kai@example.org")
    advice = browser.post(f"{thread_url}/reply", {"body": NHS_NUMBER_POST})
    assert advice.status_code == 200 and replies(db) == []
    assert "This looks like it includes personal details" in advice.text
    assert "<mark>943 476 5919</mark>" in advice.text
    cleaned = browser.post(
        f"{thread_url}/reply", {"body": NHS_NUMBER_POST, "intent": "remove_identifiers"}
    )
    assert "We replaced the personal details with [removed]" in cleaned.text
    assert "My NHS number is [removed] if the renal unit asks" in cleaned.text
    assert replies(db) == []


def test_the_author_may_post_identifiers_anyway_and_a_moderator_reviews_them(
    browser: Browser, db: Session
) -> None:
    _slug, thread_url = setup_thread(db)
    browser.sign_in("kai@example.org")
    browser.post(f"{thread_url}/reply", {"body": NHS_NUMBER_POST, "confirmed": "1"})
    (post,) = replies(db)
    assert post.status is PostStatus.HELD


def test_a_hurtful_post_gets_one_gentle_nudge(browser: Browser, db: Session) -> None:
    _slug, thread_url = setup_thread(db)
    browser.sign_in("kai@example.org")
    nudge = browser.post(f"{thread_url}/reply", {"body": HOSTILE})
    assert "Could this come across as hurtful?" in nudge.text
    assert "Post anyway, for a moderator to review" in nudge.text
    assert HOSTILE.split(",")[0].replace("'", "&#39;") in nudge.text  # the draft is kept
    assert replies(db) == []


def test_a_crisis_post_is_saved_at_once_sent_urgently_and_help_shown(
    browser: Browser, db: Session
) -> None:
    _slug, thread_url = setup_thread(db)
    browser.sign_in("kai@example.org")
    page = browser.post(f"{thread_url}/reply", {"body": CRISIS_POST})
    (post,) = replies(db)
    assert post.status is PostStatus.HELD
    assessment = db.scalars(select(PostAssessment).where(PostAssessment.post_id == post.id)).one()
    assert assessment.route == "urgent"
    assert "You don't have to face this alone" in page.text
    assert "Samaritans" in page.text and "116 123" in page.text and "85258" in page.text
    # One tap calls or texts from a phone.
    assert '<a href="tel:116123">116 123</a>' in page.text
    assert '<a href="sms:85258?&amp;body=SHOUT">Text SHOUT to 85258</a>' in page.text


def test_crisis_help_shows_in_the_live_check_before_posting(browser: Browser, db: Session) -> None:
    slug, _thread_url = setup_thread(db)
    browser.sign_in("kai@example.org")
    fragment = browser.post(
        f"/f/{slug}/draft-check",
        {"body": CRISIS_POST, "form_id": "reply"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="draft-check-reply"' in fragment.text and "Samaritans" in fragment.text
    assert replies(db) == []


def test_the_live_check_is_silent_for_a_kind_post(browser: Browser, db: Session) -> None:
    slug, _thread_url = setup_thread(db)
    browser.sign_in("kai@example.org")
    fragment = browser.post(
        f"/f/{slug}/draft-check",
        {"body": "Thinking of you, I hope the new dialysis slot works out.", "form_id": "reply"},
    )
    assert re.fullmatch(
        r'\s*<div id="draft-check-reply" class="draft-check" aria-live="polite">\s*</div>\s*',
        fragment.text,
    )


def test_a_watched_word_set_to_block_refuses_the_post_with_a_message(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    db.add(WatchedWord(forum_id=forum.id, phrase="miracle cure", action=WatchedWordAction.BLOCK))
    db.commit()
    browser.sign_in("kai@example.org")
    response = browser.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": "Try this miracle cure, it fixed my kidneys"},
    )
    assert response.status_code == 422
    assert "doesn't allow “miracle cure”" in response.text
    assert replies(db) == []

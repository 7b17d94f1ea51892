"""A form sent twice (double click, retry after a dropped connection) makes one thing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db import utcnow
from app.forms.models import Submission
from app.forms.service import prune
from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ModerationDecision, Report, ReviewItem, Sanction
from app.posts.models import Post, PostStatus, Thread
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post

KEY = "k3y-of-a-form-as-rendered"


def key_in(page: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match, "the form carries no submission key"
    return match.group(1)


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_reply_sent_twice_is_saved_once_and_both_answers_lead_to_it(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    key = key_in(browser.get(f"/f/{forum.slug}/t/{thread.id}").text)
    form = {"body": "The renal nurse line was so kind to me today.", "submission_key": key}
    first = browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", form, follow_redirects=False)
    again = browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert count(db, Post) == 2  # the opening post and one reply
    assert f"harbour_sent={key}" in again.headers["set-cookie"]  # the local draft may go
    # A fresh form has a fresh key, so the next reply is a new reply.
    next_key = key_in(browser.get(f"/f/{forum.slug}/t/{thread.id}").text)
    assert next_key != key


def test_every_form_that_creates_something_makes_it_once(browser: Browser, db: Session) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    member_of(forum, MembershipRole.MODERATOR, email="kai@example.org")
    sam = member_of(forum)
    thread = thread_with_opening_post(forum, sam)
    post = PostFactory(thread=thread, author=sam, body_source="Held words", status=PostStatus.HELD)
    item = ReviewItem(post_id=post.id, forum_id=forum.id, queue="held", priority=1, reason_codes=[])
    db.add(item)
    db.commit()
    browser.sign_in("kai@example.org")
    cases = [
        (f"/f/{forum.slug}/new", {"title": "Night shifts", "body": "Any tips?"}, Thread, 2),
        (f"/posts/{thread.id}/report", {"reason": "spam"}, Report, 1),
        (
            f"/moderation/items/{item.id}/decide",
            {"action": "reject", "reason": "It is off-topic or advertising."},
            ModerationDecision,
            1,
        ),
        (
            f"/moderation/members/{sam.id}/sanctions",
            {"forum": forum.slug, "kind": "warning", "reason": "Please be kind."},
            Sanction,
            1,
        ),
    ]
    opening = db.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.is_opening))
    for n, (url, form, model, expected) in enumerate(cases):
        url = url.replace(f"/posts/{thread.id}/", f"/posts/{opening}/")
        form = {**form, "submission_key": f"{KEY}-{n}"}
        answers = [browser.post(url, form, follow_redirects=False) for _ in range(2)]
        assert [a.status_code for a in answers] == [303, 303], url
        assert answers[0].headers["location"] == answers[1].headers["location"]
        assert count(db, model) == expected, url


def test_keys_belong_to_one_member_and_last_a_day(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org")
    thread = thread_with_opening_post(forum, kai)
    url = f"/f/{forum.slug}/t/{thread.id}/reply"
    browser.sign_in("kai@example.org")
    browser.post(url, {"body": "First thoughts.", "submission_key": KEY})
    browser.sign_in("sam@example.org")  # the same key from someone else is their own
    browser.post(url, {"body": "Second thoughts.", "submission_key": KEY})
    assert count(db, Post) == 3
    db.execute(update(Submission).values(created_at=utcnow() - timedelta(hours=25)))
    browser.post(url, {"body": "A day later.", "submission_key": KEY})
    assert count(db, Post) == 4  # a day-old key counts as new
    assert prune(db) == 1  # the worker's housekeeping forgets Sam's day-old key
    db.commit()


def test_a_form_given_back_after_an_error_keeps_its_key(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    url = f"/f/{forum.slug}/t/{thread.id}/reply"
    refused = browser.post(url, {"body": "x" * 20_001, "submission_key": KEY})
    assert refused.status_code == 422 and key_in(refused.text) == KEY
    assert count(db, Submission) == 0  # nothing was made, so nothing to replay
    assert browser.post(url, {"body": "Shorter.", "submission_key": KEY}).status_code == 200
    assert count(db, Post) == 2


def test_a_form_refused_by_its_limits_comes_back_whole_or_as_an_htmx_fragment(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    too_long = "B" * 400
    for headers in ({}, {"HX-Request": "true"}):
        response = browser.post("/account/profile", {"bio": too_long}, headers=headers)
        assert response.status_code == 422
        assert 'class="error-summary"' in response.text and too_long in response.text
        assert ("<html" in response.text) is not bool(headers)  # htmx gets the form alone

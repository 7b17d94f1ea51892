"""Posting threads and replies through the moderation gate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.db import is_write_statement
from app.forums.models import ModerationMode
from app.moderation_queue.models import PostAssessment
from app.notifications.models import Notification
from app.posts.models import Post, PostStatus, Thread
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post

SUPPORTIVE = "Sending you strength. My first month on dialysis was hard too, it does get easier."
HOSTILE = "You're pathetic, stop whining, people have it way worse than you."


def test_a_member_starts_a_thread_that_others_can_read(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org")
    kai, sam = make_browser(), make_browser()
    kai.sign_in("kai@example.org")
    response = kai.post(
        f"/f/{forum.slug}/new", {"title": "Starting dialysis at 22", "body": SUPPORTIVE}
    )
    assert response.status_code == 200
    assert "Starting dialysis at 22" in response.text
    sam.sign_in("sam@example.org")
    assert "Starting dialysis at 22" in sam.get(f"/f/{forum.slug}").text
    thread = db.scalars(select(Thread)).one()
    assert SUPPORTIVE.split(".")[0] in sam.get(f"/f/{forum.slug}/t/{thread.id}").text


def test_every_post_is_saved_then_assessed_with_scores_and_version(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    browser.post(f"/f/{forum.slug}/new", {"title": "Hello", "body": SUPPORTIVE})
    post = db.scalars(select(Post)).one()
    assert post.status is PostStatus.PUBLISHED
    assessment = db.scalars(select(PostAssessment).where(PostAssessment.post_id == post.id)).one()
    assert assessment.scorer_name == "minilm" and assessment.scorer_version
    assert set(assessment.scores) >= {"toxicity", "obscene", "insult"}
    assert assessment.route == "publish"


def test_a_hostile_reply_is_held_and_only_its_author_sees_it(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.HOLD_FLAGGED)
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai, title="Rough week")
    sam_browser, kai_browser = make_browser(), make_browser()
    sam_browser.sign_in("sam@example.org")
    nudge = sam_browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": HOSTILE}).text
    assert "Could this come across as hurtful?" in nudge
    page = sam_browser.post(
        f"/f/{forum.slug}/t/{thread.id}/reply", {"body": HOSTILE, "confirmed": "1"}
    ).text
    assert "Awaiting review" in page and "way worse than you" in page
    kai_browser.sign_in("kai@example.org")
    assert "way worse than you" not in kai_browser.get(f"/f/{forum.slug}/t/{thread.id}").text
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    assert reply.status is PostStatus.HELD


def test_in_a_pre_moderated_forum_even_kind_posts_wait_for_a_moderator(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    member_of(forum, email="pat@example.org")
    browser.sign_in("pat@example.org")
    page = browser.post(
        f"/f/{forum.slug}/new", {"title": "First week of rehab", "body": SUPPORTIVE}
    ).text
    assert "Awaiting review" in page
    assert "what happens next" in page.lower() or "moderator will read it" in page
    forum_page = browser.get(f"/f/{forum.slug}").text
    assert "Your threads awaiting review" in forum_page


def test_a_post_that_cannot_be_assessed_is_kept_and_held_for_a_human(
    browser: Browser, db: Session, app: object
) -> None:
    class BrokenScorer:
        name = "broken"
        version = "0"

        def score_batch(self, texts: object) -> list[dict[str, float]]:
            raise RuntimeError("model file is corrupt")

    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    app.state.gate.scorer = BrokenScorer()  # type: ignore[attr-defined]
    browser.sign_in("kai@example.org")
    page = browser.post(f"/f/{forum.slug}/new", {"title": "Still saved", "body": SUPPORTIVE})
    assert page.status_code == 200 and "Awaiting review" in page.text
    post = db.scalars(select(Post)).one()
    assert post.status is PostStatus.HELD and post.body_source == SUPPORTIVE
    assessment = db.scalars(select(PostAssessment)).one()
    assert assessment.reasons[0]["code"] == "assessment_failed"


def test_markdown_is_rendered_once_and_html_is_never_executed(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    body = "**Bold** and <script>alert(1)</script> [link](javascript:alert(2)) <img src=x onerror=alert(3)>"
    page = browser.post(f"/f/{forum.slug}/new", {"title": "Formatting", "body": body}).text
    assert "<strong>Bold</strong>" in page
    # What a member types as HTML is shown as text, and no link may run script.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page and 'href="javascript:' not in page
    assert "<img src=x" not in page
    post = db.scalars(select(Post)).one()
    assert post.body_html.startswith("<p><strong>Bold</strong>")


def test_one_post_can_mention_a_few_people_not_a_whole_forum(browser: Browser, db: Session) -> None:
    from app.notifications import fanout
    from app.notifications.models import Notification

    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    everyone = [member_of(forum) for _ in range(12)]
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    roll_call = " ".join(f"@{m.handle}" for m in everyone)
    refused = browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": roll_call})
    assert refused.status_code == 422
    assert "This post mentions 12 people; you can mention up to 10 in one post." in refused.text
    assert roll_call in refused.text  # the text comes back to be trimmed
    # However a post got through (an edit approved by a moderator…), at most 10 are told.
    post = PostFactory(thread=thread, author=kai, body_source=roll_call)
    fanout.post_published(db, post)
    db.commit()
    mentioned = db.scalars(select(Notification).where(Notification.kind == "post.mention")).all()
    assert len(mentioned) == fanout.MAX_MENTIONS


@contextmanager
def write_transactions(app: Any) -> Iterator[list[int]]:
    """How many transactions that wrote something the app commits while the block runs."""
    committed: list[int] = []
    wrote: set[int] = set()

    def statement(conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if is_write_statement(sql):
            wrote.add(id(conn.connection.dbapi_connection))

    def commit(conn: Any) -> None:
        if id(conn.connection.dbapi_connection) in wrote:
            wrote.discard(id(conn.connection.dbapi_connection))
            committed.append(1)

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield committed
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)


def test_a_reply_is_saved_assessed_published_indexed_and_announced_in_one_write_transaction(
    browser: Browser, db: Session, app: Any
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    sam = member_of(forum, email="sam@example.org")
    thread = thread_with_opening_post(forum, sam)  # sam watches their thread: told of replies
    browser.sign_in("kai@example.org")
    browser.get("/")  # the session's first use is recorded after that response
    with write_transactions(app) as committed:
        response = browser.post(
            f"/f/{forum.slug}/t/{thread.id}/reply", {"body": SUPPORTIVE}, follow_redirects=False
        )
    assert response.status_code == 303
    post = db.scalars(select(Post).where(Post.author_id == kai.id)).one()
    assert post.status is PostStatus.PUBLISHED
    assert db.scalars(select(PostAssessment).where(PostAssessment.post_id == post.id)).one()
    assert db.scalars(select(Notification).where(Notification.user_id == sam.id)).all()
    assert f"/posts/{post.id}" in browser.get("/search", params={"q": "dialysis"}).text
    assert len(committed) == 1


def test_a_reply_whose_routing_fails_is_still_saved_and_reaches_a_human(
    browser: Browser, db: Session, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault after the post is saved (here: the queue refusing the item) rolls back only the
    routing; the post stays saved and the worker's pass holds it for a moderator."""
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, member_of(forum))
    browser.sign_in("kai@example.org")
    gate = app.state.gate
    real_route = gate._route
    calls: list[int] = []

    def route_once_failing(session: Session, post: Post, *args: Any) -> None:
        calls.append(post.id)
        if len(calls) == 1:
            raise RuntimeError("the review queue refused the item")
        real_route(session, post, *args)

    monkeypatch.setattr(gate, "_route", route_once_failing)
    response = browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": SUPPORTIVE})
    assert response.status_code == 200
    post = db.scalars(select(Post).where(Post.body_source == SUPPORTIVE)).one()
    assert post.status is PostStatus.HELD  # routed after the commit, on the second try
    assert len(calls) == 2

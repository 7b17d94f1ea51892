"""Assessment outside the request: nothing is lost to a slow scorer, a crash or a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import utcnow
from app.main import create_app
from app.moderation_queue.models import PostAssessment, ReviewItem
from app.posts.models import EditStatus, Post, PostEdit, PostStatus
from tests.conftest import Browser
from tests.factories import (
    BrokenScorer,
    ForumFactory,
    PostFactory,
    member_of,
    thread_with_opening_post,
)

KIND = "Sending you strength. The first months on dialysis are the hardest."
WITH_A_PHONE_NUMBER = KIND + " Ring me on 07700 900123."


@pytest.fixture
def slow_scorer_app(settings: Settings) -> Iterator[FastAPI]:
    """The app as run with a slow scorer: nothing is assessed in the request; tests run the worker."""
    app = create_app(
        settings.model_copy(update={"assess_inline": False, "in_process_worker": False})
    )
    yield app
    app.state.engine.dispose()


def kais_published_post() -> Post:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    return PostFactory(thread=thread, author=kai, body_source=KIND)


def signed_in_author(client: TestClient) -> Browser:
    author = Browser(client)
    author.sign_in("kai@example.org")
    return author


def test_posts_left_unassessed_by_a_crash_are_picked_up_at_start(
    settings: Settings, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    stranded = PostFactory(
        thread=thread,
        author=kai,
        body_source=KIND,
        status=PostStatus.AWAITING_ASSESSMENT,
        published_at=None,
        created_at=utcnow() - timedelta(minutes=5),
    )
    app = create_app(settings)
    with TestClient(app):
        app.state.assessments.worker.stop()  # wait for the start-up sweep to finish
    db.refresh(stranded)
    assert stranded.status is PostStatus.PUBLISHED
    assert db.scalars(select(PostAssessment).where(PostAssessment.post_id == stranded.id)).one()


def test_with_a_background_scorer_the_author_sees_awaiting_review_until_the_worker_runs(
    slow_scorer_app: FastAPI, db: Session
) -> None:
    app = slow_scorer_app
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    with TestClient(app) as client:
        author = signed_in_author(client)
        page = author.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": KIND})
        assert "Awaiting review" in page.text
        reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
        assert reply.status is PostStatus.AWAITING_ASSESSMENT

        assert app.state.assessments.worker.run_until_idle() == 1
        db.refresh(reply)
        assert reply.status is PostStatus.PUBLISHED
        assert "Awaiting review" not in author.get(f"/f/{forum.slug}/t/{thread.id}").text


def test_a_batch_with_one_unassessable_post_still_routes_the_others(
    app: object, db: Session
) -> None:
    class FailsOnOneText:
        name = "flaky"
        version = "1"

        def score_batch(self, texts: list[str]) -> list[dict[str, float]]:
            if any("BROKEN" in t for t in texts):
                raise ValueError("tokeniser crashed")
            return [
                {
                    "toxicity": 0.01,
                    "severe_toxicity": 0.0,
                    "obscene": 0.0,
                    "threat": 0.0,
                    "insult": 0.0,
                    "identity_attack": 0.0,
                }
                for _ in texts
            ]

    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    good = PostFactory(
        thread=thread,
        author=kai,
        body_source=KIND,
        status=PostStatus.AWAITING_ASSESSMENT,
        published_at=None,
    )
    bad = PostFactory(
        thread=thread,
        author=kai,
        body_source="BROKEN text",
        status=PostStatus.AWAITING_ASSESSMENT,
        published_at=None,
    )
    gate = app.state.gate  # type: ignore[attr-defined]
    gate.scorer = FailsOnOneText()
    assert gate.assess_pending() == 2
    db.refresh(good)
    db.refresh(bad)
    assert good.status is PostStatus.PUBLISHED
    assert bad.status is PostStatus.HELD


def test_with_a_background_scorer_an_edit_waits_for_the_worker_and_the_published_text_stays(
    slow_scorer_app: FastAPI, db: Session
) -> None:
    app = slow_scorer_app
    post = kais_published_post()
    with TestClient(app) as client:
        author = signed_in_author(client)
        author.post(f"/posts/{post.id}/edit", {"body": WITH_A_PHONE_NUMBER})
        edit = db.scalars(select(PostEdit)).one()
        assert edit.status is EditStatus.AWAITING_ASSESSMENT  # the request did not score it
        page = author.get(f"/posts/{post.id}").text
        assert "Your edit is waiting for a moderator" in page and "07700 900123" not in page

        assert app.state.assessments.worker.run_until_idle() == 1
        db.refresh(edit)
        db.refresh(post)
        assert edit.status is EditStatus.PENDING and post.body_source == KIND
        item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
        assert "identifier.phone" in item.reason_codes and "edit.pending" in item.reason_codes
        assert app.state.assessments.worker.run_until_idle() == 0  # assessed once only


def test_an_edit_of_a_post_withdrawn_before_the_worker_runs_is_dropped(
    slow_scorer_app: FastAPI, db: Session
) -> None:
    app = slow_scorer_app
    post = kais_published_post()
    with TestClient(app) as client:
        author = signed_in_author(client)
        author.post(f"/posts/{post.id}/edit", {"body": WITH_A_PHONE_NUMBER})
        author.post(f"/posts/{post.id}/withdraw")
        app.state.assessments.worker.run_until_idle()
        assert db.scalars(select(PostEdit.status)).one() is EditStatus.DISCARDED
        assert db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).all() == []


def test_an_edit_that_cannot_be_assessed_waits_for_a_human_and_the_published_text_stays(
    slow_scorer_app: FastAPI, db: Session
) -> None:
    app = slow_scorer_app
    post = kais_published_post()
    app.state.gate.scorer = BrokenScorer()
    with TestClient(app) as client:
        signed_in_author(client).post(f"/posts/{post.id}/edit", {"body": KIND + " (edited)"})
        assert app.state.assessments.worker.run_until_idle() == 1
    db.refresh(post)
    assert post.status is PostStatus.PUBLISHED and post.body_source == KIND
    assert db.scalars(select(PostEdit.status)).one() is EditStatus.PENDING
    item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
    assert item.reason_codes == ["assessment_failed", "edit.pending"]


def test_on_postgresql_a_separate_worker_is_woken_by_the_commit_not_its_poll(
    slow_scorer_app: FastAPI, settings: Settings, db: Session
) -> None:
    """`harbour worker` in its own process LISTENs: a reply saved by a web process is assessed
    at once, long before the worker's next poll (set here to ten minutes)."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; on SQLite the worker runs in the web process")
    from app.db import make_engine, make_sessionmaker
    from app.main import assessment_worker_for
    from app.moderation_queue.gate import ModerationGate

    engine = make_engine(settings.database_url)
    gate = ModerationGate(
        sessions=make_sessionmaker(engine, settings), scorer=slow_scorer_app.state.gate.scorer
    )
    separate = assessment_worker_for(gate, grace=None, database_url=settings.database_url)
    separate.poll_seconds = 600
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    separate.start()
    try:
        separate.run_until_idle()  # the start-up sweep: nothing waiting yet
        with TestClient(slow_scorer_app) as client:
            author = signed_in_author(client)
            author.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": KIND})
        reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
        deadline = time.monotonic() + 60  # a bound on waiting, far below the poll
        while reply.status is PostStatus.AWAITING_ASSESSMENT and time.monotonic() < deadline:
            time.sleep(0.05)
            db.refresh(reply)
        assert reply.status is PostStatus.PUBLISHED
    finally:
        separate.stop()
        engine.dispose()

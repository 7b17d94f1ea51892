"""The write path: readers never wait or write, writers wait a bounded time, nothing collides."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from app.accounts.models import UserSession
from app.config import Settings
from app.db import (
    WRITE_IN_READ,
    DatabaseBusy,
    make_engine,
    make_sessionmaker,
    utcnow,
    write_transaction,
)
from app.deps import SessionDep
from app.main import create_app
from app.notifications import service as notifications
from app.notifications.models import ThreadRead
from app.posts.models import Post
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post


def sqlite_only(settings: Settings) -> None:
    if not settings.is_sqlite:
        pytest.skip("SQLite's single write lock")


@contextmanager
def write_lock_held_elsewhere(settings: Settings) -> Iterator[None]:
    """Another process's writer (the worker, a CLI command) holding SQLite's write lock."""
    other = sqlite3.connect(settings.database_url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def impatient(settings: Settings) -> Iterator[Browser]:
    """A visitor of an app that waits at most 0.3 s for SQLite's write lock."""
    impatient_app = create_app(settings.model_copy(update={"write_wait_seconds": 0.3}))
    with TestClient(impatient_app) as client:
        yield Browser(client)
    impatient_app.state.engine.dispose()


def reader_with_something_to_record(browser: Browser) -> list[str]:
    """A signed-in member whose page views have something to record (a new post to mark read,
    a last-seen time due a refresh), and the pages they read."""
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    PostFactory(thread=thread, author=member_of(forum))
    browser.sign_in("kai@example.org")
    with write_transaction(make_sessionmaker(browser.client.app.state.engine)) as db:
        db.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
    return ["/", f"/f/{forum.slug}", f"/f/{forum.slug}/t/{thread.id}", "/notifications"]


def test_pages_are_read_while_another_process_holds_the_write_lock(
    impatient: Browser, db: Session, settings: Settings
) -> None:
    sqlite_only(settings)
    pages = reader_with_something_to_record(impatient)
    with write_lock_held_elsewhere(settings):
        # (What the views record after the response waits for the lock, then gives up quietly.)
        for path in pages:
            assert impatient.get(path).status_code == 200, path


def test_a_writer_waits_a_bounded_time_then_gets_503_with_its_text_back(
    impatient: Browser, db: Session, settings: Settings
) -> None:
    sqlite_only(settings)
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    impatient.sign_in("kai@example.org")
    with write_lock_held_elsewhere(settings):
        started = time.monotonic()
        response = impatient.post(
            f"/f/{forum.slug}/t/{thread.id}/reply",
            {"body": "Three weeks on the new dose and I can finally sleep."},
        )
        waited = time.monotonic() - started
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert waited < 3  # a short wait, never the 30 s hang
    assert "Harbour is very busy" in response.text
    assert "Three weeks on the new dose and I can finally sleep." in response.text
    # Nothing half-saved, and the same form goes through once the lock is free.
    assert db.scalar(select(func.count()).select_from(Post)) == 1
    again = impatient.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": "Three weeks on the new dose and I can finally sleep."},
        follow_redirects=False,
    )
    assert again.status_code == 303


def test_a_transaction_that_read_first_still_writes_after_another_writer_committed(
    settings: Settings, db: Session
) -> None:
    """SQLite refuses to upgrade a read transaction whose snapshot is out of date ("database is
    locked" at once, whatever the busy timeout); the first write starts a fresh one instead."""
    forum = ForumFactory()
    kai = member_of(forum)
    thread = thread_with_opening_post(forum, kai)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as reader, sessions() as writer:
        assert reader.scalar(select(func.count()).select_from(Post)) == 1  # snapshot taken
        writer.execute(text("UPDATE thread SET reply_count = reply_count + 0"))
        writer.commit()
        notifications.mark_read(reader, kai.id, thread.id)
        reader.commit()
    assert db.scalar(select(func.count()).select_from(ThreadRead)) == 1
    engine.dispose()


def test_two_first_reads_of_a_thread_at_once_record_one_row(
    settings: Settings, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum)
    thread = thread_with_opening_post(forum, kai)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as first, sessions() as second:
        # Both looked and found no row; both record one.
        assert notifications.last_reads(first, kai.id, [thread.id]) == {}
        assert notifications.last_reads(second, kai.id, [thread.id]) == {}
        notifications.mark_read(first, kai.id, thread.id)
        first.commit()
        notifications.mark_read(second, kai.id, thread.id)
        second.commit()
    assert db.scalar(select(func.count()).select_from(ThreadRead)) == 1
    engine.dispose()


def test_the_write_lock_is_handed_on_in_turn_and_never_left_held(settings: Settings) -> None:
    sqlite_only(settings)
    engine = make_engine(settings.database_url, write_wait_seconds=0.2)
    sessions = make_sessionmaker(engine)
    with sessions() as holder:
        holder.execute(text("UPDATE forum SET position = 0"))  # holds the lock until it ends
        with sessions() as waiter, pytest.raises(DatabaseBusy):
            waiter.execute(text("UPDATE forum SET position = 1"))
        holder.rollback()
    for _ in range(3):  # rolled back or committed, the next writer gets it at once
        with sessions() as writer:
            writer.execute(text("UPDATE forum SET position = 2"))
            writer.commit()
    engine.dispose()


def test_reading_a_page_never_writes_inside_the_request(
    browser: Browser, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    pages = reader_with_something_to_record(browser)
    with caplog.at_level(logging.WARNING, logger="app.db"):
        for path in pages:
            assert browser.get(path).status_code == 200
    assert not [r for r in caplog.records if r.msg == WRITE_IN_READ]
    # What the views record was still recorded, after the responses.
    assert db.scalar(select(func.count()).select_from(ThreadRead)) == 1
    seen = db.scalar(select(UserSession.last_seen_at))
    assert seen is not None and utcnow() - seen < timedelta(minutes=1)


def test_a_write_slipped_into_a_read_request_is_reported(
    app: FastAPI, browser: Browser, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/test-only/bad-read")
    def bad_read(session: SessionDep) -> dict[str, bool]:
        session.execute(text("UPDATE forum SET position = position"))
        return {"ok": True}

    with caplog.at_level(logging.WARNING, logger="app.db"):
        browser.get("/test-only/bad-read")
    assert [r.getMessage() for r in caplog.records if r.msg == WRITE_IN_READ] == [
        "write inside a read request: GET /test-only/bad-read"
    ]

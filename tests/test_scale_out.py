"""Beyond one process, over real HTTP: the production topology on this machine's PostgreSQL and
Redis (two web processes and a separate `harbour worker`), and one member's session used by 32
requests at once on either database.

What this proves (outcomes, not timings):
- a rate limit counts one member's posts across both web processes (Redis);
- a claim taken through one web process keeps a colleague off through the other (the database);
- a post saved through a web process reaches the queue through the separate worker because the
  worker is woken (PostgreSQL NOTIFY), not by its poll (set far longer than the test waits);
- 32 concurrent readers and writers of one session never see a 5xx, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app.accounts.models import UserSession
from app.config import Settings
from app.db import utcnow
from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ReviewItem
from app.posts.models import Post, PostStatus
from bench.server import ROOT, SECRET_KEY, serving
from tests.factories import ForumFactory, member_of, thread_with_opening_post
from tests.live import member_client, session_client

REDIS_URL = "redis://127.0.0.1:6379/0"
# The worker's fallback poll: far longer than the test waits, so only a wake-up can be in time.
WORKER_POLL_SECONDS = "600"
WAKE_UP_DEADLINE = 60.0


def _redis_is_up() -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@contextmanager
def harbour_worker(database_url: str, env: dict[str, str], log: Path) -> Iterator[None]:
    """`harbour worker` in its own process, returned once its start-up sweep is done and it is
    listening for new posts."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "worker"],
            cwd=ROOT,
            # Unbuffered: its "Ready:" line reaches the log as it is said.
            env={
                **os.environ,
                "HARBOUR_DATABASE_URL": database_url,
                "PYTHONUNBUFFERED": "1",
                **env,
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120  # a shared CI machine can be slow to start three
        while "Ready:" not in log.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def started_together(running: ExitStack, *processes: AbstractContextManager[Any]) -> list[Any]:
    """Start several processes at once (each waits for its own readiness), stopped with `running`."""
    with ThreadPoolExecutor(max_workers=len(processes)) as pool:
        starting = [pool.submit(process.__enter__) for process in processes]
        wait(starting)
    for process, start in zip(processes, starting, strict=True):
        if start.exception() is None:
            running.push(process.__exit__)
    return [start.result() for start in starting]


@pytest.mark.skipif(not _redis_is_up(), reason=f"no Redis at {REDIS_URL}")
def test_two_web_processes_and_a_worker_share_limits_claims_and_wake_ups(
    settings: Settings, db: Session, tmp_path: Path
) -> None:
    if settings.is_sqlite:
        pytest.skip("several processes are the PostgreSQL topology (SQLite runs one process)")
    # Rate-limit keys in Redis name the member's id: ids of this run's own, so an earlier run's
    # posts (still inside the minute) never count.
    db.execute(
        text(f"ALTER SEQUENCE user_account_id_seq RESTART WITH {random.randint(10**6, 10**9)}")
    )
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    kai = member_of(forum)
    rowan = member_of(forum, MembershipRole.MODERATOR)
    ash = member_of(forum, MembershipRole.MODERATOR)
    thread = thread_with_opening_post(forum, kai)
    env = {
        "HARBOUR_ENVIRONMENT": "test",
        "HARBOUR_SECRET_KEY": SECRET_KEY,
        "HARBOUR_IN_PROCESS_WORKER": "false",
        "HARBOUR_ASSESS_INLINE": "false",
        "HARBOUR_RATE_LIMIT_STORAGE": REDIS_URL,
        "HARBOUR_POST_LIMIT_PER_USER": "2/minute",
        "HARBOUR_WORKER_POLL_SECONDS": WORKER_POLL_SECONDS,
        "HARBOUR_PICTURE_DIR": str(tmp_path / "pictures"),
        "HARBOUR_SCORER": "profanity",  # quick to load in three processes
    }
    url = settings.database_url
    with ExitStack() as running:
        _, web_a, web_b = started_together(
            running,
            harbour_worker(url, env, tmp_path / "worker.log"),
            serving(url, env, tmp_path / "a.log"),
            serving(url, env, tmp_path / "b.log"),
        )
        reply = f"/f/{forum.slug}/t/{thread.id}/reply"
        kai_a = running.enter_context(member_client(web_a, db, kai))
        kai_b = running.enter_context(session_client(web_b, kai_a.cookies["harbour_session"]))

        # Post -> queue: saved by web A, assessed and queued by the separate worker, woken.
        assert kai_a.post(reply, data={"body": "Thinking of you today."}).status_code == 303
        deadline = time.monotonic() + WAKE_UP_DEADLINE
        while (item := db.scalar(select(ReviewItem))) is None:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.05)
        assert db.scalar(select(Post.status).where(Post.id == item.post_id)) is PostStatus.HELD

        # The limit (2 a minute) counts posts through either process: the third is refused.
        assert kai_b.post(reply, data={"body": "Evening slots suit me."}).status_code == 303
        assert kai_a.post(reply, data={"body": "Frozen grapes help."}).status_code == 429

        # A claim through web A keeps a colleague off through web B; its holder keeps it alive.
        rowan_a = running.enter_context(member_client(web_a, db, rowan))
        ash_b = running.enter_context(member_client(web_b, db, ash))
        claim = f"/moderation/items/{item.id}/claim"
        assert rowan_a.post(claim, follow_redirects=False).status_code == 303
        assert ash_b.post(claim, params={"keepalive": "true"}).status_code == 409
        rowan_b = running.enter_context(session_client(web_b, rowan_a.cookies["harbour_session"]))
        assert rowan_b.post(claim, params={"keepalive": "true"}).status_code == 204


READERS = WRITERS = 16


def test_32_readers_and_writers_of_one_session_never_get_a_5xx(
    settings: Settings, db: Session, tmp_path: Path
) -> None:
    forum = ForumFactory()
    kai = member_of(forum)
    thread = thread_with_opening_post(forum, member_of(forum))
    env = {
        "HARBOUR_ENVIRONMENT": "test",
        "HARBOUR_POST_LIMIT_PER_USER": "1000/minute",  # load, not the abuse limit, under test
        "HARBOUR_WRITE_QUEUE_SECONDS": "60",  # a slow shared machine must not read as failure
        "HARBOUR_PICTURE_DIR": str(tmp_path / "pictures"),
        "HARBOUR_SCORER": "profanity",  # the requests, not the model, under test
    }
    with serving(settings.database_url, env, tmp_path / "server.log") as url:
        first = member_client(url, db, kai)
        # The session is due a last-seen refresh, so every request may want to record it.
        db.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
        db.commit()
        token = first.cookies["harbour_session"]
        tabs = [session_client(url, token) for _ in range(READERS + WRITERS)]
        pages = [f"/f/{forum.slug}/t/{thread.id}", "/notifications", f"/f/{forum.slug}", "/"]

        def read(client: httpx.Client) -> list[int]:
            return [client.get(page).status_code for page in pages]

        def write(args: tuple[int, httpx.Client]) -> list[int]:
            n, client = args
            return [
                client.post(
                    f"/f/{forum.slug}/t/{thread.id}/reply",
                    data={"body": f"Note {n}.{i}: the evening slot at the unit suits me now."},
                ).status_code
                for i in range(2)
            ]

        with ThreadPoolExecutor(max_workers=READERS + WRITERS) as pool:
            reading = [pool.submit(read, tab) for tab in tabs[:READERS]]
            written = [s for r in pool.map(write, enumerate(tabs[READERS:])) for s in r]
            read_statuses = [s for f in reading for s in f.result()]
        for client in [first, *tabs]:
            client.close()
    assert [s for s in read_statuses + written if s >= 500] == []
    assert set(read_statuses) == {200} and set(written) == {303}
    replies = db.scalars(select(Post).where(Post.author_id == kai.id)).all()
    assert len(replies) == 2 * WRITERS

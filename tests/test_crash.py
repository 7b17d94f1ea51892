"""The server and the worker killed (SIGKILL) while members post, then started again.

What this proves, on SQLite and on PostgreSQL, with every member retrying a cut request with the
same form (so the same submission key), as a browser resending it would:
- 0 lost: every reply a member was told was saved (303) is in the database;
- 0 duplicated: every form made at most one post, however often it was sent;
- 0 stuck: once the worker is back, no post is left awaiting assessment;
- no HTTP 5xx at any point (a cut connection is not an answer).
Scaled to run in seconds (8 members, 6 replies each, one kill of both processes mid-way).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.forms.models import Submission
from app.posts.models import Post, PostStatus
from bench.server import ROOT, SECRET_KEY, free_port
from tests.factories import ForumFactory, member_of, thread_with_opening_post
from tests.live import member_client

MEMBERS = 8
REPLIES_EACH = 6
KILL_AFTER = 16  # acknowledged replies before the kill


class Harbour:
    """`harbour serve` and `harbour worker` as separate processes, killable and restartable."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HARBOUR_DATABASE_URL": database_url,
            "HARBOUR_ENVIRONMENT": "test",
            "HARBOUR_SECRET_KEY": SECRET_KEY,
            "HARBOUR_POST_LIMIT_PER_USER": "1000/minute",
            # Saved by the web process, assessed by the worker: two processes to kill.
            "HARBOUR_IN_PROCESS_WORKER": "false",
            "HARBOUR_ASSESS_INLINE": "false",
        }
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.runs = 0

    def start(self) -> None:
        self.runs += 1
        log = (self.log_dir / f"run{self.runs}.log").open("w")
        for command in (["serve", "--port", str(self.port)], ["worker"]):
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app", *command],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (self.log_dir / f"run{self.runs}.log").read_text()
            time.sleep(0.1)

    def kill(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGKILL)
            process.wait()
        self.processes = []


@contextmanager
def harbour(database_url: str, log_dir: Path) -> Iterator[Harbour]:
    running = Harbour(database_url, log_dir)
    running.start()
    try:
        yield running
    finally:
        running.kill()


def test_killing_the_server_and_worker_mid_posting_loses_doubles_and_strands_nothing(
    settings: Settings, db: Session, tmp_path: Path
) -> None:
    forum = ForumFactory()
    members = [member_of(forum) for _ in range(MEMBERS)]
    thread = thread_with_opening_post(forum, members[0])
    with harbour(settings.database_url, tmp_path) as server:
        clients = [member_client(server.url, db, m, timeout=10) for m in members]
        acknowledged: list[str] = []
        server_errors: list[int] = []
        killed = threading.Event()
        lock = threading.Lock()

        def post_all(index: int) -> None:
            client = clients[index]
            for n in range(REPLIES_EACH):
                key = f"crash-test-member-{index}-reply-{n}"
                form = {"body": f"Reply {n} from member {index}.", "submission_key": key}
                while True:  # a browser resending the same form until it gets an answer
                    try:
                        status = client.post(
                            f"/f/{forum.slug}/t/{thread.id}/reply", data=form
                        ).status_code
                    except httpx.TransportError:
                        time.sleep(0.2)
                        continue
                    if status >= 500:
                        server_errors.append(status)
                        time.sleep(0.2)
                        continue
                    assert status == 303, status
                    with lock:
                        acknowledged.append(key)
                    break

        def kill_and_restart() -> None:
            while len(acknowledged) < KILL_AFTER:
                time.sleep(0.01)
            server.kill()
            killed.set()
            server.start()

        with ThreadPoolExecutor(max_workers=MEMBERS + 1) as pool:
            restart = pool.submit(kill_and_restart)
            list(pool.map(post_all, range(MEMBERS)))
            restart.result()
        for client in clients:
            client.close()
        assert killed.is_set() and server_errors == []

        # The worker, started again, assesses whatever was saved but not yet assessed.
        deadline = time.monotonic() + 60
        while db.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.status == PostStatus.AWAITING_ASSESSMENT)
        ):
            assert time.monotonic() < deadline, "posts left awaiting assessment"
            time.sleep(0.5)

    replies = db.scalars(
        select(Post.body_source).where(Post.thread_id == thread.id, ~Post.is_opening)
    ).all()
    keys = set(db.scalars(select(Submission.key)))
    assert len(acknowledged) == MEMBERS * REPLIES_EACH
    assert set(acknowledged) <= keys  # 0 lost
    assert len(replies) == len(set(replies)) == len(keys) == MEMBERS * REPLIES_EACH  # 0 doubled

"""Load figures: thread page and reply posting on one worker, against a bare endpoint ceiling."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from app import migrations
from app.accounts import consent
from app.accounts import service as accounts
from app.db import make_engine, make_sessionmaker, utcnow, write_transaction
from app.forums import service as forums
from app.forums.models import MembershipRole, ModerationMode, Visibility
from app.posts import service as posts
from bench.server import serving

PASSWORD = "bench-password-harbour"
# Benchmarks measure throughput, not the abuse limits.
BENCH_LIMITS = {
    "HARBOUR_POST_LIMIT_PER_USER": "1000000/minute",
    "HARBOUR_LOGIN_LIMIT_PER_IP": "1000000/minute",
}
DURATION = 8.0
CONCURRENCY = 8


@dataclass(frozen=True)
class Rate:
    name: str
    requests: int
    seconds: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def seed(database_url: str) -> str:
    """A public forum with one 20-post thread; returns the thread's path."""
    migrations.upgrade(database_url)
    sessions = make_sessionmaker(make_engine(database_url))
    with write_transaction(sessions) as session:
        author = accounts.register(
            session, handle="bench_author", email="author@bench.example", password=PASSWORD
        )
        consent.give(session, author, utcnow())  # a member who has agreed to the privacy notice
        forum = forums.create_forum(
            session,
            slug="bench",
            name="Benchmark forum",
            visibility=Visibility.PUBLIC_READ,
            moderation_mode=ModerationMode.HOLD_FLAGGED,
        )
        forums.set_membership(session, forum, author, role=MembershipRole.MEMBER)
        opening = posts.start_thread(
            session,
            forum,
            author,
            "Twenty posts",
            "How do you all manage fatigue on dialysis days?",
        )
        posts.publish(session, opening)
        for i in range(19):
            reply = posts.add_reply(
                session,
                opening.thread,
                author,
                f"Reply {i}: short naps and *pacing* help me a lot.",
            )
            posts.publish(session, reply)
        return f"/f/{forum.slug}/t/{opening.thread_id}"


def python_load(
    url: str,
    make_request: Callable[[httpx.Client], int],
    setup: Callable[[httpx.Client], None] | None = None,
) -> tuple[int, int, float]:
    counts = [0] * CONCURRENCY
    errors = [0] * CONCURRENCY
    # Signing in (argon2, slow on purpose) happens before the clock starts.
    window: dict[str, float] = {}

    def start_clock() -> None:
        window["started"] = time.monotonic()
        window["stop_at"] = window["started"] + DURATION

    ready = threading.Barrier(CONCURRENCY + 1, action=start_clock)

    def worker(index: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            if setup:
                setup(client)
            ready.wait()
            while time.monotonic() < window["stop_at"]:
                status = make_request(client)
                if status < 400:
                    counts[index] += 1
                else:
                    errors[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    for t in threads:
        t.start()
    ready.wait()
    for t in threads:
        t.join()
    return sum(counts), sum(errors), time.monotonic() - window["started"]


def wrk_get(url: str) -> tuple[int, int, float] | None:
    if shutil.which("wrk") is None:
        return None
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{int(DURATION)}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    seconds_match = re.search(r"requests in ([\d.]+)(\w+)", out)
    assert seconds_match
    value, unit = float(seconds_match.group(1)), seconds_match.group(2)
    seconds = value * {"s": 1, "ms": 0.001, "m": 60}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return total, int(non_2xx.group(1)) if non_2xx else 0, seconds


def measure_get(base: str, path: str, name: str) -> Rate:
    measured = wrk_get(base + path) or python_load(base, lambda c: c.get(path).status_code)
    total, errors, seconds = measured
    return Rate(name, total, seconds, errors)


def sign_in(client: httpx.Client) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.post(
        "/login", data={"email": "author@bench.example", "password": PASSWORD, "csrf_token": token}
    )
    client.headers["X-CSRF-Token"] = re.search(  # type: ignore[union-attr]
        r'"X-CSRF-Token": "([0-9a-f]+)"', client.get("/").text
    ).group(1)


def run(database_url: str | None = None) -> list[Rate]:
    """The ceiling, the thread page (anonymous and signed in) and replies, on SQLite in a
    temporary file or on the PostgreSQL database given (emptied first: the bench owns it)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if database_url:
            reset_postgres(database_url)
        thread_path = seed(url)
        with serving(url, BENCH_LIMITS) as base:
            ceiling = measure_get(base, "/healthz", "bare endpoint (ceiling)")
            thread_page = measure_get(base, thread_path, "thread page, 20 posts")
            total, errors, seconds = python_load(
                base, lambda c: c.get(thread_path).status_code, setup=sign_in
            )
            signed_in = Rate("thread page, signed in", total, seconds, errors)
            body = "Thanks for this, pacing my energy on dialysis days really helps me too."
            total, errors, seconds = python_load(
                base,
                lambda c: c.post(f"{thread_path}/reply", data={"body": body}).status_code,
                setup=sign_in,
            )
            replies = Rate("reply posts (saved + assessed)", total, seconds, errors)
    return [ceiling, thread_page, signed_in, replies]


def reset_postgres(database_url: str) -> None:
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def report(rates: list[Rate], database: str = "SQLite") -> None:
    ceiling = rates[0].per_second
    tool = "wrk" if shutil.which("wrk") else "python load loop"
    print(
        f"\n== Load (one uvicorn worker, {database}, {CONCURRENCY} concurrent clients, {DURATION:.0f}s each; GETs by {tool})"
    )
    for rate in rates:
        ratio = rate.per_second / ceiling if ceiling else 0
        print(
            f"  {rate.name:<34} {rate.per_second:8.1f} req/s   {ratio:6.1%} of ceiling   errors: {rate.errors}"
        )

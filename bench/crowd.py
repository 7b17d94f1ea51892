"""Crowds on SQLite, the figures behind issue 16's tests (which assert counts, never timings):
64 members posting at once (posts/s, p50/p99 latency, 5xx), and 4 moderators clearing 2,000 held
items at once (decisions/s, double decisions, double notifications)."""

from __future__ import annotations

import random
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

from app import migrations
from app.accounts import service as accounts
from app.config import Settings
from app.db import make_engine, make_sessionmaker, utcnow, write_transaction
from app.forums import service as forums
from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ModerationDecision, ReviewItem, ReviewQueue
from app.notifications.models import Notification
from app.posts import service as posts
from app.posts.models import Post, PostStatus
from app.security import SESSION_COOKIE, csrf_token_for
from bench.server import SECRET_KEY, serving

POSTERS = 64
POSTING_SECONDS = 15.0
MODERATORS = 4
QUEUE = 2_000
PASSWORD = "bench-password-harbour"
CROWD_ENV = {"HARBOUR_POST_LIMIT_PER_USER": "1000000/minute"}


@dataclass(frozen=True)
class Crowd:
    name: str
    done: int
    seconds: float
    latencies: list[float]
    server_errors: int  # 500s: must stay 0
    busy: int = 0  # 503 + Retry-After: the bounded wait ran out (the client resends)
    doubles: int = 0

    def line(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
        return (
            f"  {self.name:<44} {self.done / self.seconds:7.1f}/s   p50 "
            f"{statistics.median(ordered) * 1000:6.0f} ms   p99 {p99 * 1000:6.0f} ms   "
            f"busy 503: {self.busy}   other 5xx: {self.server_errors}   doubles: {self.doubles}"
        )


def client_for(base: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, verify=False)
    client.cookies.set(SESSION_COOKIE, token)
    client.headers["X-CSRF-Token"] = csrf_token_for(SECRET_KEY, token)
    return client


def seed(url: str, members: int, moderators: int, held: int) -> tuple[str, list[str], list[str]]:
    """A forum with members and moderators (their session tokens) and `held` items waiting."""
    migrations.upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    settings = Settings(secret_key=SECRET_KEY)
    with write_transaction(sessions) as session:
        forum = forums.create_forum(
            session, slug="crowd", name="Crowd", moderation_mode=ModerationMode.HOLD_FLAGGED
        )
        people = []
        first = None
        for n in range(members + moderators):
            user = accounts.register(
                session, handle=f"person_{n}", email=f"p{n}@bench.example", password=PASSWORD
            )
            role = MembershipRole.MEMBER if n < members else MembershipRole.MODERATOR
            forums.set_membership(session, forum, user, role=role)
            people.append(accounts.start_session(session, user, settings).token)
            first = first or user
        assert first is not None
        opening = posts.start_thread(session, forum, first, "A busy thread", "Hello all")
        posts.publish(session, opening)
        now = utcnow()
        ids = (
            session.scalars(
                insert(Post).returning(Post.id),
                [
                    {
                        "thread_id": opening.thread_id,
                        "author_id": first.id,
                        "is_opening": False,
                        "body_source": f"Held {i}",
                        "body_html": f"<p>Held {i}</p>",
                        "status": PostStatus.HELD,
                        "created_at": now,
                    }
                    for i in range(held)
                ],
            ).all()
            if held
            else []
        )
        if ids:
            session.execute(
                insert(ReviewItem),
                [
                    {
                        "post_id": pid,
                        "forum_id": forum.id,
                        "queue": ReviewQueue.HELD,
                        "priority": 10,
                        "reason_codes": [],
                        "created_at": now,
                    }
                    for pid in ids
                ],
            )
        path = f"/f/{forum.slug}/t/{opening.thread_id}/reply"
    return path, people[:members], people[members:]


def posting(base: str, path: str, tokens: list[str]) -> Crowd:
    latencies: list[float] = []
    errors = [0, 0]
    stop = time.monotonic() + POSTING_SECONDS
    lock = threading.Lock()

    def poster(index: int) -> None:
        with client_for(base, tokens[index]) as client:
            n = 0
            while time.monotonic() < stop:
                started = time.monotonic()
                body = f"Member {index}, note {n}: the evening slot suits me better now."
                status = client.post(path, data={"body": body}).status_code
                with lock:
                    latencies.append(time.monotonic() - started)
                    errors[0] += status >= 500 and status != 503
                    errors[1] += status == 503
                n += 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        list(pool.map(poster, range(len(tokens))))
    return Crowd(
        f"{len(tokens)} members posting at once",
        len(latencies),
        time.monotonic() - started,
        latencies,
        errors[0],
    )


def deciding(base: str, url: str, tokens: list[str]) -> Crowd:
    engine = make_engine(url)
    with engine.connect() as conn:
        item_ids = list(conn.scalars(select(ReviewItem.id)))
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def moderator(index: int) -> None:
        order = random.Random(index).sample(item_ids, len(item_ids))
        data = {"action": "approve"}
        with client_for(base, tokens[index]) as client:
            for item_id in order:
                started = time.monotonic()
                status = client.post(f"/moderation/items/{item_id}/decide", data=data).status_code
                with lock:
                    latencies.append(time.monotonic() - started)
                    errors[0] += status >= 500

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        list(pool.map(moderator, range(len(tokens))))
    seconds = time.monotonic() - started
    with engine.connect() as conn:
        decisions = conn.scalar(select(func.count()).select_from(ModerationDecision)) or 0
        decided = (
            conn.scalar(select(func.count(func.distinct(ModerationDecision.review_item_id)))) or 0
        )
        told = conn.scalar(select(func.count()).select_from(Notification)) or 0
        told_once = conn.scalar(select(func.count(func.distinct(Notification.url)))) or 0
    engine.dispose()
    return Crowd(
        f"{len(tokens)} moderators clearing {len(item_ids):,} items",
        decided,
        seconds,
        latencies,
        errors[0],
        doubles=(decisions - decided) + (told - told_once),
    )


def run() -> list[Crowd]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'posting.db'}"
        path, members, _ = seed(url, POSTERS, 0, 0)
        with serving(url, CROWD_ENV) as base:
            results.append(posting(base, path, members))
        url = f"sqlite:///{Path(tmp) / 'queue.db'}"
        _path, _members, moderators = seed(url, 1, MODERATORS, QUEUE)
        with serving(url, CROWD_ENV) as base:
            results.append(deciding(base, url, moderators))
    return results


def report(results: list[Crowd]) -> None:
    print(
        "\n== Crowds on SQLite (one uvicorn worker; 4xx such as a colleague's 409 are not errors)"
    )
    for crowd in results:
        print(crowd.line())

"""The moderation queue with 1,000 and with 10,000 items waiting: the queue page and one decision
(the page reads one page from an index, so the two should cost the same)."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from app import migrations
from app.accounts import consent
from app.accounts import service as accounts
from app.accounts.models import User
from app.db import make_engine, make_sessionmaker, utcnow, write_transaction
from app.forums import service as forums
from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ReviewItem, ReviewQueue
from app.posts import service as posts
from app.posts.models import Post, PostStatus
from app.posts.rendering import render_markdown
from bench.server import serving

SIZES = (1_000, 10_000)
PASSWORD = "bench-password-harbour"
PAGE_REQUESTS = 40
DECISIONS = 40


def seed(database_url: str, items: int) -> None:
    migrations.upgrade(database_url)
    sessions = make_sessionmaker(make_engine(database_url))
    with write_transaction(sessions) as session:
        author = accounts.register(
            session, handle="bench_author", email="author@bench.example", password=PASSWORD
        )
        consent.give(session, author, utcnow())  # a member who has agreed to the privacy notice
        moderator = accounts.register(
            session, handle="bench_mod", email="mod@bench.example", password=PASSWORD
        )
        consent.give(session, moderator, utcnow())
        forum = forums.create_forum(
            session,
            slug="bench",
            name="Benchmark forum",
            moderation_mode=ModerationMode.PRE_MODERATE,
        )
        forums.set_membership(session, forum, author, role=MembershipRole.MEMBER)
        forums.set_membership(session, forum, moderator, role=MembershipRole.MODERATOR)
        opening = posts.start_thread(session, forum, author, "Busy thread", "Opening post")
        posts.publish(session, opening)
        now = utcnow()
        # Fifty held posts an author, so each item's history is the same size at either queue size
        # (one author behind all of them would measure that author's history, not the queue).
        session.execute(
            insert(User),
            [
                {
                    "email": f"author{n}@bench.example",
                    "email_key": f"author{n}@bench.example",
                    "handle": f"bench_author_{n}",
                    "handle_key": f"bench_author_{n}",
                    "password_hash": author.password_hash,
                    "consented_at": now,
                }
                for n in range(items // 50)
            ],
        )
        author_ids = session.scalars(
            select(User.id).where(User.handle_key.like("bench_author_%"))
        ).all()
        html = render_markdown("A held reply waiting for a moderator.")
        session.execute(
            insert(Post),
            [
                {
                    "thread_id": opening.thread_id,
                    "author_id": author_ids[n % len(author_ids)],
                    "is_opening": False,
                    "body_source": f"A held reply waiting for a moderator ({n}).",
                    "body_html": html,
                    "status": PostStatus.HELD,
                    "review_flag": False,
                    "created_at": now - timedelta(seconds=items - n),
                }
                for n in range(items)
            ],
        )
        post_ids = session.scalars(
            Post.__table__.select().with_only_columns(Post.id).where(Post.status == PostStatus.HELD)
        ).all()
        session.execute(
            insert(ReviewItem),
            [
                {
                    "post_id": pid,
                    "forum_id": forum.id,
                    "queue": ReviewQueue.URGENT if n % 100 == 0 else ReviewQueue.HELD,
                    "priority": n % 97,
                    "reason_codes": ["score.insult"],
                    "created_at": now,
                }
                for n, pid in enumerate(post_ids)
            ],
        )


def sign_in(client: httpx.Client) -> None:
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/login").text)
    assert token
    client.post(
        "/login",
        data={"email": "mod@bench.example", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    header = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', client.get("/").text)
    assert header
    client.headers["X-CSRF-Token"] = header.group(1)


def timed(call: object, times: int) -> list[float]:
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def run() -> dict[int, dict[str, list[float]]]:
    return {items: run_one(items) for items in SIZES}


def run_one(items: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'queue.db'}"
        seed(url, items)
        with serving(url) as base, httpx.Client(base_url=base, timeout=60) as client:
            sign_in(client)
            page = timed(lambda: client.get("/moderation").raise_for_status(), PAGE_REQUESTS)
            first = re.search(r'data-item-id="(\d+)"', client.get("/moderation").text)
            assert first
            item_id = int(first.group(1))
            client.get(f"/moderation/items/{item_id}", headers={"HX-Request": "true"})

            def decide() -> None:
                nonlocal item_id
                response = client.post(
                    f"/moderation/items/{item_id}/decide",
                    data={"action": "approve"},
                    headers={"HX-Request": "true"},
                )
                response.raise_for_status()
                following = re.search(r'data-item-id="(\d+)"', response.text)
                assert following, "no next item"
                item_id = int(following.group(1))

            decisions = timed(decide, DECISIONS)
    return {"queue page": page, "one decision (+ next item)": decisions}


def _p50_p99(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]


def report(figures: dict[int, dict[str, list[float]]]) -> None:
    small, large = SIZES
    print(f"\n== Moderation queue with {small:,} and {large:,} items waiting (one worker, SQLite)")
    for name in figures[small]:
        (p50_s, p99_s), (p50_l, p99_l) = (_p50_p99(figures[n][name]) for n in SIZES)
        print(
            f"  {name:<28} {small:,}: p50 {p50_s:6.1f} ms p99 {p99_s:6.1f} ms   "
            f"{large:,}: p50 {p50_l:6.1f} ms p99 {p99_l:6.1f} ms   p50 ratio {p50_l / p50_s:.2f}"
        )

"""Harbour at scale: the same pages at 10,000 and at 1,000,000 posts on PostgreSQL.

The data set is made once per database (bulk COPY, not the ORM one row at a time) and kept: a
second run finds it and only measures. It keeps the app's invariants: every published thread has
a published opening post, reply counts and last activity are true, held posts have an open queue
item, and the search index holds exactly the published posts (filled by the search migration's
own rebuild, `app.search.service.rebuild`).

    python -m bench.scale generate postgresql+psycopg://postgres@127.0.0.1/perf_scale 1000000
    python -m bench.scale measure URL_10K URL_1M
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, text

from app import migrations
from app.accounts import service as accounts
from app.accounts.models import User
from app.db import make_engine, make_sessionmaker, write_transaction
from app.forums import service as forums
from app.forums.models import MembershipRole, Visibility
from app.moderation_queue.models import ReviewItem
from app.posts.models import Post
from app.search import service as search
from bench.server import serving

PASSWORD = "bench-password-harbour"
MEMBER = "member@bench.example"
MODERATOR = "moderator@bench.example"
FORUMS = 20
POSTS_PER_THREAD = 20
MEMBER_FORUMS = 5  # the bench member reads 5 of the 20 forums (search filters before ranking)
OPEN_ITEMS = 1_000
COMMON_WORD = "tired"  # in about 40 % of posts
RARE_WORD = "tacrolimus"  # in about 1 post in 10,000
WORDS = [
    "dialysis",
    "kidney",
    "fistula",
    "nurse",
    "clinic",
    "appointment",
    "results",
    "bloods",
    "potassium",
    "fluid",
    "sleep",
    "pain",
    "walk",
    "energy",
    "family",
    "work",
    "morning",
    "evening",
    "week",
    "month",
    "doctor",
    "consultant",
    "diet",
    "salt",
    "water",
    "tea",
    "coffee",
    "bread",
    "fruit",
    "grapes",
    "summer",
    "winter",
    "cold",
    "warm",
    "help",
    "thanks",
    "hope",
    "worry",
    "scared",
    "calm",
    "better",
    "worse",
    "today",
    "tomorrow",
    "yesterday",
    "insulin",
    "pump",
    "sensor",
    "transplant",
    "list",
    "waiting",
    "phone",
    "letter",
    "hospital",
    "ward",
    "machine",
    "session",
    "needle",
    "cannula",
    "breathing",
    "heart",
    "pressure",
    "tablets",
    "dose",
    "side",
    "effects",
    "rash",
    "itch",
    "cramp",
    "legs",
    "hands",
    "back",
]
FILLER = [
    "i",
    "you",
    "we",
    "it",
    "is",
    "was",
    "the",
    "a",
    "and",
    "but",
    "so",
    "to",
    "of",
    "in",
    "on",
    "at",
    "for",
    "with",
    "my",
    "our",
]


def _body(rng: random.Random, n: int) -> str:
    words = [
        rng.choice(WORDS if rng.random() < 0.6 else FILLER) for _ in range(rng.randint(12, 40))
    ]
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words)), COMMON_WORD)
    if n % 10_000 == 7:
        words.insert(rng.randrange(len(words)), RARE_WORD)
    return " ".join(words).capitalize() + "."


def _copy(raw: object, table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    with (
        raw.cursor() as cursor,  # type: ignore[attr-defined]
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def generate(database_url: str, total_posts: int) -> None:
    migrations.upgrade(database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        if session.scalar(select(func.count()).select_from(Post)):
            print(f"{database_url}: already generated")
            return
    rng = random.Random(15)
    members = max(200, total_posts // 50)
    threads = total_posts // POSTS_PER_THREAD
    start = datetime(2026, 1, 1, tzinfo=UTC)
    step = timedelta(days=300) / total_posts
    with write_transaction(sessions) as session:
        member = accounts.register(session, handle="bench_member", email=MEMBER, password=PASSWORD)
        moderator = accounts.register(
            session, handle="bench_moderator", email=MODERATOR, password=PASSWORD
        )
        made = [
            forums.create_forum(
                session, slug=f"forum-{i}", name=f"Forum {i}", visibility=Visibility.MEMBERS_ONLY
            )
            for i in range(FORUMS)
        ]
        for i, forum in enumerate(made):
            if i < MEMBER_FORUMS:
                forums.set_membership(session, forum, member, role=MembershipRole.MEMBER)
            forums.set_membership(session, forum, moderator, role=MembershipRole.MODERATOR)
        forum_ids = [f.id for f in made]
        password_hash = session.get(User, member.id).password_hash  # type: ignore[union-attr]
        now = datetime.now(UTC)
        for user in (member, moderator):
            user.email_verified_at = now
        session.flush()
        first_user = session.scalar(select(func.max(User.id))) + 1  # type: ignore[operator]

    raw = engine.raw_connection()
    try:
        users = [
            (
                first_user + i,
                f"m{i}@scale.example",
                f"m{i}@scale.example",
                f"member{i}",
                f"member{i}",
                password_hash,
                "member",
                "active",
                start,
                "",
                "wave",
                "off",
                "en",
                start,
            )
            for i in range(members)
        ]
        _copy(
            raw,
            "user_account",
            [
                "id",
                "email",
                "email_key",
                "handle",
                "handle_key",
                "password_hash",
                "site_role",
                "status",
                "created_at",
                "bio",
                "avatar",
                "email_preference",
                "language",
                "email_verified_at",
            ],
            users,
        )
        author_ids = [u[0] for u in users]
        memberships = [
            (uid, forum_ids[(k + i) % FORUMS], "member", "active", False, False, "[]", start)
            for k, uid in enumerate(author_ids)
            for i in range(3)
        ]
        _copy(
            raw,
            "membership",
            [
                "user_id",
                "forum_id",
                "role",
                "status",
                "is_senior",
                "clinically_trained",
                "answers",
                "created_at",
            ],
            memberships,
        )
        thread_rows = []
        post_rows = []
        post_id = 0
        for t in range(threads):
            thread_id = t + 1
            forum_id = forum_ids[t % FORUMS]
            opened = start + step * (t * POSTS_PER_THREAD)
            author = author_ids[rng.randrange(len(author_ids))]
            for p in range(POSTS_PER_THREAD):
                post_id += 1
                created = opened + step * p
                body = _body(rng, post_id)
                post_rows.append(
                    (
                        post_id,
                        thread_id,
                        author if p == 0 else author_ids[rng.randrange(len(author_ids))],
                        p == 0,
                        body,
                        f"<p>{body}</p>\n",
                        "published",
                        False,
                        created,
                        created,
                    )
                )
            thread_rows.append(
                (
                    thread_id,
                    forum_id,
                    author,
                    f"Thread {thread_id}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                    opened,
                    opened,
                    opened + step * (POSTS_PER_THREAD - 1),
                    POSTS_PER_THREAD - 1,
                )
            )
        _copy(
            raw,
            "thread",
            [
                "id",
                "forum_id",
                "author_id",
                "title",
                "created_at",
                "published_at",
                "last_activity_at",
                "reply_count",
            ],
            thread_rows,
        )
        # Open queue items: held replies, spread over the forums.
        held = []
        items = []
        for n in range(OPEN_ITEMS):
            post_id += 1
            thread_id = 1 + (n * 37) % threads
            created = start + step * total_posts + timedelta(seconds=n)
            held.append(
                (
                    post_id,
                    thread_id,
                    author_ids[n % len(author_ids)],
                    False,
                    f"A held reply {n}.",
                    f"<p>A held reply {n}.</p>\n",
                    "held",
                    False,
                    created,
                    None,
                )
            )
            items.append(
                (
                    post_id,
                    forum_ids[(thread_id - 1) % FORUMS],
                    "held",
                    "pending",
                    n % 97,
                    "[]",
                    False,
                    False,
                    1,
                    created,
                )
            )
        _copy(
            raw,
            "post",
            [
                "id",
                "thread_id",
                "author_id",
                "is_opening",
                "body_source",
                "body_html",
                "status",
                "review_flag",
                "created_at",
                "published_at",
            ],
            post_rows + held,
        )
        _copy(
            raw,
            "review_item",
            [
                "post_id",
                "forum_id",
                "queue",
                "status",
                "priority",
                "reason_codes",
                "distressing",
                "needs_clinical_review",
                "version",
                "created_at",
            ],
            items,
        )
        notes = [
            (
                member.id,
                "reply",
                "Someone replied in a thread you watch.",
                f"/f/forum-0/t/{1 + i}",
                start + timedelta(minutes=i),
            )
            for i in range(200)
        ]
        _copy(raw, "notification", ["user_id", "kind", "text", "url", "created_at"], notes)
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            for table in (
                "user_account",
                "membership",
                "thread",
                "post",
                "review_item",
                "notification",
            ):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        raw.commit()
    finally:
        raw.close()
    with write_transaction(sessions) as session:
        search.rebuild(session)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"{database_url}: {total_posts:,} posts, {threads:,} threads, {members:,} members")


@dataclass(frozen=True)
class Timing:
    name: str
    p50: float
    p99: float


def _sign_in(client: httpx.Client, email: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def _paths(database_url: str) -> dict[str, tuple[str, str | None]]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        last_thread = conn.scalar(
            text(
                "SELECT max(id) FROM thread "
                "WHERE forum_id = (SELECT id FROM forum WHERE slug = 'forum-0')"
            )
        )
        item = conn.scalar(select(func.min(ReviewItem.id)))
    engine.dispose()
    return {
        "healthz (ceiling)": ("/healthz", None),
        "forum page": ("/f/forum-0", MEMBER),
        "thread page, first thread": ("/f/forum-0/t/1", MEMBER),
        "thread page, newest thread": (f"/f/forum-0/t/{last_thread}", MEMBER),
        "held queue": ("/moderation", MODERATOR),
        "item card": (f"/moderation/items/{item}", MODERATOR),
        f"search, common word ({COMMON_WORD})": (f"/search?q={COMMON_WORD}", MEMBER),
        f"search, rare word ({RARE_WORD})": (f"/search?q={RARE_WORD}", MEMBER),
        "notifications": ("/notifications", MEMBER),
    }


def measure(small_url: str, large_url: str, repeats: int = 30) -> tuple[list[Timing], list[Timing]]:
    """Both data sets served at once and asked in turn, so the machine's load (shared, and it
    varies by the minute) falls on both alike."""
    urls = (small_url, large_url)
    paths = [_paths(url) for url in urls]
    samples: list[dict[str, list[float]]] = [{name: [] for name in paths[0]} for _ in urls]
    with ExitStack() as stack:
        clients = []
        for url in urls:
            base = stack.enter_context(serving(url))
            by_role = {}
            for who in (None, MEMBER, MODERATOR):
                by_role[who] = stack.enter_context(httpx.Client(base_url=base, timeout=30))
                if who:
                    _sign_in(by_role[who], who)
            clients.append(by_role)
        for round_ in range(repeats + 2):
            for name in paths[0]:
                for side in (0, 1):
                    path, who = paths[side][name]
                    began = time.perf_counter()
                    response = clients[side][who].get(path)
                    elapsed = time.perf_counter() - began
                    assert response.status_code == 200, (path, response.status_code)
                    if round_ >= 2:  # two warm-up rounds
                        samples[side][name].append(elapsed)
    results = []
    for side_samples in samples:
        timings = []
        for name, values in side_samples.items():
            values.sort()
            p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
            timings.append(Timing(name, statistics.median(values), p99))
        results.append(timings)
    return results[0], results[1]


def report(small: list[Timing], large: list[Timing], labels: tuple[str, str]) -> None:
    print(
        f"\n== Scale on PostgreSQL: {labels[0]} vs {labels[1]} posts (ms, one client, the two servers asked in turn)"
    )
    print(f"  {'page':<34} {'p50':>7} {'p99':>7} | {'p50':>7} {'p99':>7} | ratio p50")
    for a, b in zip(small, large, strict=True):
        ratio = b.p50 / a.p50 if a.p50 else 0
        print(
            f"  {a.name:<34} {a.p50 * 1000:7.1f} {a.p99 * 1000:7.1f} | "
            f"{b.p50 * 1000:7.1f} {b.p99 * 1000:7.1f} | {ratio:5.2f}×"
        )


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "measure":
        report(*measure(sys.argv[2], sys.argv[3]), ("10k", "1M"))

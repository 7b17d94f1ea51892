"""Many members replying at once over real HTTP: every reply is saved, none sees a locked database."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.posts.models import Post, Thread
from tests.conftest import LiveServer
from tests.factories import PASSWORD, ForumFactory, member_of, thread_with_opening_post

WRITERS = 8
# Different words each time: the same text posted again and again is held as spam.
REPLIES = [
    "Thinking of you today.",
    "My first month on dialysis was the hardest, it does get easier.",
    "Ask your unit about evening slots, they changed everything for me.",
    "Frozen grapes help me with the fluid limit in summer.",
    "Sending strength for your appointment tomorrow.",
]
REPLIES_EACH = len(REPLIES)


def signed_in_client(server: LiveServer, email: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    token = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
    token = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', client.get("/").text)
    assert token
    client.headers["X-CSRF-Token"] = token.group(1)
    return client


def test_concurrent_replies_are_all_saved(live_server: LiveServer, db: Session) -> None:
    forum = ForumFactory()
    members = [member_of(forum, email=f"writer{i}@example.org") for i in range(WRITERS)]
    thread = thread_with_opening_post(forum, members[0])
    url = f"/f/{forum.slug}/t/{thread.id}/reply"
    clients = [signed_in_client(live_server, m.email) for m in members]

    def write(client: httpx.Client) -> list[int]:
        return [client.post(url, data={"body": body}).status_code for body in REPLIES]

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        statuses = [s for result in pool.map(write, clients) for s in result]
    for client in clients:
        client.close()

    assert set(statuses) == {303}, statuses
    replies = db.scalar(
        select(func.count())
        .select_from(Post)
        .where(Post.thread_id == thread.id, Post.is_opening.is_(False))
    )
    assert replies == WRITERS * REPLIES_EACH
    published = db.scalar(select(Thread.reply_count).where(Thread.id == thread.id))
    assert published == WRITERS * REPLIES_EACH  # every publish counted, none lost to a race

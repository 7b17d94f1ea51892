"""Two moderators deciding at the same instant over real HTTP: the database lets exactly one win."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ModerationDecision, ReviewItem
from app.posts.models import PostStatus
from tests.conftest import LiveServer
from tests.factories import PASSWORD, ForumFactory, PostFactory, member_of, thread_with_opening_post

ITEMS = 6


def moderator_client(server: LiveServer, email: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    token = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
    token = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', client.get("/").text)
    assert token
    client.headers["X-CSRF-Token"] = token.group(1)
    return client


def test_simultaneous_decisions_on_the_same_items_never_double_up(
    live_server: LiveServer, db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    author = member_of(forum)
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="alex@example.org")
    thread = thread_with_opening_post(forum, author)
    items = []
    for n in range(ITEMS):
        post = PostFactory(
            thread=thread,
            author=author,
            body_source=f"Held reply {n}",
            status=PostStatus.HELD,
            published_at=None,
        )
        item = ReviewItem(
            post_id=post.id, forum_id=forum.id, queue="held", priority=10, reason_codes=[]
        )
        db.add(item)
        items.append(item)
    db.commit()
    rowan = moderator_client(live_server, "rowan@example.org")
    alex = moderator_client(live_server, "alex@example.org")

    def decide(args: tuple[httpx.Client, int, str]) -> int:
        client, item_id, action = args
        data = {"action": action, "reason": "It could hurt or upset other members."}
        return client.post(f"/moderation/items/{item_id}/decide", data=data).status_code

    jobs = [
        (c, item.id, action)
        for item in items
        for c, action in ((rowan, "approve"), (alex, "reject"))
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(decide, jobs))
    rowan.close()
    alex.close()

    assert sorted(statuses) == sorted([303] * ITEMS + [409] * ITEMS)
    decided = db.scalars(select(ModerationDecision.review_item_id)).all()
    assert sorted(decided) == sorted(item.id for item in items)  # each exactly once


MODERATORS = 4
# 2,000 items in `make bench` (bench/queue.py); scaled down here to run in seconds.
CROWDED_QUEUE = 120


def test_four_moderators_clearing_a_queue_at_once_decide_and_notify_each_item_once(
    live_server: LiveServer, db: Session
) -> None:
    """Every moderator works through the whole queue in their own order, as fast as they can:
    each item is decided exactly once, and each author told exactly once."""
    import random

    from app.notifications.models import Notification
    from tests.live import member_client

    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    author = member_of(forum)
    moderators = [member_of(forum, MembershipRole.MODERATOR) for _ in range(MODERATORS)]
    thread = thread_with_opening_post(forum, author)
    posts = [
        PostFactory(
            thread=thread,
            author=author,
            body_source=f"Held reply {n}",
            status=PostStatus.HELD,
            published_at=None,
        )
        for n in range(CROWDED_QUEUE)
    ]
    items = [
        ReviewItem(post_id=p.id, forum_id=forum.id, queue="held", priority=10, reason_codes=[])
        for p in posts
    ]
    db.add_all(items)
    db.commit()
    item_ids = [item.id for item in items]
    clients = [member_client(live_server.url, db, m) for m in moderators]

    def clear_queue(index: int) -> list[int]:
        order = random.Random(index).sample(item_ids, len(item_ids))
        action = "approve" if index % 2 else "reject"
        data = {"action": action, "reason": "It could hurt or upset other members."}
        return [
            clients[index].post(f"/moderation/items/{i}/decide", data=data).status_code
            for i in order
        ]

    with ThreadPoolExecutor(max_workers=MODERATORS) as pool:
        statuses = [s for result in pool.map(clear_queue, range(MODERATORS)) for s in result]
    for client in clients:
        client.close()

    assert [s for s in statuses if s >= 500] == []
    assert statuses.count(303) == CROWDED_QUEUE  # the rest were told a colleague decided (409)
    decided = db.scalars(select(ModerationDecision.review_item_id)).all()
    assert sorted(decided) == sorted(item_ids)  # each exactly once
    told = db.scalars(select(Notification.url).where(Notification.user_id == author.id)).all()
    assert sorted(told) == sorted(f"/posts/{p.id}" for p in posts)  # each author told once

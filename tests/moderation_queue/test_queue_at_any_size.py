"""The held queue costs the same however many items are open: pending items are read in the
dashboard's order straight from a partial index (never sorted), a page at a time by keyset, with
the same statements whether 3 or 130 items wait. (Counts and plans, not timings; `make bench`
prints the dashboard's time at 1,000 and 10,000 open items.)"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.config import Settings
from app.forums.models import Forum, MembershipRole, ModerationMode
from app.moderation_queue import service
from app.moderation_queue.models import ReviewItem, ReviewQueue
from app.posts.models import PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post
from tests.posts.test_thread_page_cost import statements

ITEM_IDS = re.compile(r'data-item-id="(\d+)"')


def hold(db: Session, forum: Forum, count: int, queue: ReviewQueue = ReviewQueue.HELD) -> None:
    """`count` held replies on the forum's queue, priorities spread over 0..100."""
    author = member_of(forum)
    thread = thread_with_opening_post(forum, author)
    for n in range(count):
        post = PostFactory(thread=thread, author=author, status=PostStatus.HELD)
        db.add(ReviewItem(post_id=post.id, forum_id=forum.id, queue=queue, priority=n * 37 % 101))
    db.commit()


def queue_setup(make_browser: Callable[[], Browser]) -> tuple[Forum, Browser]:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    rowan = make_browser()
    rowan.sign_in("rowan@example.org")
    return forum, rowan


def test_the_dashboard_asks_the_same_statements_with_3_or_130_items_open(
    app: FastAPI, db: Session, make_browser: Callable[[], Browser]
) -> None:
    forum, rowan = queue_setup(make_browser)
    hold(db, forum, 3)
    rowan.get("/moderation")  # the first visit records the session's use, after the response
    with statements(app) as few:
        assert rowan.get("/moderation").status_code == 200
    hold(db, forum, 127)
    with statements(app) as many:
        page = rowan.get("/moderation").text
    assert len(ITEM_IDS.findall(page)) == 50
    assert len(many) == len(few)


def test_the_queue_pages_on_by_keyset_in_order_without_repeating_or_missing_an_item(
    db: Session, make_browser: Callable[[], Browser]
) -> None:
    forum, rowan = queue_setup(make_browser)
    hold(db, forum, 120)
    hold(db, forum, 5, ReviewQueue.URGENT)
    seen: list[int] = []
    path: str | None = "/moderation"
    while path:
        page = rowan.get(path).text
        seen += [int(i) for i in ITEM_IDS.findall(page)]
        found = re.search(r'href="(/moderation\?[^"]*after=\d+)" rel="next"', page)
        path = found.group(1).replace("&amp;", "&") if found else None
    items = {i.id: i for i in db.query(ReviewItem)}
    assert sorted(seen) == sorted(items)  # all 125, each once
    order = [
        (items[i].queue is not ReviewQueue.URGENT, -items[i].priority, items[i].created_at, i)
        for i in seen
    ]
    assert order == sorted(order)  # urgent first, then highest priority, then oldest


def test_one_queue_pages_on_too(db: Session, make_browser: Callable[[], Browser]) -> None:
    forum, rowan = queue_setup(make_browser)
    hold(db, forum, 60)
    hold(db, forum, 3, ReviewQueue.URGENT)
    first = rowan.get("/moderation?queue=held").text
    assert len(ITEM_IDS.findall(first)) == 50
    more = re.search(r'href="(/moderation\?queue=held&amp;after=\d+)" rel="next"', first)
    assert more
    second = rowan.get(more.group(1).replace("&amp;", "&")).text
    assert len(ITEM_IDS.findall(second)) == 10
    assert 'rel="next"' not in second


def test_pending_items_are_read_from_the_partial_index_in_order_never_sorted(
    db: Session, settings: Settings
) -> None:
    forum = ForumFactory()
    hold(db, forum, 3)
    query = service.pending_query(service.QueueFilter(forum_ids=[forum.id]), limit=51)
    compiled = query.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    with db.get_bind().connect() as conn:
        if settings.is_sqlite:
            plan = " | ".join(
                row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
            assert "USE TEMP B-TREE" not in plan, plan
        else:
            # At a test's size the planner would rather sort three rows; forbidding the sort
            # shows the index can give the order by itself (a sort would still appear if not).
            conn.execute(text("SET enable_sort = off"))
            plan = " | ".join(row[0] for row in conn.execute(text(f"EXPLAIN {compiled}")))
            assert "Sort" not in plan, plan
    assert "ix_review_item_pending_rank" in plan, plan


def test_each_queue_is_counted_up_to_a_cap_shown_with_a_plus(
    db: Session, make_browser: Callable[[], Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "COUNT_CAP", 5)
    forum, rowan = queue_setup(make_browser)
    hold(db, forum, 7)
    hold(db, forum, 2, ReviewQueue.URGENT)
    page = rowan.get("/moderation").text
    tab_counts = re.findall(r'<span class="count">([^<]+)</span>', page)
    assert tab_counts == ["7+", "2", "5+", "0", "0"]  # all, urgent, held, reported, unreviewed
    assert "2 urgent, 7+ waiting in all." in page

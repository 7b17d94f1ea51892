"""The forum page: threads by latest activity, keyset pagination."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import Session

from app.db import utcnow
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of, thread_with_opening_post


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/f/[^/]+/t/\d+">([^<]+)</a>', html)


def test_threads_are_listed_by_latest_activity_across_pages(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    member = member_of(forum, email="kai@example.org")
    now = utcnow()
    for i in range(30):
        thread_with_opening_post(
            forum, member, title=f"Thread {i:02d}", last_activity_at=now - timedelta(minutes=i)
        )
    browser.sign_in("kai@example.org")
    first = browser.get(f"/f/{forum.slug}").text
    assert titles(first) == [f"Thread {i:02d}" for i in range(25)]
    older = re.search(r'href="(/f/[^"]+\?after=[^"]+)"', first)
    assert older is not None
    second = browser.get(older.group(1).replace("&amp;", "&")).text
    assert titles(second) == [f"Thread {i:02d}" for i in range(25, 30)]
    assert "Older threads" not in second


def test_threads_sharing_a_timestamp_are_neither_skipped_nor_repeated(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    member = member_of(forum, email="kai@example.org")
    same_moment = utcnow()
    for i in range(27):
        thread_with_opening_post(forum, member, title=f"Same {i:02d}", last_activity_at=same_moment)
    browser.sign_in("kai@example.org")
    first = browser.get(f"/f/{forum.slug}").text
    older = re.search(r'href="(/f/[^"]+\?after=[^"]+)"', first)
    assert older is not None
    second = browser.get(older.group(1)).text
    seen = titles(first) + titles(second)
    assert sorted(seen) == sorted(f"Same {i:02d}" for i in range(27))


def test_a_tampered_page_link_gets_a_clear_400(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    response = browser.get(f"/f/{forum.slug}?after=not-a-cursor!!")
    assert response.status_code == 400
    assert "page link is not valid" in response.text

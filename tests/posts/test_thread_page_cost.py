"""The thread page's cost in SQL statements: a fixed handful, however many posts, authors,
reactions and mutes are on it (each statement is a round trip on PostgreSQL and CPU on both)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.models import MemberMute
from app.config import Settings
from app.forums.models import MembershipRole, Visibility
from app.posts.models import EditStatus, PostEdit, Reaction, ReactionKind
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # No background sweeps: only the page's own statements are counted.
    return settings.model_copy(update={"in_process_worker": False})


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs (transaction control aside)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def busy_thread(db: Session) -> tuple[str, list[int]]:
    """A 20-post thread by five authors with badges, reactions, a mute and an edit waiting."""
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    others = [member_of(forum, MembershipRole.SUPPORTER) for _ in range(4)]
    thread = thread_with_opening_post(forum, kai)
    posts = [PostFactory(thread=thread, author=others[i % 4]) for i in range(18)]
    own = PostFactory(thread=thread, author=kai)
    db.add(
        PostEdit(
            post_id=own.id,
            body_source="Edited",
            body_html="<p>Edited</p>",
            status=EditStatus.PENDING,
        )
    )
    for post in posts[:10]:
        db.add(Reaction(post_id=post.id, user_id=kai.id, kind=ReactionKind.THANKS))
    db.add(MemberMute(user_id=kai.id, muted_user_id=others[0].id))
    db.commit()
    return f"/f/{forum.slug}/t/{thread.id}", [p.id for p in posts]


def test_a_signed_in_thread_page_costs_five_statements_at_most(
    app: FastAPI, browser: Browser, db: Session
) -> None:
    path, _ = busy_thread(db)
    browser.sign_in("kai@example.org")
    browser.get(path)  # the first visit records the read, after the response
    with statements(app) as seen:
        page = browser.get(path)
    assert page.status_code == 200
    assert page.text.count('<article class="post') == 20
    assert "You muted this member" in page.text and "Your edit is waiting" in page.text
    assert "badge--supporter" in page.text and '<span class="count">1</span>' in page.text
    assert len(seen) <= 5, "\n\n".join(seen)


def test_the_page_reads_only_the_author_columns_it_shows(
    app: FastAPI, browser: Browser, db: Session
) -> None:
    path, _ = busy_thread(db)
    browser.sign_in("kai@example.org")
    with statements(app) as seen:
        browser.get(path)
    posts_statement = next(s for s in seen if "FROM post" in s and "post.body_html" in s)
    for private in ("user_account.email", "password_hash", "user_account.bio"):
        assert private not in posts_statement


def test_an_anonymous_visitor_costs_four_statements(
    app: FastAPI, browser: Browser, db: Session
) -> None:
    forum = ForumFactory(visibility=Visibility.PUBLIC_READ)
    kai = member_of(forum)
    thread = thread_with_opening_post(forum, kai)
    for _ in range(19):
        PostFactory(thread=thread, author=kai)
    with statements(app) as seen:
        page = browser.get(f"/f/{forum.slug}/t/{thread.id}")
    assert page.status_code == 200 and page.text.count('<article class="post') == 20
    assert len(seen) <= 4, "\n\n".join(seen)


def test_one_csrf_token_serves_every_form_on_the_page(browser: Browser, db: Session) -> None:
    path, _ = busy_thread(db)
    browser.sign_in("kai@example.org")
    page = browser.get(path).text
    assert page.count('name="csrf_token"') > 20  # reactions, mute, report, reply, watch
    assert len(set(re.findall(r'name="csrf_token" value="([0-9a-f]+)"', page))) == 1


def test_the_forum_page_costs_five_statements_at_most(
    app: FastAPI, browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    authors = [member_of(forum) for _ in range(6)]
    for i in range(26):
        thread_with_opening_post(forum, authors[i % 6])
    browser.sign_in("kai@example.org")
    with statements(app) as seen:
        page = browser.get(f"/f/{forum.slug}")
    assert page.status_code == 200 and "?after=" in page.text
    assert len(seen) <= 5, "\n\n".join(seen)


def test_a_reply_is_saved_assessed_published_and_its_author_told_in_25_statements(
    app: FastAPI, browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, member_of(forum))
    browser.sign_in("kai@example.org")
    token = re.search(
        r'name="csrf_token" value="([0-9a-f]+)"', browser.get(f"/f/{forum.slug}/t/{thread.id}").text
    )
    assert token
    with statements(app) as seen:
        sent = browser.client.post(
            f"/f/{forum.slug}/t/{thread.id}/reply",
            data={"body": "Thanks, that helps a lot.", "csrf_token": token.group(1)},
            follow_redirects=False,
        )
    assert sent.status_code == 303
    assert any(s.startswith("INSERT INTO post_search") for s in seen)  # published and findable
    # 25: the gate also asks whether the reply carries pictures (a newcomer's wait for a moderator).
    assert len(seen) <= 25, "\n\n".join(seen)

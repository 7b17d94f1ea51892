"""Search: ranked, highlighted, and never showing what the searcher may not see (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forums.models import ModerationMode, Visibility
from app.posts.models import Post
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of, thread_with_opening_post


def post_thread(browser: Browser, slug: str, title: str, body: str) -> None:
    browser.post(f"/f/{slug}/new", {"title": title, "body": body, "confirmed": "1"})


def test_an_old_thread_is_found_by_its_words_with_matches_highlighted(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory(slug="kidney")
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    post_thread(
        browser,
        "kidney",
        "Fluid limits in summer",
        "Frozen grapes help me stay under my fluid allowance.",
    )
    post_thread(browser, "kidney", "Evening dialysis", "Evening slots let me keep studying at uni.")
    page = browser.get("/search?q=frozen+grapes").text
    assert "1 result for “frozen grapes”" in page
    assert "<mark>Frozen</mark> <mark>grapes</mark>" in page and "Fluid limits in summer" in page
    phrase = browser.get('/search?q="evening+slots"').text
    assert "Evening dialysis" in phrase and "Fluid limits" not in phrase
    assert (
        "0 results" in browser.get("/search?q=" + "AND+OR+NOT+(*").text
    )  # odd input is just words


def test_held_posts_and_other_forums_never_appear(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    open_forum = ForumFactory(slug="open", visibility=Visibility.MEMBERS_ONLY)
    strict = ForumFactory(slug="strict", moderation_mode=ModerationMode.PRE_MODERATE)
    private = ForumFactory(slug="private", visibility=Visibility.MEMBERS_ONLY)
    member_of(open_forum, email="kai@example.org")
    writer = member_of(private, email="pat@example.org")
    member_of(strict, email="sam@example.org")
    thread_with_opening_post(private, writer, title="Private tacrolimus worries")
    sam, kai = make_browser(), make_browser()
    sam.sign_in("sam@example.org")
    post_thread(sam, "strict", "Held tacrolimus question", "Is tacrolimus tremor normal?")
    assert "0 results" in sam.get("/search?q=tacrolimus").text  # held for review: not searchable
    kai.sign_in("kai@example.org")
    page = kai.get("/search?q=tacrolimus").text
    assert "Private tacrolimus worries" not in page and "Held tacrolimus" not in page


def test_withdrawn_posts_leave_the_index_and_htmx_gets_just_the_results(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory(slug="t1d")
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    post_thread(browser, "t1d", "Pump training", "My insulin pump training is on Tuesday.")
    fragment = browser.get("/search?q=pump", headers={"HX-Request": "true"})
    assert (
        fragment.text.lstrip().startswith('<section id="results"')
        and "Pump training" in fragment.text
    )
    post = db.scalars(select(Post)).one()
    browser.post(f"/posts/{post.id}/withdraw")
    assert "0 results" in browser.get("/search?q=pump").text

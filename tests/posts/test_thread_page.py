"""The thread page: published posts in order, 20 a page, badges, replying with and without htmx."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.forums.models import MembershipRole
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post


def post_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="post[^"]*" id="post-(\d+)"', html)]


def test_posts_appear_in_order_twenty_a_page(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    start = utcnow()
    replies = [
        PostFactory(thread=thread, author=kai, created_at=start + timedelta(seconds=i))
        for i in range(24)
    ]
    browser.sign_in("kai@example.org")
    first = post_ids(browser.get(f"/f/{forum.slug}/t/{thread.id}").text)
    second = post_ids(browser.get(f"/f/{forum.slug}/t/{thread.id}?page=2").text)
    assert len(first) == 20 and len(second) == 5
    assert first[1:] + second == [r.id for r in replies]


def test_authors_carry_supporter_and_moderator_badges(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    jo = member_of(forum, MembershipRole.SUPPORTER, handle="supporter_jo")
    rowan = member_of(forum, MembershipRole.MODERATOR, handle="mod_rowan")
    thread = thread_with_opening_post(forum, kai)
    PostFactory(thread=thread, author=jo)
    PostFactory(thread=thread, author=rowan)
    browser.sign_in("kai@example.org")
    page = browser.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert re.search(
        r"supporter_jo</a>\s*<span class=\"badge badge--supporter\">Trained supporter", page
    )
    assert re.search(r"mod_rowan</a>\s*<span class=\"badge badge--moderator\">Moderator", page)


def test_a_reply_without_javascript_redirects_to_its_place_in_the_thread(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    response = browser.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": "Thank you all for the kind words."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    landing = browser.get(response.headers["location"], follow_redirects=False)
    reply = db.scalars(select(Post).where(Post.is_opening.is_(False))).one()
    assert landing.headers["location"] == f"/f/{forum.slug}/t/{thread.id}#post-{reply.id}"


def test_a_reply_with_htmx_comes_back_as_the_new_post_and_a_fresh_form(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    response = browser.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": "Thank you all for the kind words."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'hx-swap-oob="beforeend"' in response.text
    assert "Thank you all for the kind words." in response.text
    assert "Your reply has been posted." in response.text
    assert re.search(r'<textarea id="body" name="body"[^>]*></textarea>', response.text)


def test_an_empty_or_oversized_reply_is_refused_and_the_text_kept(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    empty = browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "   "})
    assert empty.status_code == 422 and "Write something before posting" in empty.text
    long_text = "I have so much to say. " * 1000
    oversized = browser.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": long_text})
    assert oversized.status_code == 422 and "the limit is 20,000" in oversized.text
    assert "I have so much to say. I have so much" in oversized.text
    assert db.scalars(select(Post).where(Post.is_opening.is_(False))).all() == []


def test_a_new_thread_needs_a_title(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    response = browser.post(f"/f/{forum.slug}/new", {"title": "", "body": "What helps you sleep?"})
    assert response.status_code == 422
    assert "Give your thread a title" in response.text and "What helps you sleep?" in response.text


def test_a_rejected_post_shows_its_author_the_reason(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    PostFactory(
        thread=thread,
        author=kai,
        status=PostStatus.REJECTED,
        rejection_reason="Please don't share other members' names.",
        published_at=None,
    )
    browser.sign_in("kai@example.org")
    page = browser.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert "Not published." in page and "Please don&#39;t share other members&#39; names." in page


def test_without_javascript_forms_bring_the_reader_back_where_they_were(
    browser: Browser, db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    sam = member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai)
    theirs = PostFactory(thread=thread, author=sam)
    browser.sign_in("kai@example.org")
    url = f"/f/{forum.slug}/t/{thread.id}"
    page = browser.get(url).text
    # A refused reply comes back at the form, its error summary linking to the field.
    assert f'action="{url}/reply#reply-form"' in page
    refused = browser.post(f"{url}/reply", {"body": ""})
    assert refused.status_code == 422
    assert '<div class="error-summary" role="alert" tabindex="-1">' in refused.text
    assert '<a href="#body">Write something before posting.</a>' in refused.text
    # Muting asks first (a button inside a disclosure), then returns to the post.
    assert '<details class="confirm mute-form">' in page
    muted = browser.post(
        "/members/sam/mute", {"back": f"{url}#post-{theirs.id}"}, follow_redirects=False
    )
    assert muted.headers["location"] == f"{url}#post-{theirs.id}"
    # Withdrawing asks first too.
    assert '<details class="confirm">\n      <summary>Withdraw</summary>' in page


def test_the_author_of_a_post_held_as_medical_advice_sees_why_and_a_suggestion(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org")
    thread = thread_with_opening_post(forum, kai)
    author, reader = make_browser(), make_browser()
    author.sign_in("kai@example.org")
    reader.sign_in("sam@example.org")
    advice = "Just come off your insulin for a week and see how you feel."
    author.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": advice, "confirmed": "1"})
    held = db.scalars(select(Post).where(Post.body_source == advice)).one()
    assert held.status is PostStatus.HELD
    page = author.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert "Why it is waiting: it reads like medical advice" in page
    assert f'<a href="/posts/{held.id}/edit">Edit your post</a>' in page
    assert "reads like medical advice" not in reader.get(f"/f/{forum.slug}/t/{thread.id}").text

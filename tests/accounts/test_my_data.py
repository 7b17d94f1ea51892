"""My posts and my data: the list of my posts, export, taking a break, muting, deleting my account."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountStatus, User
from app.posts.models import Post, PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post


def test_my_posts_lists_every_post_with_its_status(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai, title="Night hypos")
    PostFactory(
        thread=thread,
        author=kai,
        status=PostStatus.REJECTED,
        published_at=None,
        rejection_reason="Please don't name other members.",
    )
    browser.sign_in("kai@example.org")
    page = browser.get("/account/posts").text
    assert page.count("Night hypos") == 2
    assert "Not published" in page and "Please don&#39;t name other members." in page


def test_the_export_holds_my_posts_and_nobody_elses(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(name="Living with type 1 diabetes")
    kai = member_of(forum, email="kai@example.org", handle="kai")
    sam = member_of(forum, email="sam@example.org")
    thread = thread_with_opening_post(forum, kai, title="Carb counting")
    PostFactory(thread=thread, author=sam, body_source="Sam's private words")
    me = make_browser()
    me.sign_in("kai@example.org")
    response = me.get("/account/export.json")
    assert "attachment" in response.headers["content-disposition"]
    exported = response.json()
    assert exported["account"]["handle"] == "kai"
    assert [p["thread"] for p in exported["posts"]] == ["Carb counting"]
    assert "Sam's private words" not in json.dumps(exported)
    html = me.get("/account/export.html")
    assert html.status_code == 200 and "Carb counting" in html.text


def test_taking_a_break_hides_the_forums_until_i_come_back(browser: Browser, db: Session) -> None:
    forum = ForumFactory(name="After a heart attack")
    member_of(forum, email="pat@example.org")
    browser.sign_in("pat@example.org")
    page = browser.post("/account/break", {"days": "7"}).text
    assert "You're taking a break" in page and "After a heart attack" not in page
    back = browser.post("/account/break/end").text
    assert "Welcome back." in back and "After a heart attack" in back


def test_muting_a_member_folds_their_posts_away(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    noisy = member_of(forum, handle="noisy_neighbour")
    thread = thread_with_opening_post(forum, kai)
    PostFactory(thread=thread, author=noisy, body_source="Have you tried yoga?")
    browser.sign_in("kai@example.org")
    url = f"/f/{forum.slug}/t/{thread.id}"
    browser.post("/members/noisy_neighbour/mute", {"back": url})
    page = browser.get(url).text
    assert "You muted this member. Show the post" in page
    assert "noisy_neighbour" in browser.get("/account").text


def test_deleting_my_account_keeps_posts_as_former_member(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="sam@example.org")
    thread = thread_with_opening_post(forum, kai, title="Transplant anniversary")
    me, reader = make_browser(), make_browser()
    me.sign_in("kai@example.org")
    refused = me.post("/account/delete", {"posts": "keep", "confirm": "yes"})
    assert refused.status_code == 422
    me.post("/account/delete", {"posts": "keep", "confirm": "delete my account"})
    db.expire_all()
    user = db.get(User, kai.id)
    assert user is not None and user.status is AccountStatus.DEACTIVATED and "kai" not in user.email
    assert me.get("/account", follow_redirects=False).status_code == 303
    reader.sign_in("sam@example.org")
    page = reader.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert "Former member" in page and ">kai<" not in page


def test_deleting_my_account_can_remove_my_posts(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    reply = PostFactory(thread=thread, author=kai, body_source="Something personal")
    browser.sign_in("kai@example.org")
    browser.post("/account/delete", {"posts": "remove", "confirm": "Delete my account"})
    db.expire_all()
    statuses = set(db.scalars(select(Post.status).where(Post.author_id == kai.id)))
    assert statuses == {PostStatus.REMOVED}
    assert db.get(Post, reply.id).body_source == ""  # type: ignore[union-attr]


def test_a_forum_may_keep_posts_of_deleted_accounts(browser: Browser, db: Session) -> None:
    keeps = ForumFactory()
    keeps.policy.keep_posts_of_deleted_accounts = True
    db.commit()
    kai = member_of(keeps, email="kai@example.org")
    kept_thread = thread_with_opening_post(keeps, kai)
    browser.sign_in("kai@example.org")
    browser.post("/account/delete", {"posts": "remove", "confirm": "delete my account"})
    db.expire_all()
    post = db.scalars(select(Post).where(Post.thread_id == kept_thread.id)).one()
    assert (
        post.status is PostStatus.PUBLISHED and post.body_source
    )  # kept, shown as "Former member"

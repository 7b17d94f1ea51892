"""Reactions that fit peer support: thank you, sending support, me too."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.posts.models import Reaction
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post


def test_members_react_counts_show_and_the_author_sees_who(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai)
    post = PostFactory(thread=thread, author=kai, body_source="First dialysis session done!")
    author, sam = make_browser(), make_browser()
    author.sign_in("kai@example.org")
    sam.sign_in("sam@example.org")
    fragment = sam.post(
        f"/posts/{post.id}/react", {"kind": "support"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and 'aria-pressed="true"' in fragment.text
    page = author.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert 'Sending support <span class="count">1</span><span class="who">: sam</span>' in page
    sam.post(f"/posts/{post.id}/react", {"kind": "support"})  # pressing again takes it back
    assert db.scalars(select(Reaction)).all() == []


def test_reactions_need_membership_and_a_known_kind(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    post = PostFactory(thread=thread, author=kai)
    member_of(ForumFactory(), email="outsider@example.org")
    outsider = make_browser()
    outsider.sign_in("outsider@example.org")
    assert outsider.post(f"/posts/{post.id}/react", {"kind": "thanks"}).status_code == 403
    member = make_browser()
    member_of(forum, email="sam@example.org")
    member.sign_in("sam@example.org")
    assert member.post(f"/posts/{post.id}/react", {"kind": "like"}).status_code == 422

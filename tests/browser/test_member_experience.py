"""The member experience in Chromium: react, be told of a reply, find an old thread, edit, export, delete."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountStatus, User
from app.posts.models import Post, PostStatus
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, member_of

pytestmark = pytest.mark.browser


def test_a_member_reacts_is_told_of_replies_searches_edits_exports_and_leaves(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory(slug="kidney", name="Young adults with kidney disease (18–30)")
    member_of(forum, email="kai@example.org", handle="kidneybean_kai")
    member_of(forum, email="sam@example.org", handle="sam")
    kai, sam = new_page(), new_page()
    sign_in(kai, live_server, "kai@example.org")
    sign_in(sam, live_server, "sam@example.org")

    # Kai starts a thread; Sam replies; Kai is told and reacts.
    kai.goto(f"{live_server.url}/f/kidney/new")
    kai.get_by_label("Title").fill("Fluid limits in summer")
    kai.get_by_label("Your post").fill(
        "What helps you stay under your fluid allowance when it is hot?"
    )
    kai.get_by_role("button", name="Post thread").click()
    kai.get_by_role("heading", name="Fluid limits in summer").wait_for()
    thread_url = kai.url
    sam.goto(thread_url)
    sam.get_by_label("Your reply").fill("Frozen grapes! A few go a long way.")
    sam.get_by_role("button", name="Post reply").click()
    sam.get_by_text("Your reply has been posted.").wait_for()
    kai.goto(f"{live_server.url}/")
    kai.get_by_role("link", name="Notifications 1 new").click()
    kai.get_by_role("link", name="sam replied in “Fluid limits in summer”").click()
    reply = kai.locator("article.post", has_text="Frozen grapes")
    reply.get_by_role("button", name="Thank you").click()
    reply.get_by_role("button", name="Thank you 1").wait_for()
    sam.goto(thread_url)
    mine = sam.locator("article.post", has_text="Frozen grapes")
    assert "Thank you 1: kidneybean_kai" in mine.locator(".reactions").inner_text()

    # Later, Kai finds the thread again by searching.
    kai.goto(f"{live_server.url}/search")
    kai.get_by_label('Words or "a phrase"').fill("frozen grapes")
    kai.get_by_role("button", name="Search").click()
    kai.get_by_role("link", name="Fluid limits in summer").wait_for()
    assert kai.locator("mark").first.inner_text().lower() == "frozen"

    # Kai edits the opening post to add a phone number: the edit goes to review, the old text stays.
    kai.goto(thread_url)
    opening = kai.locator("article.post").first
    opening.get_by_role("link", name="Edit").click()
    kai.get_by_label("Your post").fill("Text me on 07700 900123 and I'll share my fluid diary.")
    kai.get_by_role("button", name="Save changes").click()
    kai.get_by_text("Your edit is waiting for a moderator").wait_for()
    assert kai.get_by_text("What helps you stay under your fluid allowance").is_visible()

    # Kai exports their data, then deletes the account keeping posts as "Former member".
    kai.goto(f"{live_server.url}/account")
    with kai.expect_download() as download:
        kai.get_by_role("link", name="as JSON").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert [p["thread"] for p in exported["posts"]] == ["Fluid limits in summer"]
    kai.get_by_role("link", name="Delete your account").click()
    kai.get_by_label("Type “delete my account” to confirm").fill("delete my account")
    kai.get_by_role("button", name="Delete my account").click()
    kai.get_by_text("Your account has been deleted.").wait_for()
    sam.goto(thread_url)
    assert sam.locator("article.post").first.locator(".author").inner_text() == "Former member"
    user = db.scalars(select(User).where(User.email.like("deleted-%"))).one()
    assert user.status is AccountStatus.DEACTIVATED
    assert db.scalars(select(Post.status).where(Post.author_id == user.id)).all() == [
        PostStatus.PUBLISHED
    ]

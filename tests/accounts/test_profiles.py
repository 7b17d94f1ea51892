"""Profiles that protect privacy: handle, avatar from a set, short bio, badges without forum names."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.forums.models import MembershipRole
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of


def test_a_profile_shows_only_handle_avatar_bio_and_badges(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(name="Living with type 1 diabetes")
    member_of(forum, MembershipRole.SUPPORTER, email="jo@example.org", handle="supporter_jo")
    member_of(forum, email="kai@example.org")
    jo, kai = make_browser(), make_browser()
    jo.sign_in("jo@example.org")
    jo.post("/account/profile", {"bio": "Type 1 for 12 years, happy to help.", "avatar": "leaf"})
    kai.sign_in("kai@example.org")
    page = kai.get("/members/supporter_jo").text
    assert "supporter_jo" in page and "Type 1 for 12 years" in page and "avatars/leaf.svg" in page
    assert "Trained supporter" in page
    assert "Living with type 1 diabetes" not in page and "jo@example.org" not in page
    assert jo.post("/account/profile", {"bio": "x", "avatar": "selfie.jpg"}).status_code == 422
    assert make_browser().get("/members/supporter_jo", follow_redirects=False).status_code == 303

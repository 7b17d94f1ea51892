"""Staff see waiting urgent items on every page: a count in the page title and a banner linking
to the Urgent queue (no sound). Members, and moderators of other forums, see neither."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.forums.models import MembershipRole
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of
from tests.moderation_queue.test_review_queue import (
    CRISIS,
    decide,
    item_of,
    post_reply,
    setup_forum,
)


def title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found
    return " ".join(found.group(1).split())


def test_an_urgent_item_shows_in_every_staff_pages_title_and_banner_until_decided(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, thread_id, sam, rowan = setup_forum(make_browser)
    elsewhere = member_of(ForumFactory(), MembershipRole.MODERATOR, email="other@example.org")
    UserFactory(email="admin@example.org", site_role=SiteRole.ADMIN)
    other, admin = make_browser(), make_browser()
    other.sign_in(elsewhere.email)
    admin.sign_in("admin@example.org")
    assert "urgent" not in title(rowan.get("/notifications").text)

    post_reply(sam, forum, thread_id, CRISIS)
    for staff in (rowan, admin):
        for address in ("/notifications", "/account", f"/f/{forum.slug}", "/moderation"):
            page = staff.get(address).text
            assert title(page).startswith("(1 urgent) "), address
            assert "1 urgent item is waiting for a moderator." in page
            assert 'href="/moderation?queue=urgent"' in page
            assert "<audio" not in page  # no sound
    for bystander in (sam, other):
        page = bystander.get("/notifications").text
        assert "urgent" not in title(page) and "urgent-banner" not in page

    assert decide(rowan, item_of(db, CRISIS), "approve").status_code == 200
    page = rowan.get("/notifications").text
    assert "urgent" not in title(page) and "urgent-banner" not in page

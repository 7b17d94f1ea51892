"""WCAG 2.2 AA on every member page, checked by axe-core in Chromium, with the real CSP in force."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountStatus, SiteRole
from app.forums.models import MembershipRole, ModerationMode, Visibility
from app.moderation_queue.models import ReviewItem, Sanction, SanctionKind
from app.posts.models import PostStatus
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    ForumFactory,
    PostFactory,
    UserFactory,
    member_of,
    thread_with_opening_post,
)

pytestmark = pytest.mark.browser

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def violations(page: Any) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in results.response["violations"]
    ]


def check(page: Any, url: str) -> list[str]:
    page.goto(url)
    return [f"{url} -> {v}" for v in violations(page)]


def scrolls_sideways(page: Any, url: str, width: int) -> list[str]:
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > width + 1:
        return [f"{url} scrolls sideways at {width}px ({scroll_width}px wide)"]
    return []


@pytest.mark.parametrize("width", [1280, 320], ids=["desktop", "phone-320px"])
def test_member_pages_have_no_axe_violations(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, width: int
) -> None:
    forum = ForumFactory(
        visibility=Visibility.PUBLIC_READ, moderation_mode=ModerationMode.HOLD_FLAGGED
    )
    kai = member_of(forum, email="kai@example.org", handle="kidneybean_kai")
    supporter = member_of(forum, MembershipRole.SUPPORTER, handle="supporter_jo")
    thread = thread_with_opening_post(forum, kai, title="Starting dialysis")
    PostFactory(
        thread=thread, author=supporter, body_source="**You've got this.** Ask about evening slots."
    )
    PostFactory(
        thread=thread,
        author=kai,
        body_source="My NHS number is 943 476 5919",
        status=PostStatus.HELD,
        published_at=None,
    )
    base = live_server.url
    page = new_page()
    page.set_viewport_size({"width": width, "height": 800})
    problems = []
    for url in ("/", "/login", "/register", f"/f/{forum.slug}", f"/f/{forum.slug}/t/{thread.id}"):
        problems += check(page, base + url)
    sign_in(page, live_server, "kai@example.org")
    for url in (
        "/",
        f"/f/{forum.slug}",
        f"/f/{forum.slug}/t/{thread.id}",
        f"/f/{forum.slug}/new",
        "/account",
        "/account/sanctions",
        "/notifications",
    ):
        problems += check(page, base + url) + scrolls_sideways(page, url, width)
    # The footer's language form, then the same checks in Welsh (longer words, lang="cy").
    page.get_by_label("Language").select_option("cy")
    page.get_by_role("button", name="Change").click()
    page.get_by_role("link", name="Neidio i'r prif gynnwys").wait_for(state="attached")
    for url in ("/", f"/f/{forum.slug}/t/{thread.id}", "/account"):
        problems += check(page, base + url) + scrolls_sideways(page, f"{url} (Welsh)", width)
    assert problems == []


def test_moderator_pages_have_no_axe_violations(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    kai = member_of(forum, email="kai@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    thread = thread_with_opening_post(forum, kai)
    page = new_page()
    sign_in(page, live_server, "kai@example.org")
    page.goto(f"{live_server.url}/f/{forum.slug}/t/{thread.id}")
    page.get_by_label("Your reply").fill("Sending you strength for tomorrow.")
    page.get_by_role("button", name="Post reply").click()
    page.locator("article.post--held").wait_for()
    moderator = new_page()
    sign_in(moderator, live_server, "rowan@example.org")
    problems = check(moderator, f"{live_server.url}/moderation")
    moderator.keyboard.press("j")
    moderator.locator("#item-pane article.item-card").wait_for()
    problems += [f"item card -> {v}" for v in violations(moderator)]
    # A refused rejection (a reason the forum stopped offering) brings the card back with errors.
    forum.policy.rejection_reasons = ["Please keep to the forum's topic."]
    db.commit()
    moderator.get_by_label("Reason the author sees").select_option(index=1)
    moderator.get_by_role("button", name="Reject", exact=True).click()
    moderator.locator("#item-pane .error-summary").wait_for()
    problems += [f"refused item card -> {v}" for v in violations(moderator)]
    item = db.scalars(select(ReviewItem)).one()
    for url in (
        "/moderation/appeals",
        "/moderation/metrics",
        "/moderation/history",
        f"/moderation/items/{item.id}/escalate",
        f"/moderation/items/{item.id}/message?template=0",
    ):
        problems += check(moderator, live_server.url + url)
    moderator.get_by_role("button", name="Send privately").click()
    moderator.get_by_text("Sent. The member has been told").wait_for()
    problems += [f"team conversation -> {v}" for v in violations(moderator)]
    problems += check(moderator, live_server.url + "/moderation/conversations")
    problems += check(page, live_server.url + "/messages")
    page.get_by_role("link", name="The moderation team of").click()
    page.get_by_label("Your reply").wait_for()
    problems += [f"member conversation -> {v}" for v in violations(page)]
    assert problems == []


def test_admin_pages_have_no_axe_violations(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory(slug="kidney", joining_questions=["Do you have CKD?"])
    person = member_of(forum, email="kai@example.org")
    UserFactory(email="chair@charity.example", site_role=SiteRole.ADMIN)
    page = new_page()
    sign_in(page, live_server, "chair@charity.example")
    problems = []
    for url in (
        "/admin",
        "/admin/forums/new",
        "/admin/forums/kidney",
        "/admin/forums/kidney/policy",
        "/admin/forums/kidney/invites",
        "/admin/forums/kidney/safeguarding",
        "/admin/people",
        f"/admin/people/{person.id}",
        "/admin/audit",
        "/admin/impact",
        "/f/kidney/requests",
    ):
        problems += check(page, live_server.url + url)
    assert problems == []


def test_a_banned_members_closed_account_page_is_accessible_and_takes_an_appeal(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    admin = UserFactory(email="chair@charity.example", site_role=SiteRole.ADMIN)
    sam = UserFactory(email="sam@example.org", status=AccountStatus.DEACTIVATED)
    db.add(
        Sanction(
            user_id=sam.id,
            kind=SanctionKind.BAN,
            reason="Repeated threats.",
            created_by_id=admin.id,
        )
    )
    db.commit()
    page = new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your account is closed").wait_for()
    problems = violations(page)
    page.get_by_label("Why should it be reconsidered?").fill("It was a quote from a film.")
    page.get_by_role("button", name="Send appeal").click()
    page.get_by_text("Your appeal has been sent").wait_for()
    assert problems + violations(page) == []

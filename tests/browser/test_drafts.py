"""Nothing typed is lost, in Chromium: every kind of form, refused, comes back with the text and
an error summary linking to the field; a long post survives a lost connection in the browser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.db import utcnow
from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import Appeal, ReviewItem, Sanction, SanctionKind
from app.posts.models import PostStatus
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post

pytestmark = pytest.mark.browser

TOO_LONG = "I wanted to say so much about the clinic today. " * 500  # ~24,000 characters


@dataclass(frozen=True)
class Form:
    """A page, the field typed into (its label), what is typed, and the button that sends it."""

    path: str
    field: str
    text: str
    button: str
    error: str
    opens: str | None = None  # a <details> summary to open first


def forms(world: dict[str, Any]) -> dict[str, Form]:
    forum, thread, post, item, sanction = (
        world["forum"],
        world["thread"],
        world["post"],
        world["item"],
        world["sanction"],
    )
    return {
        "new thread": Form(
            f"/f/{forum.slug}/new", "Title", "T" * 300, "Post thread", "Keep the title under"
        ),
        "reply": Form(
            f"/f/{forum.slug}/t/{thread.id}", "Your reply", TOO_LONG, "Post reply", "the limit is"
        ),
        "edit": Form(
            f"/posts/{post.id}/edit", "Your post", TOO_LONG, "Save changes", "the limit is"
        ),
        "report": Form(
            f"/f/{forum.slug}/t/{thread.id}",
            "Anything a moderator should know (optional)",
            "N" * 2100,
            "Send report",
            "Keep this under 2,000 characters.",
            opens="Report this post",
        ),
        "bio": Form(
            "/account",
            "Short bio (optional, 280 characters)",
            "B" * 400,
            "Save profile",
            "Keep this under 280",
        ),
        "appeal": Form(
            "/account/sanctions",
            "Why should it be reconsidered?",
            "A" * 4100,
            "Send appeal",
            "Keep this under 4,000",
            opens="Appeal this decision",
        ),
        "moderator's note": Form(
            f"/moderation/items/{item.id}",
            "Add a private note",
            "M" * 4100,
            "Save note",
            "Keep this under 4,000",
            opens="sam's history",
        ),
        "sanction": Form(
            f"/moderation/members/{world['author'].id}?forum={forum.slug}",
            "Reason (the member sees this)",
            "R" * 2100,
            "Apply",
            "Keep this under 2,000",
        ),
        "appeal decision": Form(
            "/moderation/appeals",
            "Your answer to the member",
            "D" * 2100,
            "Uphold it",
            "Keep this under 2,000",
        ),
        "invite": Form(
            f"/admin/forums/{forum.slug}/invites",
            "Who it is for",
            "I" * 300,
            "Create invite",
            "Keep this under 200",
        ),
    }
    del sanction


def send_too_much(page: Any, base: str, form: Form) -> None:
    page.goto(f"{base}{form.path}")
    if form.opens:
        page.get_by_text(form.opens).first.click()
    field = page.get_by_label(form.field).first
    # As if pasted past the browser's own limits (or from a browser that has none).
    field.evaluate("el => { el.removeAttribute('maxlength'); el.form.noValidate = true }")
    field.fill(form.text)
    page.get_by_role("button", name=form.button).first.click()
    # A plain post loads a page; an htmx post swaps the form in place: either way, the summary.
    page.locator(".error-summary").first.wait_for(state="attached", timeout=10_000)


def test_every_refused_form_comes_back_with_the_text_and_an_error_summary(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    kai = member_of(
        forum, MembershipRole.MODERATOR, email="kai@example.org", site_role=SiteRole.ADMIN
    )
    author = member_of(forum, handle="sam")
    thread = thread_with_opening_post(forum, author)
    own = PostFactory(thread=thread, author=kai, body_source="My earlier words.")
    held = PostFactory(thread=thread, author=author, status=PostStatus.HELD, published_at=None)
    item = ReviewItem(post_id=held.id, forum_id=forum.id, queue="held", priority=1, reason_codes=[])
    warning = Sanction(
        user_id=kai.id,
        forum_id=forum.id,
        kind=SanctionKind.WARNING,
        reason="Please be kind.",
        created_by_id=author.id,
        acknowledged_at=utcnow(),
    )
    # An appeal for kai to review: against a sanction another moderator imposed.
    other_moderator = member_of(forum, MembershipRole.MODERATOR)
    on_sam = Sanction(
        user_id=author.id,
        forum_id=forum.id,
        kind=SanctionKind.WARNING,
        reason="Mind your words.",
        created_by_id=other_moderator.id,
        acknowledged_at=utcnow(),
    )
    db.add_all([item, warning, on_sam])
    db.commit()
    db.add(Appeal(sanction_id=on_sam.id, body="Please look again."))
    db.commit()
    world = {
        "forum": forum,
        "thread": thread,
        "post": own,
        "item": item,
        "sanction": warning,
        "author": author,
    }
    page = new_page()
    sign_in(page, live_server, "kai@example.org")
    page.set_default_timeout(10_000)
    failures = []
    for name, form in forms(world).items():
        try:
            send_too_much(page, live_server.url, form)
        except Exception as exc:  # one broken form must not hide the others
            failures.append(f"{name}: {str(exc).splitlines()[0]}")
            continue
        summary = page.locator(".error-summary")
        kept = page.locator("textarea, input[type=text]").evaluate_all(
            "(els, text) => els.some(el => el.value === text)", form.text
        )
        link = summary.locator("a").first.get_attribute("href") if summary.count() else None
        if not (summary.count() and form.error in summary.inner_text() and kept and link):
            failures.append(f"{name}: summary={summary.count()} kept={kept}")
        elif page.locator(link).count() != 1:  # the summary's link leads to the field
            failures.append(f"{name}: the summary links to {link}, which is not on the page")
    assert failures == [], "\n".join(failures)


def test_a_long_reply_survives_a_lost_connection_and_is_cleared_once_posted(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    url = f"{live_server.url}/f/{forum.slug}/t/{thread.id}"
    page = new_page()
    sign_in(page, live_server, "kai@example.org")
    page.goto(url)
    words = "Three years on dialysis taught me to plan around the fatigue. " * 20
    page.get_by_label("Your reply").fill(words)
    page.wait_for_timeout(700)  # the draft is kept as it is typed
    page.context.set_offline(True)
    with pytest.raises(Exception):  # noqa: B017 (the browser's own network error)
        page.get_by_role("button", name="Post reply").click(no_wait_after=True)
        page.reload()
    page.context.set_offline(False)
    page.goto(url)
    assert page.get_by_label("Your reply").input_value() == words
    assert page.get_by_text("Your unsent text was put back from this browser.").is_visible()
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_load_state("networkidle")
    page.goto(url)
    assert page.get_by_label("Your reply").input_value() == ""  # posted, so no longer kept
    assert page.get_by_text("Three years on dialysis").count() == 1

"""Reach-out templates: a site admin edits each forum's templates (with {resources} for the
forum's crisis resources); moderators start their private message from them on the item card."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SiteRole
from app.audit.models import AuditEvent
from app.conversations.models import MessageTemplate
from tests.conftest import Browser
from tests.conversations.test_private_messages import crisis_item, forum_with_a_crisis_post
from tests.factories import UserFactory

CHECK_IN = "Hi, it's the team at Heart attack recovery. How are you today?\n\n{resources}"


def admin_browser(make_browser: Callable[[], Browser]) -> Browser:
    UserFactory(email="chair@charity.example", site_role=SiteRole.ADMIN)
    admin = make_browser()
    admin.sign_in("chair@charity.example")
    return admin


def test_an_admin_edits_the_templates_moderators_start_from(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, _sam, rowan = forum_with_a_crisis_post(make_browser)
    admin = admin_browser(make_browser)
    page = admin.get(f"/admin/forums/{forum.slug}/message-templates").text
    assert "Checking in" in page and "Samaritans" in page  # Harbour's defaults, and the resources
    saved = admin.post(
        f"/admin/forums/{forum.slug}/message-templates",
        {"title": "Our check-in", "body": CHECK_IN},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert db.scalars(select(MessageTemplate.title)).all() == ["Our check-in"]
    assert "forum.message_templates" in db.scalars(select(AuditEvent.action)).all()

    item = crisis_item(db)
    card = rowan.get(f"/moderation/items/{item.id}").text
    assert f'href="/moderation/items/{item.id}/message"' in card
    compose = rowan.get(f"/moderation/items/{item.id}/message?template=0").text
    assert "Our check-in" in compose and "Checking in" not in compose
    draft = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', compose, re.S)
    assert draft is not None
    assert "How are you today?" in draft.group(1) and "{resources}" not in draft.group(1)
    assert forum.policy.crisis_resources[0]["contact"] in draft.group(1)


def test_a_template_needs_a_name_and_a_message(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum, _sam, _rowan = forum_with_a_crisis_post(make_browser)
    admin = admin_browser(make_browser)
    refused = admin.post(
        f"/admin/forums/{forum.slug}/message-templates", {"title": "No message", "body": ""}
    )
    assert refused.status_code == 422 and "needs a name and a message" in refused.text
    assert 'value="No message"' in refused.text  # nothing typed is lost
    assert db.scalars(select(MessageTemplate)).all() == []


def test_moderators_cannot_edit_templates(make_browser: Callable[[], Browser], db: Session) -> None:
    forum, _sam, rowan = forum_with_a_crisis_post(make_browser)
    assert rowan.get(f"/admin/forums/{forum.slug}/message-templates").status_code == 403
    assert (
        rowan.post(
            f"/admin/forums/{forum.slug}/message-templates", {"title": "x", "body": "y"}
        ).status_code
        == 403
    )

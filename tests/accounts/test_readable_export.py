"""The data export a person can read: UK local dates and times, the moderation decisions about
their posts with reasons, their sanctions and appeals, their consents; JSON beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.accounts.models import Consent
from app.clock import ManualClock
from app.forums.models import MembershipRole
from app.moderation_queue.models import (
    Appeal,
    DecisionAction,
    ModerationDecision,
    Sanction,
    SanctionKind,
)
from app.posts.models import PostStatus
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post


def test_the_readable_export_shows_decisions_sanctions_appeals_and_consents_in_uk_time(
    browser: Browser, db: Session, clock: ManualClock
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    moderator = member_of(forum, MembershipRole.MODERATOR, handle="mod_rowan")
    thread = thread_with_opening_post(forum, kai, title="Night hypos")
    rejected = PostFactory(thread=thread, author=kai, status=PostStatus.REJECTED, published_at=None)
    summer = datetime(2026, 7, 3, 14, 5, tzinfo=UTC)  # 15:05 in London (BST)
    db.add(
        ModerationDecision(
            post_id=rejected.id,
            moderator_id=moderator.id,
            action=DecisionAction.REJECT,
            reason="It shares personal details that could identify someone.",
            created_at=summer,
        )
    )
    sanction = Sanction(
        user_id=kai.id,
        forum_id=forum.id,
        kind=SanctionKind.WARNING,
        reason="Please be kind.",
        created_by_id=moderator.id,
        acknowledged_at=summer,
        created_at=summer,
    )
    db.add(sanction)
    db.flush()
    db.add(Appeal(sanction_id=sanction.id, body="I was quoting someone.", created_at=summer))
    db.add(Consent(user_id=kai.id, notice_version=1, given_at=summer))
    db.commit()
    browser.sign_in("kai@example.org")

    page = browser.get("/account/export.html").text
    assert "3 Jul 2026, 15:05" in page and "3 Jul 2026, 14:05" not in page
    assert "It shares personal details that could identify someone." in page
    assert "Please be kind." in page and "I was quoting someone." in page
    assert "Agreed to version 1 of the privacy notice on 3 Jul 2026, 15:05" in page
    assert "mod_rowan" not in page  # the team decides as one

    data = json.loads(browser.get("/account/export.json").text)
    assert data["moderation_decisions"][0]["reason"].startswith("It shares personal details")
    assert data["moderation_decisions"][0]["decided_at"].startswith("2026-07-03T14:05")
    assert data["appeals"][0]["text"] == "I was quoting someone."
    (consent,) = data["consents"]
    assert consent["privacy_notice_version"] == 1 and consent["withdrawn_at"] is None
    assert consent["given_at"].startswith("2026-07-03T14:05")
    assert data["account"]["two_factor_sign_in"] is False

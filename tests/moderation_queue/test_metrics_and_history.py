"""Moderation metrics and the searchable history of decisions."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forums.models import MembershipRole, ModerationMode
from app.moderation_queue.models import ReviewItem
from tests.conftest import Browser
from tests.factories import ForumFactory, member_of, thread_with_opening_post


def test_decisions_show_in_metrics_and_are_searchable(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE, name="After a heart attack")
    kai = member_of(forum, email="kai@example.org", handle="steady_pat")
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org", handle="mod_rowan")
    thread = thread_with_opening_post(forum, kai, title="Cardiac rehab week one")
    author, moderator = make_browser(), make_browser()
    author.sign_in("kai@example.org")
    moderator.sign_in("rowan@example.org")
    for body in ("Rehab nurses were lovely.", "Heart rate worries me on the bike."):
        author.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": body})
    first, second = db.scalars(select(ReviewItem).order_by(ReviewItem.id)).all()
    moderator.post(f"/moderation/items/{first.id}/decide", {"action": "approve"})
    moderator.post(
        f"/moderation/items/{second.id}/decide",
        {
            "action": "reject",
            "reason": "It gives medical advice that should come from a care team.",
        },
    )

    metrics = moderator.get("/moderation/metrics").text
    assert "After a heart attack</th><td>2</td>" in metrics
    assert "50%" in metrics  # one of two decisions overrode the machine's "publish"

    history = moderator.get("/moderation/history?author=steady_pat&reason=medical").text
    assert (
        "Cardiac rehab week one" in history
        and "reject" in history
        and "approve</td>" not in history
    )
    assert "No decisions match." in moderator.get("/moderation/history?moderator=nobody").text
    assert author.get("/moderation/metrics").status_code == 403

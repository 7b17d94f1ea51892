"""Zero post text, names or condition words in any alert: every email and webhook body an urgent
item, its escalations and a test alert produce is read, in English and in Welsh."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import ForumAlerting
from app.clock import ManualClock
from app.forums.models import Membership
from app.notifications.models import OutboxEmail
from tests.alerts.receiver import Receiver
from tests.alerts.test_urgent_alerts import make_team, wait_until
from tests.conftest import Browser
from tests.moderation_queue.test_review_queue import CRISIS, post_reply

# Words that name a condition or a crisis: an alert read over a shoulder must reveal none.
CONDITION_WORDS = {
    "bipolar", "cancer", "diabetes", "depression", "anxiety", "suicide", "suicidal", "self-harm",
    "crisis", "overdose", "hiv", "dementia", "schizophrenia", "eating", "kidney", "renal",
    "psychosis", "mental", "hunanladdiad", "argyfwng",
}  # fmt: skip


def words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[\w-]+", text)}


def test_no_alert_says_what_was_written_who_wrote_it_or_where(
    make_browser: Callable[[], Browser], db: Session, receiver: Receiver, clock: ManualClock
) -> None:
    team = make_team(make_browser, db, receiver)
    lead = db.scalars(select(Membership).where(Membership.user_id == team.lead.id)).one()
    lead.user.language = "cy"  # the safeguarding lead reads Welsh
    alerting = db.get(ForumAlerting, team.forum.id)
    assert alerting is not None
    alerting.webhook_language = "cy"  # and so does the team's channel
    db.commit()
    post_reply(team.sam, team.forum, team.thread_id, CRISIS)
    wait_until(lambda: len(receiver.received) >= 1)
    clock.advance(minutes=5, seconds=1)
    wait_until(lambda: len(receiver.received) >= 2)
    clock.advance(minutes=5, seconds=1)
    wait_until(lambda: len(receiver.received) >= 3)
    admin = make_browser()
    admin.sign_in("admin@example.org")
    admin.post(f"/admin/forums/{team.forum.slug}/safeguarding/test")
    wait_until(lambda: len(receiver.received) >= 4)
    time.sleep(0.5)

    mails = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "alert")).all()
    assert {m.to_address for m in mails} == {
        "rowan@example.org",
        "lead@example.org",
        "admin@example.org",
    }
    bodies = [f"{m.subject}\n{m.body}" for m in mails]
    bodies += [r.body.decode() + "\n" + "\n".join(r.headers.values()) for r in receiver.received]
    assert len(bodies) >= 8
    forbidden = (
        CONDITION_WORDS
        | {w for w in words(CRISIS) if len(w) > 3}
        | words(team.forum.name)
        | {team.forum.slug, "sam_writes", "rough"}  # the slug, the author, the thread's title
    )
    for body in bodies:
        assert not words(body) & forbidden, (words(body) & forbidden, body)
        assert "sam_writes" not in body and team.forum.name not in body

    # Each in its reader's language: emails in the recipient's, the webhook in the forum's choice.
    by_address = {m.to_address: m for m in mails}
    assert "Mae eitem frys yn aros" in by_address["lead@example.org"].body
    assert "An urgent item is waiting" in by_address["rowan@example.org"].body
    hooks = [json.loads(r.body)["text"] for r in receiver.received]
    english = ("waiting", "escalated", "test alert", "claim it")
    assert not any(phrase in text for text in hooks for phrase in english), hooks
    assert "Mae eitem frys yn aros" in hooks[0]

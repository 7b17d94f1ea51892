"""Free text written outside posts and messages (a goal, what a member hopes a buddy will bring,
a group's check-in prompt or name) goes through the same assessment as posts, at once.

Such text is short and assessed while the member waits (the compose form's fast check).
Identifiers and words the forum blocks, the member is asked to reword (as a poster is). What
reads as a crisis is never sent back: it is saved, the member is shown where to get help, and a
copy of the words goes to the forum's Urgent queue (which alerts, as for a post), saying where
it was written. Anything else the assessment would hold is saved and queued for a moderator to
look at afterwards (the Unreviewed queue): short texts are where the models err most, so a
member is not stopped by a score alone.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import moderation
from app.accounts.models import User
from app.audit import service as audit
from app.forms.views import FormRejected
from app.forums.models import Forum
from app.moderation_queue import items
from app.moderation_queue.gate import reasons_as_json
from app.moderation_queue.models import ReviewItem, ReviewQueue, ScreenedText, TextSource
from app.posts.precheck import DraftCheck, check_draft


class NeedsRewording(Exception):
    """The text would be held (identifiers, words the forum asks a moderator to read first)."""


def screen(text: str, forum: Forum, scorer: moderation.Scorer | None) -> DraftCheck:
    """Assess the text as a post in `forum` would be; raises NeedsRewording unless it may be
    saved (a crisis may always be saved: the person is never asked to rephrase it)."""
    check = check_draft(text, forum, scorer)
    if not check.crisis and (check.identifiers or check.blocked_phrases):
        raise NeedsRewording()
    return check


def screen_form_field(
    text: str, forum: Forum, scorer: moderation.Scorer | None, field: str, reword: str
) -> DraftCheck:
    """`screen` for a form: text to reword goes back to the form, kept, with `reword` beside
    `field`."""
    try:
        return screen(text, forum, scorer)
    except NeedsRewording as exc:
        raise FormRejected({field: reword}) from exc


def hold_for_review(
    session: Session,
    check: DraftCheck,
    forum: Forum,
    author: User,
    source: TextSource,
    source_id: int | None,
) -> ReviewItem | None:
    """Put the screened text on the forum's queue when the assessment says a person must read
    it (Urgent for a crisis); None when it needs nobody."""
    assessment = check.assessment
    if not check.text.strip() or assessment.route is moderation.Route.PUBLISH:
        return None
    text = ScreenedText(
        forum_id=forum.id,
        author_id=author.id,
        author=author,
        source=source,
        source_id=source_id,
        body_source=check.text,
        route=assessment.route.value,
        reasons=reasons_as_json(assessment),
        scorer_name=assessment.scorer_name,
    )
    session.add(text)
    session.flush()
    queue = ReviewQueue.URGENT if check.crisis else ReviewQueue.UNREVIEWED
    item = items.open_screened_text_item(
        session,
        text.id,
        forum.id,
        queue,
        priority=max(assessment.priority, 90 if check.crisis else 0),
        reason_codes=[r.code for r in assessment.reasons],
        needs_clinical_review=assessment.needs_clinical_review,
    )
    audit.record(
        session,
        actor_id=None,
        action=f"text.{queue.value}",
        target_type=source.value,
        target_id=source_id,
        forum_id=forum.id,
        review_item_id=item.id,
    )
    return item


def forget_author(session: Session, user: User) -> None:
    """Account deletion: the member's screened words go, and with them the queue items about
    them (a moderator can no longer reach the person; the audit log keeps that they existed)."""
    session.execute(
        delete(ReviewItem).where(
            ReviewItem.screened_text_id.in_(
                select(ScreenedText.id).where(ScreenedText.author_id == user.id)
            )
        )
    )
    session.execute(delete(ScreenedText).where(ScreenedText.author_id == user.id))

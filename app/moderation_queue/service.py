"""The review queue: what moderators see, claim and decide.

Every decision goes through `decide`, which changes the item with one conditional UPDATE (still
pending, same version, not claimed by a colleague); of two moderators acting at once exactly one
succeeds and the other is told who decided first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, selectinload

import moderation
from app import events
from app.accounts.models import SiteRole, User
from app.audit import service as audit
from app.conversations import gate as conversation_gate
from app.conversations import service as conversation_service
from app.conversations.models import Conversation, ConversationMessage, MessageStatus
from app.db import utcnow
from app.forums.models import Forum, Membership, MembershipRole, MembershipStatus
from app.moderation_queue import followups
from app.moderation_queue import items as queue_items
from app.moderation_queue.gate import policy_for
from app.moderation_queue.models import (
    ESCALATION_TAKEN_BY,
    QUEUE_RANK,
    DecisionAction,
    ModerationDecision,
    PostAssessment,
    Report,
    ReviewItem,
    ReviewQueue,
    ReviewStatus,
    ScreenedText,
    TextSource,
    claim_length,
)
from app.notifications import service as notifications
from app.notifications.models import Notification
from app.posts import service as posts
from app.posts.models import Post, PostEdit, PostStatus, Thread
from app.posts.rendering import render_markdown
from app.search import service as search


class NotDecided(Exception):
    """The decision was not applied; subclasses say why, each with its own message."""


class AlreadyDecided(NotDecided):
    """A colleague decided this item first."""

    def __init__(self, by: str | None) -> None:
        super().__init__("already decided")
        self.by = by


class ClaimedByColleague(NotDecided):
    """A colleague is reviewing this item now (their claim has not lapsed)."""

    def __init__(self, by: str | None, since: datetime | None) -> None:
        super().__init__("claimed by a colleague")
        self.by = by
        self.since = since


class ItemChanged(NotDecided):
    """Something new joined the item (a report, a new message) since it was opened."""

    def __init__(self) -> None:
        super().__init__("changed since it was opened")


@dataclass(frozen=True)
class QueueEntry:
    """An item with what it is about: a post (and its thread), a private message, or a screened
    text (a goal, a buddy request, a group's prompt)."""

    item: ReviewItem
    post: Post | None
    thread: Thread | None
    assessment: PostAssessment | None
    message: ConversationMessage | None = None
    text: ScreenedText | None = None

    @property
    def _subject(self) -> Post | ConversationMessage | ScreenedText | None:
        if self.post is not None:
            return self.post
        return self.message if self.message is not None else self.text

    @property
    def reasons(self) -> list[dict[str, Any]]:
        if self.message is not None:
            return self.message.reasons
        if self.text is not None:
            return self.text.reasons
        return self.assessment.reasons if self.assessment else []

    @property
    def author(self) -> User:
        subject = self._subject
        assert subject is not None
        return subject.author

    @property
    def body_source(self) -> str:
        subject = self._subject
        return subject.body_source if subject is not None else ""

    @property
    def created_at(self) -> datetime:
        subject = self._subject
        return subject.created_at if subject is not None else self.item.created_at

    @property
    def machine_route(self) -> str | None:
        if self.message is not None:
            return self.message.route
        if self.text is not None:
            return self.text.route
        return self.assessment.route if self.assessment else None

    @property
    def target(self) -> tuple[str, int | None]:
        """What the audit log names as the item's subject."""
        if self.post is not None:
            return "post", self.post.id
        if self.text is not None:
            return self.text.source.value, self.text.source_id
        return "conversation", self.item.conversation_id


def latest_assessments(session: Session, post_ids: Sequence[int]) -> dict[int, PostAssessment]:
    if not post_ids:
        return {}
    rows = session.scalars(
        select(PostAssessment)
        .where(PostAssessment.post_id.in_(post_ids))
        .order_by(PostAssessment.post_id, PostAssessment.created_at, PostAssessment.id)
    ).all()
    return {row.post_id: row for row in rows}  # later rows overwrite earlier ones


def urgent_post_ids(
    session: Session, forum: Forum, posts_on_page: Sequence[Post], viewer_id: int | None
) -> set[int]:
    """The viewer's own posts on a page that suggest a crisis, so they can be shown where to get help."""
    own = [
        p
        for p in posts_on_page
        if p.author_id == viewer_id
        and p.status in (PostStatus.HELD, PostStatus.AWAITING_ASSESSMENT)
    ]
    if not own:
        return set()
    assessments = latest_assessments(session, [p.id for p in own])
    urgent = {pid for pid, a in assessments.items() if a.route == moderation.Route.URGENT}
    # Not assessed yet (a slow scorer): the crisis rules are fast, so ask them directly.
    context = moderation.AssessmentContext(policy=policy_for(forum))
    for p in own:
        if p.id not in assessments and any(
            r.code.startswith("crisis.") for r in moderation.detect_rules(p.body_source, context)
        ):
            urgent.add(p.id)
    return urgent


def medical_advice_post_ids(
    session: Session, posts_on_page: Sequence[Post], viewer_id: int | None
) -> set[int]:
    """The viewer's own held posts that wait because they read like medical advice, so the
    author sees why and how to say it instead. No query unless the viewer has a held post here."""
    own = [p.id for p in posts_on_page if p.author_id == viewer_id and p.status is PostStatus.HELD]
    return {
        post_id
        for post_id, assessment in latest_assessments(session, own).items()
        if any(str(r.get("code", "")).startswith("medical_advice.") for r in assessment.reasons)
    }


# The dashboard's order (urgent first, then highest priority, then oldest): the columns of the
# partial index ix_review_item_pending_rank, so pending items are read in order, never sorted.
QUEUE_ORDER = (ReviewItem.queue_rank, ReviewItem.created_at, ReviewItem.id)


def _claimable_by(moderator: User, now: datetime) -> ColumnElement[bool]:
    return or_(
        ReviewItem.claimed_by_id.is_(None),
        ReviewItem.claimed_by_id == moderator.id,
        ReviewItem.claimed_until < now,
    )


@dataclass(frozen=True)
class QueueFilter:
    forum_ids: Sequence[int]
    queue: ReviewQueue | None = None
    reason: str | None = None  # a reason code prefix, e.g. "crisis" or "identifier"


# Written into the SQL, not bound: a partial index on pending items serves only a statement whose
# condition is visibly its own (PostgreSQL's generic plans, SQLite's planner).
PENDING = ReviewItem.status == literal_column(f"'{ReviewStatus.PENDING.value}'")


def _pending(filters: QueueFilter, *, in_order: bool = False) -> list[ColumnElement[bool]]:
    # In order (of the queue, or of arrival), the forum is only checked (`+ 0`: not an index key):
    # SQLite's planner, without statistics, would rather find all the forum's pending items by the
    # forum's index and sort them, where the ordered index reads one page and stops.
    forum_id = ReviewItem.forum_id + 0 if in_order else ReviewItem.forum_id
    conditions = [PENDING, forum_id.in_(filters.forum_ids)]
    if filters.queue is not None:
        # The queue's band of ranks too, so one queue is read from the index without passing
        # every item of the queues before it.
        first = QUEUE_RANK[filters.queue] * 1000
        conditions += [
            ReviewItem.queue == filters.queue,
            ReviewItem.queue_rank.between(first, first + 999),
        ]
    return conditions


def _with_subjects() -> Any:
    """Items with their post and thread, their private message, or their screened text (outer
    joins: one of them)."""
    return (
        select(ReviewItem, Post, Thread, ConversationMessage, ScreenedText)
        .outerjoin(Post, Post.id == ReviewItem.post_id)
        .outerjoin(Thread, Thread.id == Post.thread_id)
        .outerjoin(ConversationMessage, ConversationMessage.id == ReviewItem.message_id)
        .outerjoin(ScreenedText, ScreenedText.id == ReviewItem.screened_text_id)
        # Where a message came from (the team, two buddies, a group's thread), in one more query.
        .options(selectinload(ConversationMessage.conversation))
    )


def _entries(session: Session, rows: Sequence[Any]) -> list[QueueEntry]:
    assessments = latest_assessments(session, [row[1].id for row in rows if row[1]])
    return [
        QueueEntry(item, post, thread, assessments.get(post.id) if post else None, message, text)
        for item, post, thread, message, text in rows
    ]


def pending_query(filters: QueueFilter, *, after: ReviewItem | None = None, limit: int) -> Any:
    """Pending items in the dashboard's order, from just after `after` (a keyset: the page costs
    the same however many items are open or how far on it is)."""
    query = _with_subjects().where(*_pending(filters, in_order=True)).order_by(*QUEUE_ORDER)
    if after is not None:
        query = query.where(
            tuple_(*QUEUE_ORDER) > tuple_(after.queue_rank, after.created_at, after.id)
        )
    return query.limit(limit)


@dataclass(frozen=True)
class QueuePage:
    entries: list[QueueEntry]
    next_after: int | None  # the last item shown, when more follow it


def pending_page(
    session: Session, filters: QueueFilter, *, after_id: int | None = None, limit: int = 50
) -> QueuePage:
    """A page of pending items, urgent first, then highest priority, then oldest."""
    after = session.get(ReviewItem, after_id) if after_id is not None else None
    if after is not None and after.forum_id not in filters.forum_ids:
        after = None  # another forum's item says nothing about where this page starts
    # A reason filter is applied to the rows read (reason codes are a JSON list), so it reads more.
    reading = limit * 4 if filters.reason else limit
    rows = session.execute(pending_query(filters, after=after, limit=reading + 1)).all()
    more, rows = len(rows) > reading, rows[:reading]
    shown = rows
    if filters.reason:
        shown = [r for r in rows if any(c.startswith(filters.reason) for c in r[0].reason_codes)]
    if len(shown) > limit:
        shown, last = shown[:limit], shown[limit - 1][0].id
    else:
        last = rows[-1][0].id if more else None
    return QueuePage(_entries(session, shown), last)


def urgent_count_query(user_id: Any) -> Any:
    """Urgent items waiting for this person, as a scalar subquery correlated with `user_id` (a
    value or a column), so it rides in the statement that loads the session: every staff page
    shows it in its title and a banner. It counts the Urgent queue of the forums they moderate
    (every forum for site admins and site-wide moderators), and items escalated to the
    safeguarding leads or clinical reviewers where they hold that role (every forum for admins):
    an escalated item still waits for a person, and these are the people who can act on it."""
    admin = User.site_role == SiteRole.ADMIN
    is_admin = exists().where(User.id == user_id, admin).correlate_except(User)
    everywhere = (
        exists()
        .where(User.id == user_id, or_(admin, User.site_moderator.is_(True)))
        .correlate_except(User)
    )

    def forums_holding(*roles: str) -> Any:
        conditions = [
            Membership.user_id == user_id,
            Membership.role == MembershipRole.MODERATOR,
            Membership.status == MembershipStatus.ACTIVE,
        ]
        if roles:
            conditions.append(or_(*(getattr(Membership, role).is_(True) for role in roles)))
        return select(Membership.forum_id).where(*conditions).correlate_except(Membership)

    in_urgent_queue = and_(
        ReviewItem.queue == ReviewQueue.URGENT,
        or_(everywhere, ReviewItem.forum_id.in_(forums_holding())),
    )
    escalated = [
        and_(
            ReviewItem.escalation == queue,
            or_(is_admin, ReviewItem.forum_id.in_(forums_holding(*roles))),
        )
        for queue, roles in ESCALATION_TAKEN_BY.items()
    ]
    return (
        select(func.count())
        .select_from(ReviewItem)
        .where(ReviewItem.status == ReviewStatus.PENDING, or_(in_urgent_queue, *escalated))
        .scalar_subquery()
    )


# Each queue's count stops here ("1000+"): counting reads at most this many index entries a queue,
# so the dashboard costs the same however many items are open.
COUNT_CAP = 1000


def queue_counts(session: Session, forum_ids: Sequence[int]) -> dict[ReviewQueue, int]:
    """Pending items in each queue, up to COUNT_CAP, in one statement."""

    def counted(queue: ReviewQueue) -> Any:
        first = (
            select(literal_column("1"))
            .where(PENDING, ReviewItem.forum_id.in_(forum_ids), ReviewItem.queue == queue)
            .limit(COUNT_CAP)
            .subquery()
        )
        return select(func.count()).select_from(first).scalar_subquery()

    row = session.execute(select(*(counted(queue) for queue in ReviewQueue))).one()
    return dict(zip(ReviewQueue, row, strict=True))


def newest_item_id(session: Session) -> int:
    """The newest item anywhere (through the primary key, at once): the live dashboard counts the
    items in the moderator's forums that arrive after it."""
    return session.scalar(select(func.max(ReviewItem.id))) or 0


def arrivals_since(session: Session, filters: QueueFilter, item_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ReviewItem)
            # Read from the primary key on (only the newest items), the forum checked on each.
            .where(*_pending(filters, in_order=True), ReviewItem.id > item_id)
        )
        or 0
    )


def get_entry(session: Session, item_id: int, forum_ids: Sequence[int]) -> QueueEntry | None:
    """An item only within the forums this moderator may see (no IDOR through the id)."""
    row = session.execute(
        _with_subjects().where(ReviewItem.id == item_id, ReviewItem.forum_id.in_(forum_ids))
    ).first()
    return _entries(session, [row])[0] if row is not None else None


def holds_claim(item: ReviewItem, moderator: User, now: datetime) -> bool:
    return (
        item.claimed_by_id == moderator.id
        and item.claimed_until is not None
        and item.claimed_until >= now
    )


def claimed_by_colleague(item: ReviewItem, moderator: User, now: datetime) -> bool:
    return (
        item.claimed_by_id is not None
        and item.claimed_by_id != moderator.id
        and item.claimed_until is not None
        and item.claimed_until >= now
    )


def claim(session: Session, item: ReviewItem, moderator: User) -> bool:
    """Claim an item, or keep one's own claim alive (every action on the item does); False when
    a colleague holds a live claim. Only ever called from a POST: reading an item claims nothing."""
    now = utcnow()
    since = item.claimed_at if holds_claim(item, moderator, now) else now
    statement = (
        update(ReviewItem)
        .where(
            ReviewItem.id == item.id,
            ReviewItem.status == ReviewStatus.PENDING,
            _claimable_by(moderator, now),
        )
        .values(
            claimed_by_id=moderator.id,
            claimed_at=since,
            claimed_until=now + claim_length(item),
        )
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    session.refresh(item)
    claimed = result.rowcount == 1
    if claimed and since == now:  # a new claim, not a keep-alive
        events.announce(session, events.ItemClaimed(item.id, item.forum_id, moderator.id))
    return claimed


def release(session: Session, item: ReviewItem, moderator: User) -> None:
    """Let go of one's claim (the moderator moved on without deciding)."""
    session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id, ReviewItem.claimed_by_id == moderator.id)
        .values(claimed_by_id=None, claimed_at=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    session.refresh(item)


def claimed_by_colleagues(session: Session, moderator: User, forum_ids: Sequence[int]) -> int:
    """Pending items colleagues are reviewing right now (so "the queue is clear" is never said
    while they are)."""
    now = utcnow()
    return (
        session.scalar(
            select(func.count())
            .select_from(ReviewItem)
            .where(
                ReviewItem.status == ReviewStatus.PENDING,
                ReviewItem.forum_id.in_(forum_ids),
                ReviewItem.claimed_by_id != moderator.id,
                ReviewItem.claimed_until >= now,
            )
        )
        or 0
    )


def next_entry(
    session: Session, moderator: User, filters: QueueFilter, *, after_id: int | None = None
) -> QueueEntry | None:
    """The next item this moderator can take: not decided, not being reviewed by a colleague."""
    now = utcnow()
    query = (
        select(ReviewItem.id)
        .where(*_pending(filters, in_order=True), _claimable_by(moderator, now))
        .order_by(*QUEUE_ORDER)
        .limit(1)
    )
    if after_id is not None:
        query = query.where(ReviewItem.id != after_id)
    item_id = session.scalar(query)
    return get_entry(session, item_id, filters.forum_ids) if item_id else None


@dataclass(frozen=True)
class Decision:
    action: DecisionAction
    reason: str | None = None  # shown to the author (reject), or kept in the record
    message: str | None = None  # an optional personal message to the author
    edited_body: str | None = None  # edit-then-approve
    escalate_to: User | None = None  # a named senior moderator, or None for the urgent queue
    # … or to the safeguarding leads or clinical reviewers (ESCALATION_QUEUES): alerted, recorded.
    escalate_queue: str | None = None


NEW_STATUS = {
    DecisionAction.APPROVE: ReviewStatus.APPROVED,
    DecisionAction.EDIT_APPROVE: ReviewStatus.APPROVED,
    DecisionAction.REJECT: ReviewStatus.REJECTED,
    DecisionAction.DISMISS: ReviewStatus.DISMISSED,
    DecisionAction.REMOVE: ReviewStatus.REMOVED,
}


# What a moderator may do with a screened text: mark it handled, escalate it, and take a goal
# down (hide it from the people it was shared with). Nothing there waits to be published.
TEXT_ACTIONS = frozenset({DecisionAction.DISMISS, DecisionAction.ESCALATE})
TAKE_DOWN_SOURCES = frozenset({TextSource.GOAL})


def actions_for_text(text: ScreenedText) -> frozenset[DecisionAction]:
    if text.source in TAKE_DOWN_SOURCES and text.source_id is not None:
        return TEXT_ACTIONS | {DecisionAction.REMOVE}
    return TEXT_ACTIONS


def decide(
    session: Session,
    entry: QueueEntry,
    moderator: User,
    decision: Decision,
    *,
    version: int | None = None,
) -> ModerationDecision:
    """Apply one moderator decision, exactly once, with its audit entry and the author told."""
    item, post = entry.item, entry.post
    if entry.text is not None and decision.action not in actions_for_text(entry.text):
        raise ValueError(f"{decision.action.value} does not apply to a screened text")
    queue_before = item.queue
    now = utcnow()
    conditions = [
        ReviewItem.id == item.id,
        ReviewItem.status == ReviewStatus.PENDING,
        _claimable_by(moderator, now),
    ]
    if version is not None:
        conditions.append(ReviewItem.version == version)
    if decision.action is DecisionAction.ESCALATE:
        values: dict[str, object] = {
            "version": ReviewItem.version + 1,
            "claimed_by_id": None,
            "claimed_at": None,
            "claimed_until": None,
        }
        if decision.escalate_queue is not None:
            values["escalation"] = decision.escalate_queue
        elif decision.escalate_to is None:
            values["queue"] = ReviewQueue.URGENT
            values["priority"] = case((ReviewItem.priority > 90, ReviewItem.priority), else_=90)
        else:
            values["escalated_to_id"] = decision.escalate_to.id
    else:
        values = {
            "status": NEW_STATUS[decision.action],
            "decided_at": now,
            "decided_by_id": moderator.id,
            "version": ReviewItem.version + 1,
        }
    result = cast(
        CursorResult[Any],
        session.execute(
            update(ReviewItem)
            .where(and_(*conditions))
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        session.refresh(item)
        if item.status is not ReviewStatus.PENDING:
            raise AlreadyDecided(item.decided_by.handle if item.decided_by else None)
        if claimed_by_colleague(item, moderator, now):
            raise ClaimedByColleague(
                item.claimed_by.handle if item.claimed_by else None, item.claimed_at
            )
        raise ItemChanged()
    seconds = None
    if item.claimed_by_id == moderator.id and item.claimed_at is not None:
        seconds = max(0, int((now - item.claimed_at).total_seconds()))
    session.refresh(item)
    # What the decision changes, kept so that undo can put it back.
    notice, before, body_before, edit = None, None, None, None
    if post is not None:
        edit = posts.pending_edit(session, post) if post.status is PostStatus.PUBLISHED else None
        before = post.status.value
        changes_words = decision.action is DecisionAction.EDIT_APPROVE or (
            edit is not None and decision.action is DecisionAction.APPROVE
        )
        body_before = post.body_source if changes_words else None
        notice = _apply_to_post(session, entry, decision)
        session.flush()  # the notice's id, kept so that undo can withdraw it
    elif entry.message is not None:
        before = entry.message.status.value
        _apply_to_message(session, entry, decision)
    machine_route = entry.machine_route
    target_type, target_id = entry.target
    record = ModerationDecision(
        post_id=post.id if post is not None else None,
        review_item_id=item.id,
        moderator_id=moderator.id,
        action=decision.action,
        reason=decision.reason,
        machine_route=machine_route,
        agreed_with_machine=_agreement(decision.action, machine_route),
        seconds_spent=seconds,
        post_status_before=before,
        body_before=body_before,
        edit_id=edit.id if edit is not None else None,
        author_notification_id=notice.id if notice is not None else None,
    )
    session.add(record)
    session.flush()
    if item.queue is ReviewQueue.URGENT and decision.action is not DecisionAction.ESCALATE:
        followups.schedule(session, item, record, entry.author)
    audit.record(
        session,
        actor_id=moderator.id,
        action=f"review.{decision.action.value}",
        target_type=target_type,
        target_id=target_id,
        forum_id=item.forum_id,
        review_item_id=item.id,
        decision_id=record.id,
        machine_route=machine_route,
        escalated_to=decision.escalate_to.id if decision.escalate_to else None,
        escalation=decision.escalate_queue,
    )
    if (
        entry.text is not None
        and entry.text.source_id is not None
        and decision.action is DecisionAction.REMOVE
    ):
        events.announce(
            session,
            events.TextTakenDown(
                entry.text.source.value,
                entry.text.source_id,
                item.forum_id,
                moderator.id,
                decision.reason or "",
                decision.message,
            ),
        )
    if decision.action is not DecisionAction.ESCALATE:
        events.announce(
            session,
            events.ItemDecided(item.id, item.forum_id, moderator.id, decision.action.value),
        )
    elif decision.escalate_queue is not None:
        events.announce(
            session,
            events.ItemNeedsAttention(
                item.id, item.forum_id, decision.escalate_queue, moderator.id
            ),
        )
        events.announce(
            session,
            events.ItemEscalated(
                item.id,
                item.forum_id,
                decision.escalate_queue,
                moderator.id,
                decision.reason or "",
                record.id,
            ),
        )
    elif item.queue is ReviewQueue.URGENT and queue_before is not ReviewQueue.URGENT:
        events.announce(
            session,
            events.ItemNeedsAttention(item.id, item.forum_id, item.queue.value, moderator.id),
        )
    return record


def _agreement(action: DecisionAction, machine_route: str | None) -> bool | None:
    """Whether the moderator agreed with the machine's route: the data calibration learns from."""
    if machine_route is None or action is DecisionAction.ESCALATE:
        return None
    machine_held = machine_route in ("hold", "urgent")
    human_held = action in (DecisionAction.REJECT, DecisionAction.REMOVE)
    return machine_held == human_held


def _apply_to_message(session: Session, entry: QueueEntry, decision: Decision) -> None:
    """A private message's item: approving delivers a held message, rejecting keeps it back;
    for the team's own conversations the decision only records that it was handled."""
    message = entry.message
    if message is None or decision.action is DecisionAction.ESCALATE:
        return
    if message.status is MessageStatus.HELD:
        if decision.action in (DecisionAction.APPROVE, DecisionAction.EDIT_APPROVE):
            message.status = MessageStatus.DELIVERED
            conversation = session.get(Conversation, message.conversation_id)
            if conversation is not None:
                conversation_gate.tell_recipients(session, conversation, message)
        elif decision.action in (DecisionAction.REJECT, DecisionAction.REMOVE):
            message.status = MessageStatus.REJECTED
    elif message.status is MessageStatus.DELIVERED and decision.action is DecisionAction.REMOVE:
        message.status = MessageStatus.REJECTED  # a reported message taken out of the conversation


def _apply_to_post(session: Session, entry: QueueEntry, decision: Decision) -> Notification | None:
    """Apply the decision to the post; returns the notice its author was sent, if any."""
    post, thread = entry.post, entry.thread
    assert post is not None and thread is not None
    action = decision.action
    if action is DecisionAction.ESCALATE:
        return None
    was_published = post.status is PostStatus.PUBLISHED
    edit = posts.pending_edit(session, post) if was_published else None
    if edit is not None and action is not DecisionAction.REMOVE:
        return _decide_edit(session, entry, decision, edit)
    if edit is not None:
        posts.discard_edit(session, edit)
    if action is DecisionAction.EDIT_APPROVE and decision.edited_body is not None:
        post.body_source = decision.edited_body
        post.body_html = render_markdown(decision.edited_body)
        search.index_post(session, post)  # only published posts are indexed
    if action in (DecisionAction.APPROVE, DecisionAction.EDIT_APPROVE):
        post.review_flag = False
        if post.status is not PostStatus.PUBLISHED:
            posts.publish(session, post)
    elif action is DecisionAction.REJECT:
        post.status = PostStatus.REJECTED
        post.rejection_reason = decision.reason
    elif action is DecisionAction.REMOVE:
        posts.unpublish(session, post, PostStatus.REMOVED)
        post.rejection_reason = decision.reason
    elif action is DecisionAction.DISMISS:
        post.review_flag = False
    _resolve_reports(session, entry, decision)
    return _tell_author(
        session,
        post,
        thread,
        decision,
        was_published=was_published,
        caring=entry.item.distressing or entry.item.queue is ReviewQueue.URGENT,
    )


def _decide_edit(
    session: Session, entry: QueueEntry, decision: Decision, edit: PostEdit
) -> Notification | None:
    """A published post's pending edit: approving applies it; rejecting keeps the published
    version. Returns the notice its author was sent, if any."""
    post, action = entry.post, decision.action
    assert post is not None and entry.thread is not None
    post.review_flag = False
    title = entry.thread.title
    if action in (DecisionAction.APPROVE, DecisionAction.EDIT_APPROVE):
        if action is DecisionAction.EDIT_APPROVE and decision.edited_body is not None:
            edit.body_source = decision.edited_body
            edit.body_html = render_markdown(decision.edited_body)
        posts.apply_edit(session, post, edit)
    elif action is DecisionAction.REJECT:
        posts.discard_edit(session, edit)
    else:
        posts.discard_edit(session, edit)
        return None
    return notifications.notify(
        session,
        post.author_id,
        "post.edit_decided",
        url=f"/posts/{post.id}",
        title=title,
        approved=action is not DecisionAction.REJECT,
        reason=decision.reason if action is DecisionAction.REJECT else None,
        message=decision.message,
    )


def _resolve_reports(session: Session, entry: QueueEntry, decision: Decision) -> None:
    reports = session.scalars(
        select(Report).where(Report.review_item_id == entry.item.id, Report.outcome.is_(None))
    ).all()
    upheld = decision.action in (
        DecisionAction.REMOVE,
        DecisionAction.REJECT,
        DecisionAction.EDIT_APPROVE,
    )
    for report in reports:
        report.outcome = "upheld" if upheld else "dismissed"
        notifications.notify(
            session,
            report.reporter_id,
            "report.outcome",
            url=f"/f/{entry.thread.forum.slug}/t/{entry.thread.id}" if entry.thread else "/",
            upheld=upheld,
        )


def _tell_author(
    session: Session,
    post: Post,
    thread: Thread,
    decision: Decision,
    *,
    was_published: bool,
    caring: bool = False,
) -> Notification | None:
    action = decision.action
    if action is DecisionAction.APPROVE and was_published:
        return None  # a report dismissed or a flag cleared is no news to the author
    if action not in (
        DecisionAction.APPROVE,
        DecisionAction.EDIT_APPROVE,
        DecisionAction.REJECT,
        DecisionAction.REMOVE,
    ):
        return None
    if caring and action in (DecisionAction.APPROVE, DecisionAction.EDIT_APPROVE):
        # A post that read as a crisis: not a bare "approved", but a word of care and where help is.
        return notifications.notify(
            session,
            post.author_id,
            "post.approve_caring",
            url=f"/posts/{post.id}",
            title=thread.title,
            is_thread=post.is_opening,
            resources=conversation_service.resources_line(thread.forum),
            message=decision.message,
        )
    return notifications.notify(
        session,
        post.author_id,
        f"post.{action.value}",
        url=f"/posts/{post.id}",
        title=thread.title,
        is_thread=post.is_opening,
        reason=decision.reason if action is not DecisionAction.APPROVE else None,
        message=decision.message,
    )


def report_post(
    session: Session, post: Post, forum: Forum, reporter: User, reason: str, note: str
) -> Report:
    """A member reports a published post: it joins the Reported queue (once per member)."""
    existing = session.scalar(
        select(Report).where(Report.post_id == post.id, Report.reporter_id == reporter.id)
    )
    if existing is not None:
        return existing
    item = queue_items.open_item(
        session,
        post,
        forum.id,
        ReviewQueue.REPORTED,
        priority=40,
        reason_codes=[f"report.{reason}"],
    )
    report = Report(
        post_id=post.id, reporter_id=reporter.id, reason=reason, note=note, review_item_id=item.id
    )
    session.add(report)
    session.flush()
    audit.record(
        session,
        actor_id=reporter.id,
        action="post.report",
        target_type="post",
        target_id=post.id,
        forum_id=forum.id,
        reason=reason,
    )
    return report

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow
from app.i18n import N_
from app.posts.models import Post


class PostAssessment(Base):
    """One run of the moderation engine over a post; a rescore adds a new row."""

    __tablename__ = "post_assessment"
    __table_args__ = (Index("ix_post_assessment_post_id_created_at", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scorer_name: Mapped[str] = mapped_column(String(64))
    scorer_version: Mapped[str] = mapped_column(String(128))
    route: Mapped[str] = mapped_column(String(16))  # publish / hold / urgent
    priority: Mapped[int] = mapped_column(default=0)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # [{"code": ..., "message": ..., "label": ..., "spans": [[start, end], ...]}]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    review_flag: Mapped[bool] = mapped_column(default=False)
    needs_clinical_review: Mapped[bool] = mapped_column(default=False)


class DecisionAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    EDIT_APPROVE = "edit_approve"
    ESCALATE = "escalate"
    DISMISS = "dismiss"  # a report or flag that needs no action
    REMOVE = "remove"  # take down a published post


class ModerationDecision(Base):
    __tablename__ = "moderation_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None when the item was a private message (the item names its conversation).
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), index=True
    )
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[DecisionAction] = mapped_column(enum_column(DecisionAction, "decision_action"))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    # The machine's route at decision time, and whether the human agreed (calibration data).
    review_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_item.id", ondelete="SET NULL"), default=None
    )
    # Seconds from opening (claiming) the item to deciding it: the moderator's shift figures.
    seconds_spent: Mapped[int | None] = mapped_column(default=None)
    machine_route: Mapped[str | None] = mapped_column(String(16), default=None)
    agreed_with_machine: Mapped[bool | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The notice the author was sent: withdrawn if still unread when the decision is undone.
    # (No foreign key: a notification the member cleared away leaves nothing to withdraw.)
    author_notification_id: Mapped[int | None] = mapped_column(default=None)
    # The post's status before the decision ("edit" when it decided an author's edit), or the
    # private message's: undoing puts it back.
    post_status_before: Mapped[str | None] = mapped_column(String(32), default=None)
    # The post's words before the decision changed them (edit-then-approve, an approved edit),
    # and the author's edit it decided: undoing restores both.
    body_before: Mapped[str | None] = mapped_column(Text, default=None)
    edit_id: Mapped[int | None] = mapped_column(
        ForeignKey("post_edit.id", ondelete="SET NULL"), default=None
    )
    undone_at: Mapped[datetime | None] = mapped_column(default=None)

    moderator: Mapped[User] = relationship()


# A decision can be taken back for this long: a slip of the finger is put right before it matters.
UNDO_WINDOW = timedelta(minutes=10)


class TextSource(StrEnum):
    """Where a screened text was written (shown on the moderator's card)."""

    GOAL = "goal"
    BUDDY_REQUEST = "buddy_request"  # what the member hopes a buddy will bring
    COHORT_PROMPT = "cohort_prompt"  # a group's weekly check-in prompt


class ScreenedText(Base):
    """Something a member wrote outside posts and messages (a goal, what they hope for from a
    buddy, a group's check-in prompt) that the assessment sent to a person. The words are kept
    as written, with where they came from, so the queue can show them and nothing else needs to
    know about the review queue."""

    __tablename__ = "screened_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[TextSource] = mapped_column(enum_column(TextSource, "text_source"))
    # The goal's, request's or group's id (no foreign key: it names one of several tables).
    source_id: Mapped[int | None] = mapped_column(default=None)
    body_source: Mapped[str] = mapped_column(Text)
    route: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    scorer_name: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class ReviewQueue(StrEnum):
    URGENT = "urgent"  # the crisis route: always shown first
    HELD = "held"  # pre-moderated or flagged by the assessment
    REPORTED = "reported"  # published posts that members reported
    UNREVIEWED = (
        "unreviewed"  # published, still to be looked at (post-moderation, low-priority flags)
    )


# The order moderators see queues in; the dashboard sorts by this, then by priority.
QUEUE_RANK = {
    ReviewQueue.URGENT: 0,
    ReviewQueue.HELD: 1,
    ReviewQueue.REPORTED: 2,
    ReviewQueue.UNREVIEWED: 3,
}


# Where an item stands in the queue, lower first: its queue's rank (QUEUE_RANK) in thousands, then
# its priority (0..100) highest first. Computed by the database (stored on PostgreSQL, virtual on
# SQLite), so the dashboard reads pending items in order straight from a partial index, however
# many are open, and pages on by keyset.
QUEUE_RANK_SQL = (
    "CASE queue WHEN 'urgent' THEN 0 WHEN 'held' THEN 1000 WHEN 'reported' THEN 2000 ELSE 3000 END"
    " + 100 - priority"
)


# A claim keeps colleagues off an item while one moderator reads it. An urgent item's claim lapses
# after a minute without activity (the open card keeps it alive while its moderator works), so an
# idle claim can never hide a person in crisis; other items are held for five minutes.
CLAIM_LENGTH = timedelta(minutes=5)
URGENT_CLAIM_IDLE = timedelta(seconds=60)


def is_urgent(item: ReviewItem) -> bool:
    """In the Urgent queue, or escalated to the safeguarding leads or clinical reviewers: either
    way a person may be waiting, so it is counted in staff's banner and its claim lapses fast."""
    return item.queue is ReviewQueue.URGENT or item.escalation is not None


def claim_length(item: ReviewItem) -> timedelta:
    return URGENT_CLAIM_IDLE if is_urgent(item) else CLAIM_LENGTH


# Where "Escalate" sends an item, beside its queue: the forum's safeguarding leads or its clinical
# reviewers (who are alerted), with a safeguarding record (app/cases).
ESCALATION_QUEUES = {
    "safeguarding": N_("Safeguarding leads"),
    "clinical": N_("Clinical reviewers"),
}
# Who takes an item escalated to each queue: the forum's moderators holding one of these
# safeguarding roles (and site admins). Their alert, banner count and safeguarding page follow this.
ESCALATION_TAKEN_BY: dict[str, tuple[str, ...]] = {
    "safeguarding": ("safeguarding_lead",),
    "clinical": ("clinically_trained", "safeguarding_lead"),
}


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # published (or kept published)
    REJECTED = "rejected"  # not published; the author is told why
    DISMISSED = "dismissed"  # a report or review flag needed no action
    REMOVED = "removed"  # a published post taken down


class ReviewItem(Base):
    """One thing on a moderator's queue: a post, or a private conversation whose latest message
    needs a moderator, with every signal about it (cf. Discourse's Reviewable).

    Concurrency lives in the database: claiming and deciding are conditional UPDATEs on this row,
    so two moderators can never decide the same item.
    """

    __tablename__ = "review_item"
    __table_args__ = (
        Index("ix_review_item_forum_id_status_queue", "forum_id", "status", "queue"),
        # The dashboard's order over pending items only (decided items never slow it down); the
        # forum rides along so SQLite skips other forums' items without reading their rows.
        Index(
            "ix_review_item_pending_rank",
            "queue_rank",
            "created_at",
            "id",
            "forum_id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # At most one open item per post: new signals join it.
        Index(
            "uq_review_item_post_id_pending",
            "post_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index(
            "uq_review_item_conversation_id_pending",
            "conversation_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        CheckConstraint(
            "post_id IS NOT NULL OR conversation_id IS NOT NULL OR screened_text_id IS NOT NULL",
            name="names_its_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    # A private conversation's item: the message that raised it is `message_id`.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), default=None
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_message.id", ondelete="SET NULL"), default=None
    )
    # Or something written outside posts and messages (a goal, a buddy request…).
    screened_text_id: Mapped[int | None] = mapped_column(
        ForeignKey("screened_text.id", ondelete="CASCADE"), default=None, index=True
    )
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    queue: Mapped[ReviewQueue] = mapped_column(enum_column(ReviewQueue, "review_queue"))
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status"), default=ReviewStatus.PENDING
    )
    priority: Mapped[int] = mapped_column(default=0)
    queue_rank: Mapped[int] = mapped_column(Computed(QUEUE_RANK_SQL))
    reason_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Crisis and self-harm items are blurred until a moderator chooses to read them.
    distressing: Mapped[bool] = mapped_column(default=False)
    needs_clinical_review: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    # Since when the claim has been held (others see who and for how long), and when it lapses.
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    # Escalated to the safeguarding leads or the clinical reviewers (ESCALATION_QUEUES), or None.
    escalation: Mapped[str | None] = mapped_column(String(16), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    version: Mapped[int] = mapped_column(default=1)

    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    escalated_to: Mapped[User | None] = relationship(foreign_keys=[escalated_to_id])


class Report(Base):
    """A member's report of a published post."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_item.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)


class ModeratorNote(Base):
    """Private notes moderators keep about a member, per forum; members never see them."""

    __tablename__ = "moderator_note"
    __table_args__ = (Index("ix_moderator_note_forum_id_subject_id", "forum_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id])


class SanctionKind(StrEnum):
    WARNING = "warning"  # must be acknowledged on the next visit
    MUTE = "mute"  # can read, cannot post
    SUSPENSION = "suspension"  # cannot sign in to the forum(s)
    BAN = "ban"  # removed for good


# How a sanction is named in a sentence ("A moderator gave you ...").
SANCTION_WORDS = {
    SanctionKind.WARNING: N_("a warning"),
    SanctionKind.MUTE: N_("a mute (you can read but not post)"),
    SanctionKind.SUSPENSION: N_("a suspension"),
    SanctionKind.BAN: N_("a ban"),
}


class Sanction(Base):
    """A sanction on a member, in one forum or (forum_id null) the whole site."""

    __tablename__ = "sanction"
    __table_args__ = (Index("ix_sanction_user_id_forum_id", "user_id", "forum_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    kind: Mapped[SanctionKind] = mapped_column(enum_column(SanctionKind, "sanction_kind"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    lifted_at: Mapped[datetime | None] = mapped_column(default=None)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])


class AppealStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the sanction stands
    OVERTURNED = "overturned"  # the sanction is lifted


class Appeal(Base):
    """A member's one appeal against a sanction, reviewed by a moderator who did not impose it."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    sanction_id: Mapped[int] = mapped_column(
        ForeignKey("sanction.id", ondelete="CASCADE"), unique=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[AppealStatus] = mapped_column(
        enum_column(AppealStatus, "appeal_status"), default=AppealStatus.PENDING
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    response: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)

    sanction: Mapped[Sanction] = relationship()


class PostAppeal(Base):
    """An author's one appeal against their rejected post, reviewed by a moderator other than the
    one who rejected it."""

    __tablename__ = "post_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), unique=True)
    # The rejection appealed against (its moderator may not review the appeal).
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_decision.id", ondelete="SET NULL"), default=None
    )
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[AppealStatus] = mapped_column(
        enum_column(AppealStatus, "appeal_status"), default=AppealStatus.PENDING
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    response: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)

    decision: Mapped[ModerationDecision | None] = relationship()
    post: Mapped[Post] = relationship()


class FollowUp(Base):
    """After an urgent item is decided, a reminder to look in on its author again: has the
    author posted since, replied to the team's message? Shown on the dashboard until done."""

    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_forum_id_done_at_due_at", "forum_id", "done_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_item.id", ondelete="CASCADE"))
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_decision.id", ondelete="CASCADE"), default=None
    )
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # The moderator who decided (it is theirs first; any moderator of the forum can do it).
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    moderator: Mapped[User] = relationship(foreign_keys=[moderator_id])


class ModeratorWellbeing(Base):
    """A moderator's own settings for reading hard things: blur distressing posts until chosen,
    and when the dashboard suggests a break (after so many crisis items, or so many minutes)."""

    __tablename__ = "moderator_wellbeing"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    blur_distressing: Mapped[bool] = mapped_column(default=True)
    break_after_crisis_items: Mapped[int] = mapped_column(default=5)
    break_after_minutes: Mapped[int] = mapped_column(default=90)


class ModeratorShift(Base):
    """A stretch of moderating: started by the moderator (or by their first decision), ended when
    they stop or take a break. The dashboard's shift timer and break suggestion count from it."""

    __tablename__ = "moderator_shift"
    __table_args__ = (Index("ix_moderator_shift_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)

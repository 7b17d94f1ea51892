from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow
from app.forums.models import Forum
from app.i18n import N_


class PostStatus(StrEnum):
    AWAITING_ASSESSMENT = "awaiting_assessment"
    # Assessed, and waiting for its author to confirm their email address before it is published
    # or queued (a post that suggests a crisis goes to the urgent queue at once instead).
    AWAITING_VERIFICATION = "awaiting_verification"
    HELD = "held"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"


class Thread(Base):
    __tablename__ = "thread"
    __table_args__ = (
        # The forum page lists published threads by latest activity (keyset pagination).
        Index("ix_thread_forum_id_last_activity_at_id", "forum_id", "last_activity_at", "id"),
        # The viewer's own threads still waiting for a moderator, shown at the top of the forum.
        Index(
            "ix_thread_author_id_unpublished",
            "author_id",
            "forum_id",
            sqlite_where=text("published_at IS NULL"),
            postgresql_where=text("published_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the opening post is published; until then only its author and moderators see it.
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply_count: Mapped[int] = mapped_column(default=0)

    forum: Mapped[Forum] = relationship()
    author: Mapped[User] = relationship()


class Post(Base):
    __tablename__ = "post"
    __table_args__ = (
        Index("ix_post_thread_id_status_created_at", "thread_id", "status", "created_at"),
        # A thread's page in reading order (the signed-in viewer also sees their own held posts,
        # so not partial on status): an index range scan, however large the table.
        Index("ix_post_thread_id_created_at_id", "thread_id", "created_at", "id"),
        Index("ix_post_status_created_at", "status", "created_at"),
        # An author's posts newest first (the moderator's view of their history), without sorting
        # all of a prolific author's posts.
        Index("ix_post_author_id_created_at", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    is_opening: Mapped[bool] = mapped_column(default=False)
    body_source: Mapped[str] = mapped_column(Text)
    # Rendered once, at write time, from markdown and sanitised: templates never re-render.
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[PostStatus] = mapped_column(
        enum_column(PostStatus, "post_status"), default=PostStatus.AWAITING_ASSESSMENT
    )
    # A published post that a moderator should still look at (venting, post-moderation).
    review_flag: Mapped[bool] = mapped_column(default=False)
    # What the author is told when a moderator rejects the post.
    rejection_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(lazy="joined")


class EditStatus(StrEnum):
    AWAITING_ASSESSMENT = "awaiting_assessment"  # saved; the gate has not looked at it yet
    PENDING = "pending"  # waiting for a moderator; the published version stays meanwhile
    APPLIED = "applied"
    DISCARDED = "discarded"


class PostEdit(Base):
    """An author's edit of a published post, kept apart until it passes the moderation gate."""

    __tablename__ = "post_edit"
    __table_args__ = (Index("ix_post_edit_post_id_status", "post_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[EditStatus] = mapped_column(
        enum_column(EditStatus, "edit_status"), default=EditStatus.AWAITING_ASSESSMENT
    )
    # The edit changes the post's pictures: its own set (post_picture.edit_id) replaces them.
    replaces_pictures: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReactionKind(StrEnum):
    THANKS = "thanks"
    SUPPORT = "support"
    ME_TOO = "me_too"


REACTION_LABELS = {
    ReactionKind.THANKS: N_("Thank you"),
    ReactionKind.SUPPORT: N_("Sending support"),
    ReactionKind.ME_TOO: N_("Me too"),
}


class Reaction(Base):
    """Peer-support reactions instead of likes: thank you, sending support, me too."""

    __tablename__ = "reaction"
    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[ReactionKind] = mapped_column(enum_column(ReactionKind, "reaction_kind"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

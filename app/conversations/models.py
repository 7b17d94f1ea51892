"""Private conversations: one model for a member and their forum's moderation team, and (later)
members one to one. Who may read a conversation is decided by its participants and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, enum_column
from app.db import Base, utcnow
from app.forums.models import Forum


class ConversationKind(StrEnum):
    MODERATION = "moderation"  # a member and the forum's moderation team
    PEER = "peer"  # two members (buddying builds on this)
    COHORT = "cohort"  # a thread in a cohort's private space (read by the cohort, see app/cohorts)


class ParticipantRole(StrEnum):
    MEMBER = "member"  # the member the moderation team is talking with
    MODERATION_TEAM = "moderation_team"  # every moderator of the forum, as one party (no user)
    MODERATOR = "moderator"  # a moderator who has written, for their own read marker
    PEER = "peer"  # one of two members talking one to one


# Roles whose holder is a member: staff reading what such a participant wrote is audited.
MEMBER_ROLES = (ParticipantRole.MEMBER, ParticipantRole.PEER)


class MessageStatus(StrEnum):
    AWAITING_ASSESSMENT = "awaiting_assessment"  # saved; the gate has not read it yet
    DELIVERED = "delivered"  # the other participants can read it
    HELD = "held"  # waiting for a moderator before the other participant sees it
    REJECTED = "rejected"  # a moderator decided it is not delivered


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (
        Index("ix_conversation_forum_id_last_message_at", "forum_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConversationKind] = mapped_column(
        enum_column(ConversationKind, "conversation_kind")
    )
    # The forum whose team (and policy) looks after it: its moderators read it, its policy assesses it.
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who wrote last was the member: the team owes a reply (the team inbox sorts by it).
    awaiting_team: Mapped[bool] = mapped_column(default=False)
    # The page the conversation belongs to (a buddy pairing), linked from the conversation.
    about_url: Mapped[str | None] = mapped_column(String(200), default=None)
    # A closed conversation stays readable by its participants but takes no new messages.
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # A cohort's thread: who reads it is the cohort's rule, not the participants'.
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), default=None, index=True
    )
    title: Mapped[str | None] = mapped_column(String(120), default=None)

    forum: Mapped[Forum] = relationship(lazy="joined")
    participants: Mapped[list[ConversationParticipant]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", lazy="selectin"
    )

    def participant(self, user_id: int) -> ConversationParticipant | None:
        return next((p for p in self.participants if p.user_id == user_id), None)

    @property
    def members(self) -> list[User]:
        """The members in it (the people the team looks after, or the two peers)."""
        return [p.user for p in self.participants if p.role in MEMBER_ROLES and p.user]

    @property
    def member(self) -> User | None:
        """The first member in it: the one the team talks with, in a moderation conversation."""
        members = self.members
        return members[0] if members else None

    @property
    def has_team(self) -> bool:
        return any(p.role is ParticipantRole.MODERATION_TEAM for p in self.participants)


class ConversationParticipant(Base):
    __tablename__ = "conversation_participant"
    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id"),
        Index("ix_conversation_participant_user_id_role", "user_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    # None for the moderation team, which is the forum's moderators as one party.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), default=None
    )
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole, "participant_role"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_read_at: Mapped[datetime | None] = mapped_column(default=None)

    conversation: Mapped[Conversation] = relationship(back_populates="participants")
    user: Mapped[User | None] = relationship(lazy="joined")


class ConversationMessage(Base):
    """One message. A member's goes through the same assessment as a post before anyone relies on
    it; the assessment's route and reasons are kept beside it (codes and spans, not copies)."""

    __tablename__ = "conversation_message"
    __table_args__ = (
        Index(
            "ix_conversation_message_conversation_id_created_at", "conversation_id", "created_at"
        ),
        Index("ix_conversation_message_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # Written by a moderator on behalf of the forum's team (members see "the moderation team").
    from_team: Mapped[bool] = mapped_column(default=False)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus, "message_status"), default=MessageStatus.AWAITING_ASSESSMENT
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    route: Mapped[str | None] = mapped_column(String(16), default=None)  # publish / hold / urgent
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    scorer_name: Mapped[str | None] = mapped_column(String(64), default=None)

    author: Mapped[User] = relationship(lazy="joined")
    conversation: Mapped[Conversation] = relationship()

    @property
    def has_identifiers(self) -> bool:
        """The assessment found details that could identify someone (the sender is told)."""
        return any(str(r.get("code", "")).startswith("identifier.") for r in self.reasons or [])


class MessageTemplate(Base):
    """A forum's starting points for reaching out (an admin edits them); {resources} becomes the
    forum's crisis resources when a moderator picks one."""

    __tablename__ = "message_template"
    __table_args__ = (Index("ix_message_template_forum_id_position", "forum_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

"""Every model, imported in dependency order so the metadata is complete (Alembic, tests)."""

from app.accounts.models import AccountStatus, MemberMute, SiteRole, User, UserSession
from app.audit.models import AuditEvent
from app.db import Base
from app.forums.models import (
    Forum,
    ForumPolicy,
    Invite,
    JoinPolicy,
    Membership,
    MembershipRole,
    MembershipStatus,
    ModerationMode,
    Visibility,
    WatchedWord,
    WatchedWordAction,
)
from app.moderation_queue.models import (
    Appeal,
    AppealStatus,
    DecisionAction,
    ModerationDecision,
    ModeratorNote,
    PostAssessment,
    Report,
    ReviewItem,
    ReviewQueue,
    ReviewStatus,
    Sanction,
    SanctionKind,
)
from app.notifications.models import Notification
from app.posts.models import EditStatus, Post, PostEdit, PostStatus, Thread

__all__ = [
    "AccountStatus",
    "Appeal",
    "AppealStatus",
    "AuditEvent",
    "Base",
    "DecisionAction",
    "EditStatus",
    "Forum",
    "ForumPolicy",
    "Invite",
    "JoinPolicy",
    "MemberMute",
    "Membership",
    "MembershipRole",
    "MembershipStatus",
    "ModerationDecision",
    "ModerationMode",
    "ModeratorNote",
    "Notification",
    "Post",
    "PostAssessment",
    "PostEdit",
    "PostStatus",
    "Report",
    "ReviewItem",
    "ReviewQueue",
    "ReviewStatus",
    "Sanction",
    "SanctionKind",
    "SiteRole",
    "Thread",
    "User",
    "UserSession",
    "Visibility",
    "WatchedWord",
    "WatchedWordAction",
]

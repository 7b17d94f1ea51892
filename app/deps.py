"""Named dependencies: a route's signature reads like its permission rule."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.clock import Clock
from app.config import Settings
from app.db import begin_write, run_unit_of_work
from app.errors import NotAuthenticated, ReauthenticationNeeded, WarningToAcknowledge
from app.forums import service as forums
from app.forums.models import Forum
from app.forums.service import ForumAccess
from app.i18n import _
from app.moderation_queue import sanctions
from app.moderation_queue.worker import Assessments
from app.notifications import service as notifications
from app.ratelimit import RateLimiter
from app.security import SAFE_METHODS, SESSION_COOKIE


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessions()
    if request.method not in SAFE_METHODS:
        begin_write(session)
    yield from run_unit_of_work(session)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the commit, and the work released after it, finish before the response is sent.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def get_limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter


def get_assessments(request: Request) -> Assessments:
    return request.app.state.assessments


def get_clock(request: Request) -> Clock:
    return request.app.state.clock


LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
ClockDep = Annotated[Clock, Depends(get_clock)]
AssessmentsDep = Annotated[Assessments, Depends(get_assessments)]


# Pages a member with an unread warning can still open (to read and acknowledge it).
WARNING_FREE_PATHS = ("/account", "/notifications", "/logout", "/static")


def session_lookup(
    request: Request, db: SessionDep, settings: SettingsDep
) -> accounts.SessionLookup:
    lookup = accounts.resolve_session(db, request.cookies.get(SESSION_COOKIE), settings)
    user = lookup.record.user if lookup.record else None
    request.state.user = user
    # A plain snapshot for templates: error pages render after a rollback has expired the ORM user.
    request.state.viewer = (
        Viewer(
            id=user.id,
            handle=user.handle,
            is_admin=user.is_admin,
            email_verified=user.email_verified,
            unread_notifications=notifications.unread_count(db, user.id),
        )
        if user
        else None
    )
    request.state.user_session = lookup.record
    request.scope["state"]["signed_in"] = lookup.record is not None
    if (
        user is not None
        and request.method == "GET"
        and not request.url.path.startswith(WARNING_FREE_PATHS)
        and sanctions.unacknowledged_warning(db, user.id) is not None
    ):
        raise WarningToAcknowledge()
    return lookup


@dataclass(frozen=True)
class Viewer:
    id: int
    handle: str
    is_admin: bool
    email_verified: bool = True
    unread_notifications: int = 0


SessionLookupDep = Annotated[accounts.SessionLookup, Depends(session_lookup)]


def optional_user(lookup: SessionLookupDep) -> User | None:
    return lookup.record.user if lookup.record else None


def current_user(lookup: SessionLookupDep) -> User:
    if lookup.record is None:
        raise NotAuthenticated(expired=lookup.expired)
    return lookup.record.user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]


def recently_authenticated(
    request: Request, user: CurrentUser, settings: SettingsDep, clock: ClockDep
) -> User:
    """The member, who proved it was them on this device in the last few minutes."""
    if not accounts.recently_authenticated(
        request.state.user_session, clock.now(), settings.reauthentication_minutes
    ):
        raise ReauthenticationNeeded()
    return user


RecentlyAuthenticated = Annotated[User, Depends(recently_authenticated)]


def forum_or_404(db: SessionDep, slug: Annotated[str, Path(max_length=64)]) -> Forum:
    forum = forums.get_by_slug(db, slug)
    if forum is None:
        raise HTTPException(404, _("There is no forum at this address."))
    return forum


ForumDep = Annotated[Forum, Depends(forum_or_404)]


def forum_access(db: SessionDep, forum: ForumDep, user: OptionalUser) -> ForumAccess:
    return forums.access(db, forum, user)


def readable_forum(access: Annotated[ForumAccess, Depends(forum_access)]) -> ForumAccess:
    if not access.can_read:
        raise HTTPException(
            403,
            _("Only members of {forum} can read its threads. You can ask to join.").format(
                forum=access.forum.name
            ),
        )
    return access


def postable_forum(
    user: CurrentUser, access: Annotated[ForumAccess, Depends(forum_access)]
) -> ForumAccess:
    if not access.can_post:
        raise HTTPException(
            403, _("Only members of {forum} can post here.").format(forum=access.forum.name)
        )
    return access


def moderated_forum(
    user: CurrentUser, access: Annotated[ForumAccess, Depends(forum_access)]
) -> ForumAccess:
    if not access.can_moderate:
        raise HTTPException(
            403, _("Only moderators of {forum} can see this page.").format(forum=access.forum.name)
        )
    return access


ForumAccessDep = Annotated[ForumAccess, Depends(forum_access)]
ReadableForum = Annotated[ForumAccess, Depends(readable_forum)]
PostableForum = Annotated[ForumAccess, Depends(postable_forum)]
ModeratedForum = Annotated[ForumAccess, Depends(moderated_forum)]


@dataclass(frozen=True)
class ModeratorScope:
    """A moderator and the forums they moderate (every forum for a site admin)."""

    user: User
    forums: Sequence[Forum]

    @property
    def forum_ids(self) -> list[int]:
        return [f.id for f in self.forums]

    def forum(self, slug: str | None) -> Forum | None:
        return next((f for f in self.forums if f.slug == slug), None)


def moderator_scope(db: SessionDep, user: CurrentUser) -> ModeratorScope:
    moderated = forums.moderated_forums(db, user)
    if not moderated:
        raise HTTPException(403, _("Only moderators can see the review queue."))
    return ModeratorScope(user=user, forums=moderated)


Moderator = Annotated[ModeratorScope, Depends(moderator_scope)]

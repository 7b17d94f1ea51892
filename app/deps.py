"""Named dependencies: a route's signature reads like its permission rule.

The authorisation policy lives here, in one place: each route names what it needs by the
dependency it takes, and `NEEDS` says which dependency is which need. Object-level rules (your own
post, an item in a forum you moderate) are checked by loading the object through that scope, so an
id from elsewhere is simply not found. tests/test_authorisation.py requests every route as every
kind of visitor and checks the need each route names against what actually happens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import BackgroundTasks, Depends, Form, HTTPException, Path, Query, Request
from sqlalchemy.orm import Session

from app import clock as app_clock
from app.accounts import service as accounts
from app.accounts import two_factor
from app.accounts.models import User, UserSession
from app.admin import site_settings
from app.clock import Clock
from app.config import Settings
from app.conversations import service as conversations
from app.db import DatabaseBusy, mark_read_only, run_unit_of_work, write_transaction
from app.errors import (
    NotAuthenticated,
    ReauthenticationNeeded,
    SignInStepNeeded,
    WarningToAcknowledge,
)
from app.forms import service as forms
from app.forms.views import FormSubmission
from app.forums import service as forums
from app.forums.models import Forum
from app.forums.service import ForumAccess
from app.i18n import _
from app.moderation_queue import sanctions
from app.moderation_queue import service as review_queue
from app.moderation_queue.worker import Assessments
from app.notifications import service as notifications
from app.ratelimit import RateLimiter
from app.security import SAFE_METHODS, SESSION_COOKIE

logger = logging.getLogger(__name__)


# Every id a route takes is bounded to what both databases store (PostgreSQL's integer; SQLite's
# is 64-bit): a larger one is simply not found (404), never an overflow (500).
MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=0, le=MAX_ID)]
Slug = Annotated[str, Path(max_length=64)]
Handle = Annotated[str, Path(max_length=64)]
Token = Annotated[str, Path(max_length=128)]


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    # No BEGIN IMMEDIATE here: a request's reads (and its slow checks) hold no lock; its first
    # write takes SQLite's write lock (app/db.py).
    session: Session = request.app.state.sessions()
    if request.method in SAFE_METHODS:
        mark_read_only(session, f"{request.method} {request.url.path}")
    yield from run_unit_of_work(session)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the commit, and the work released after it, finish before the response is sent.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def get_limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter


def get_assessments(request: Request) -> Assessments:
    return request.app.state.assessments


def get_clock() -> Clock:
    return app_clock.current()


LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
ClockDep = Annotated[Clock, Depends(get_clock)]
AssessmentsDep = Annotated[Assessments, Depends(get_assessments)]


# Pages a member with an unread warning can still open (to read and acknowledge it).
WARNING_FREE_PATHS = ("/account", "/notifications", "/logout", "/static")
# What staff who must set up two-factor sign-in can still reach before they have.
SETUP_PATHS = ("/account/two-factor", "/account/confirm", "/logout", "/static", "/privacy")
# What a member who has not yet consented to Harbour holding health information can reach: the
# notice, the consent page, and (if they would rather go) their data and account deletion.
CONSENT_PATHS = (*SETUP_PATHS, "/account/consent", "/account/export", "/account/delete")


Found = TypeVar("Found")


def found_or_404(thing: Found | None, message: str) -> Found:
    """A load-or-404 step: the object, or "not found" (also for someone it is not shown to, so
    an id never tells an outsider that a pairing, group or goal exists)."""
    if thing is None:
        raise HTTPException(404, message)
    return thing


def after_response(background: BackgroundTasks, work: Callable[[], None]) -> None:
    """Run `work` once the response has been sent, in its own short transaction: what a page
    view records (last seen, read up to here) never holds up the page, never makes a read
    request write, and never fails it."""
    background.add_task(_quietly, work)


def _quietly(work: Callable[[], None]) -> None:
    try:
        work()
    except DatabaseBusy:
        logger.info("skipped %s: the database was busy", getattr(work, "__name__", work))
    except Exception:
        logger.exception("after-response work failed: %s", getattr(work, "__name__", work))


def _touch_later(request: Request, background: BackgroundTasks, session_id: int) -> None:
    """Refresh last_seen_at after the response; many requests of one session ask once."""
    touched: dict[int, float] = request.app.state.session_touches
    now = time.monotonic()
    if now - touched.get(session_id, -1e9) < accounts.SESSION_TOUCH_INTERVAL.total_seconds():
        return
    if len(touched) > 10_000:
        touched.clear()
    touched[session_id] = now
    sessions = request.app.state.sessions

    def touch_session() -> None:
        with write_transaction(sessions) as db:
            accounts.touch_session(db, session_id)

    after_response(background, touch_session)


def session_lookup(
    request: Request, db: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> accounts.SessionLookup:
    # The session, its member, the header's counts and the unread-warning check: one statement.
    member = UserSession.user_id
    lookup = accounts.resolve_session(
        db,
        request.cookies.get(SESSION_COOKIE),
        settings,
        extra=(
            notifications.unread_count_query(member),
            conversations.unread_for_member_query(member),
            sanctions.unacknowledged_warning_query(member),
            review_queue.urgent_count_query(member),
            site_settings.staff_two_factor_choice(),
        ),
    )
    if lookup.needs_touch and lookup.record is not None:
        _touch_later(request, background, lookup.record.id)
    user = lookup.record.user if lookup.record else None
    request.state.user = user
    request.state.user_session = lookup.record
    request.scope["state"]["signed_in"] = lookup.record is not None
    if user is None:
        request.state.viewer = None
        return lookup
    unread_notifications, unread_messages, warned, urgent_items, staff_two_factor = lookup.extra
    # A plain snapshot for templates: error pages render after a rollback has expired the ORM user.
    request.state.viewer = Viewer(
        id=user.id,
        handle=user.handle,
        is_admin=user.is_admin,
        email_verified=user.email_verified,
        unread_notifications=unread_notifications or 0,
        unread_messages=unread_messages or 0,
        urgent_items=urgent_items or 0,
    )
    required_of_staff = site_settings.staff_two_factor_required(staff_two_factor, settings)
    if not request.url.path.startswith(SETUP_PATHS) and two_factor.setup_needed(
        db, user, required_of_staff
    ):
        raise SignInStepNeeded(
            "/account/two-factor",
            _(
                "Moderators and admins sign in with a code from an authenticator app as well as "
                "their password. Set it up to continue; nothing else has been changed."
            ),
        )
    if user.consented_at is None and not request.url.path.startswith(CONSENT_PATHS):
        raise SignInStepNeeded(
            "/account/consent",
            _(
                "Before you go on, please read how Harbour looks after your information and "
                "say whether you agree. Nothing has been changed."
            ),
        )
    if warned and request.method == "GET" and not request.url.path.startswith(WARNING_FREE_PATHS):
        raise WarningToAcknowledge()
    return lookup


@dataclass(frozen=True)
class Viewer:
    id: int
    handle: str
    is_admin: bool
    email_verified: bool = True
    unread_notifications: int = 0
    unread_messages: int = 0
    # Urgent items waiting in the forums this person moderates (0 for members).
    urgent_items: int = 0


SessionLookupDep = Annotated[accounts.SessionLookup, Depends(session_lookup)]


def optional_user(lookup: SessionLookupDep) -> User | None:
    return lookup.record.user if lookup.record else None


def current_user(lookup: SessionLookupDep) -> User:
    if lookup.record is None:
        raise NotAuthenticated(expired=lookup.expired)
    return lookup.record.user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]


def form_submission(
    db: SessionDep,
    user: OptionalUser,
    submission_key: Annotated[str | None, Form(pattern=forms.KEY_PATTERN)] = None,
) -> FormSubmission:
    return FormSubmission(db, user.id if user else None, submission_key)


# A form that creates something: `replay()` first, `done(redirect)` at the end (app/forms).
Submission = Annotated[FormSubmission, Depends(form_submission)]


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


def forum_access(db: SessionDep, slug: Slug, user: OptionalUser) -> ForumAccess:
    access = forums.access_by_slug(db, slug, user)
    if access is None:
        raise HTTPException(404, _("There is no forum at this address."))
    return access


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
    if access.guidelines_to_accept:
        raise SignInStepNeeded(
            f"/f/{access.forum.slug}/guidelines",
            _(
                "The guidelines of {forum} have changed (or you have not accepted them yet). "
                "Read and accept them, then send your post again: it has not been sent."
            ).format(forum=access.forum.name),
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


def coordinated_forum(
    user: CurrentUser, access: Annotated[ForumAccess, Depends(forum_access)]
) -> ForumAccess:
    if not access.can_coordinate_buddies:
        raise HTTPException(
            403,
            _("Only buddy coordinators of {forum} can see this page.").format(
                forum=access.forum.name
            ),
        )
    return access


ForumAccessDep = Annotated[ForumAccess, Depends(forum_access)]
CoordinatedForum = Annotated[ForumAccess, Depends(coordinated_forum)]
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


def site_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise HTTPException(403, _("Only site admins can open the admin console."))
    return user


SiteAdmin = Annotated[User, Depends(site_admin)]


def recently_authenticated_admin(admin: SiteAdmin, user: RecentlyAuthenticated) -> User:
    """A site admin who proved it was them in the last few minutes (security settings, resets)."""
    return admin


RecentlyAuthenticatedAdmin = Annotated[User, Depends(recently_authenticated_admin)]


class Need(StrEnum):
    """What a route needs of its visitor, from least to most."""

    ANYONE = "anyone"  # public pages (a members-only forum still shows only its description)
    SIGNED_IN = "signed in"  # any account; objects are loaded through it (your own posts…)
    FORUM_READER = "can read the forum"  # members, its moderators, admins; not banned/suspended
    FORUM_POSTER = "can post in the forum"  # … and not muted
    FORUM_COORDINATOR = "coordinates the forum's buddying"  # its moderators, named coordinators
    FORUM_MODERATOR = "moderates the forum"
    MODERATOR = "moderates some forum"  # objects only within the forums they moderate
    SITE_ADMIN = "site admin"


# The dependency that grants each need; a route's need is the strongest one it takes.
NEEDS = {
    optional_user: Need.ANYONE,
    current_user: Need.SIGNED_IN,
    readable_forum: Need.FORUM_READER,
    postable_forum: Need.FORUM_POSTER,
    coordinated_forum: Need.FORUM_COORDINATOR,
    moderated_forum: Need.FORUM_MODERATOR,
    moderator_scope: Need.MODERATOR,
    site_admin: Need.SITE_ADMIN,
}

"""Cohort pages: a forum's groups, a group's private space and threads, joining, leading."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import User
from app.cohorts import service
from app.cohorts.models import Cohort
from app.conversations import service as conversations
from app.conversations.models import Conversation
from app.conversations.views import limit_messages
from app.db import write_transaction
from app.deps import (
    AssessmentsDep,
    CurrentUser,
    FormId,
    LimiterDep,
    PathId,
    PostableForum,
    ReadableForum,
    SessionDep,
    SettingsDep,
    Submission,
    Token,
    after_response,
    found_or_404,
)
from app.forms.views import FormRejected
from app.forums import service as forums
from app.forums.models import MembershipStatus
from app.i18n import _
from app.moderation_queue import screening
from app.moderation_queue.models import TextSource
from app.notifications import service as notifications
from app.templating import render

router = APIRouter()

TitleField = Annotated[str, Form(max_length=1000)]
TextField = Annotated[str, Form(max_length=200_000)]


@router.get("/f/{slug}/cohorts")
def forum_cohorts(
    request: Request, db: SessionDep, user: CurrentUser, access: ReadableForum
) -> Response:
    forum = access.forum
    return render(
        request,
        "cohorts/forum.html",
        {
            "forum": forum,
            "access": access,
            "cohorts": service.cohorts_in(db, forum, user, moderates=access.can_moderate),
        },
    )


@router.post("/f/{slug}/cohorts")
def create_cohort(
    db: SessionDep, user: CurrentUser, access: PostableForum, name: TitleField = ""
) -> Response:
    if not access.is_trained:
        raise HTTPException(403, _("Only the forum's trained supporters can start a group."))
    try:
        cohort = service.create(db, access.forum, user, name)
    except service.CohortError as exc:
        raise FormRejected({exc.field: _(exc.message)}) from exc
    return RedirectResponse(f"/cohorts/{cohort.id}", status_code=303)


def _cohort(db: SessionDep, user: User, cohort_id: int) -> service.CohortAccess:
    """The cohort, only for its members and its forum's moderators (others: not found)."""
    not_found = _("We couldn't find that group.")
    cohort = found_or_404(db.get(Cohort, cohort_id), not_found)
    found = service.access(db, cohort, forums.access(db, cohort.forum, user), user)
    return found_or_404(found if found.can_read else None, not_found)


def _leading(db: SessionDep, user: User, cohort_id: int) -> service.CohortAccess:
    found = _cohort(db, user, cohort_id)
    if not found.leads:
        raise HTTPException(403, _("Only the group's facilitator and peer leaders can do this."))
    return found


def _posting(db: SessionDep, user: User, cohort_id: int) -> service.CohortAccess:
    found = _cohort(db, user, cohort_id)
    if not found.can_post:
        raise HTTPException(403, _("Only the group's members can write in it."))
    return found


@router.get("/cohorts/{cohort_id}")
def cohort_page(request: Request, db: SessionDep, user: CurrentUser, cohort_id: PathId) -> Response:
    found = _cohort(db, user, cohort_id)
    cohort = found.cohort
    return render(
        request,
        "cohorts/cohort.html",
        {
            "cohort": cohort,
            "forum": cohort.forum,
            "found": found,
            "threads": service.threads(db, cohort),
            "members": service.members(db, cohort),
            "invite_url": f"{request.base_url}cohorts/join/{cohort.invite_code}"
            if found.leads
            else None,
            "weekdays": range(7),
        },
    )


@router.post("/cohorts/{cohort_id}/threads")
def start_thread(
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    assessments: AssessmentsDep,
    submission: Submission,
    user: CurrentUser,
    cohort_id: PathId,
    title: TitleField = "",
    body: TextField = "",
) -> Response:
    if earlier := submission.replay():
        return earlier
    found = _posting(db, user, cohort_id)
    limit_messages(limiter, settings, user)
    try:
        sent = service.start_thread(db, found.cohort, user, title, body)
    except service.CohortError as exc:
        raise FormRejected({exc.field: _(exc.message)}) from exc
    assessments.after_saving_message(db, sent.message.id)
    url = f"/cohorts/{cohort_id}/threads/{sent.message.conversation_id}"
    return submission.done(RedirectResponse(url, status_code=303))


def _thread(db: SessionDep, found: service.CohortAccess, thread_id: int) -> Conversation:
    return found_or_404(
        service.thread_in(db, found.cohort, thread_id), _("We couldn't find that thread.")
    )


def _mark_read(sessions: sessionmaker[Session], user_id: int, url: str) -> None:
    with write_transaction(sessions) as session:
        notifications.mark_url_read(session, user_id, url)


@router.get("/cohorts/{cohort_id}/threads/{thread_id}")
def read_thread(
    request: Request,
    db: SessionDep,
    background: BackgroundTasks,
    user: CurrentUser,
    cohort_id: PathId,
    thread_id: PathId,
) -> Response:
    found = _cohort(db, user, cohort_id)
    thread = _thread(db, found, thread_id)
    as_team = found.member is None  # a moderator of the forum, reading as the team
    messages = conversations.visible_messages(db, thread, user, as_team=as_team)
    viewer = request.state.viewer
    if viewer is not None and viewer.unread_notifications:
        # Notices about this thread are read with it: after the response, in their own short
        # transaction (the page view itself never writes).
        sessions, user_id = request.app.state.sessions, user.id
        url = f"/cohorts/{cohort_id}/threads/{thread.id}"
        after_response(background, lambda: _mark_read(sessions, user_id, url))
    own = [m for m in messages if m.author_id == user.id]
    return render(
        request,
        "cohorts/thread.html",
        {
            "cohort": found.cohort,
            "found": found,
            "thread": thread,
            "messages": messages,
            "show_help": bool(own) and own[-1].route == "urgent",
            "resources": found.cohort.forum.policy.crisis_resources,
        },
    )


@router.post("/cohorts/{cohort_id}/threads/{thread_id}")
def reply(
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    assessments: AssessmentsDep,
    submission: Submission,
    user: CurrentUser,
    cohort_id: PathId,
    thread_id: PathId,
    body: TextField = "",
) -> Response:
    if earlier := submission.replay():
        return earlier
    found = _posting(db, user, cohort_id)
    thread = _thread(db, found, thread_id)
    limit_messages(limiter, settings, user)
    try:
        sent = conversations.send(db, thread, user, body, as_team=False)
    except conversations.ConversationError as exc:
        raise FormRejected({"body": _(exc.message)}) from exc
    assessments.after_saving_message(db, sent.message.id)
    url = f"/cohorts/{cohort_id}/threads/{thread.id}#latest"
    return submission.done(RedirectResponse(url, status_code=303))


# ---- leading ------------------------------------------------------------------------------


@router.post("/cohorts/{cohort_id}/rhythm")
def set_rhythm(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    cohort_id: PathId,
    day: Annotated[int | None, Form(ge=0, le=6)] = None,
    prompt: TextField = "",
) -> Response:
    found = _leading(db, user, cohort_id)
    cohort = found.cohort
    # Assessed as a post would be before the group reads it: a crisis is kept from the group,
    # goes to a moderator on the Urgent queue, and its writer is shown where to get help.
    check = screening.screen_form_field(
        prompt,
        cohort.forum,
        request.app.state.gate.scorer,
        "prompt",
        _(
            "Please reword the prompt: it seems to include details that could identify "
            "someone, or words this forum asks a moderator to read first."
        ),
    )
    screening.hold_for_review(db, check, cohort.forum, user, TextSource.COHORT_PROMPT, cohort.id)
    fit = not check.crisis
    try:
        service.set_rhythm(db, cohort, user, day=day, prompt=prompt if fit else "")
    except service.CohortError as exc:
        raise FormRejected({exc.field: _(exc.message)}) from exc
    notice = "rhythm" if fit else "help"
    return RedirectResponse(f"/cohorts/{cohort_id}?notice={notice}", status_code=303)


@router.post("/cohorts/{cohort_id}/invites")
def invite(
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    user: CurrentUser,
    cohort_id: PathId,
    emails: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    found = _leading(db, user, cohort_id)
    limiter.hit(
        settings.email_link_limit_per_ip,
        "cohort-invite",
        str(user.id),
        message=_("You've sent many invitations. Please wait a while and try again."),
    )
    try:
        service.invite_by_email(db, settings, found.cohort, user, emails)
    except service.CohortError as exc:
        raise FormRejected({exc.field: _(exc.message)}) from exc
    return RedirectResponse(f"/cohorts/{cohort_id}?notice=invited", status_code=303)


@router.post("/cohorts/{cohort_id}/leaders")
def add_leader(db: SessionDep, user: CurrentUser, cohort_id: PathId, user_id: FormId) -> Response:
    found = _leading(db, user, cohort_id)
    try:
        service.make_peer_leader(db, found.cohort, user, user_id)
    except service.CohortError as exc:
        raise FormRejected({exc.field: _(exc.message)}) from exc
    return RedirectResponse(f"/cohorts/{cohort_id}?notice=leader", status_code=303)


@router.post("/cohorts/{cohort_id}/step-back")
def step_back(db: SessionDep, user: CurrentUser, cohort_id: PathId) -> Response:
    found = _leading(db, user, cohort_id)
    assert found.member is not None
    try:
        service.step_back(db, found.cohort, found.member)
    except service.CohortError as exc:
        raise FormRejected({exc.field: _(exc.message)}, status_code=409) from exc
    return RedirectResponse(f"/cohorts/{cohort_id}?notice=stepped_back", status_code=303)


# ---- joining by the invite link -----------------------------------------------------------


def _invited(db: SessionDep, user: User, code: str) -> tuple[Cohort, forums.ForumAccess]:
    cohort = found_or_404(
        service.by_invite(db, code), _("This invitation link doesn't work. Ask for a new one.")
    )
    return cohort, forums.access(db, cohort.forum, user)


@router.get("/cohorts/join/{code}")
def invitation(request: Request, db: SessionDep, user: CurrentUser, code: Token) -> Response:
    cohort, access = _invited(db, user, code)
    if service.member_of(db, cohort, user) is not None:
        return RedirectResponse(f"/cohorts/{cohort.id}", status_code=303)
    return render(request, "cohorts/join.html", {"cohort": cohort, "code": code, "access": access})


@router.post("/cohorts/join/{code}")
def accept_invitation(db: SessionDep, user: CurrentUser, code: Token) -> Response:
    cohort, access = _invited(db, user, code)
    removed = access.membership is not None and access.membership.status is MembershipStatus.REMOVED
    if access.restriction.suspended or removed:
        raise HTTPException(403, _("You can't join this group just now."))
    if not access.is_member:
        # The group's link is an invitation into its forum too, whatever the forum's join policy.
        forums.join(db, cohort.forum, user, invited=True)
    service.join(db, cohort, user)
    return RedirectResponse(f"/cohorts/{cohort.id}?notice=joined", status_code=303)

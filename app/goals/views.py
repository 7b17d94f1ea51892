"""Goal pages: one's own goals and those shared with one, setting a goal, progress, cheering on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import User
from app.deps import (
    MAX_ID,
    ClockDep,
    CurrentUser,
    LimiterDep,
    PathId,
    SessionDep,
    SettingsDep,
    found_or_404,
)
from app.forms.views import FormRejected
from app.forums import service as forums
from app.forums.models import Forum
from app.goals import service
from app.goals.models import Goal
from app.i18n import _
from app.moderation_queue import screening
from app.moderation_queue.models import TextSource
from app.templating import render

router = APIRouter()


def _member_forums(db: SessionDep, user: User) -> list[Forum]:
    return [m.forum for m in forums.memberships_of_user(db, user) if m.is_active]


@router.get("/goals")
def goals_page(
    request: Request,
    db: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    help_in: Annotated[int | None, Query(alias="help", ge=1, le=MAX_ID)] = None,
) -> Response:
    own = service.own_goals(db, user)
    forums_in = _member_forums(db, user)
    help_forum = next((f for f in forums_in if f.id == help_in), None)
    return render(
        request,
        "goals/goals.html",
        {
            "own": own,
            "shared": service.shared_with(db, user),
            "choices": service.share_choices(db, user, forums_in),
            "weekdays": range(7),
            "resources": help_forum.policy.crisis_resources if help_forum else None,
        },
    )


@router.post("/goals")
def set_goal(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    user: CurrentUser,
    text: Annotated[str, Form(max_length=5000)] = "",
    share: Annotated[str, Form(pattern=r"^(private|buddy|cohort)-\d{1,10}$")] = "",
    days: Annotated[list[int], Form(max_length=7)] = [],  # noqa: B006 (FastAPI copies defaults)
    weeks: Annotated[int, Form(ge=1, le=service.MAX_WEEKS)] = 4,
) -> Response:
    limiter.hit(
        settings.post_limit_per_user,
        "goal",
        str(user.id),
        message=_("You're saving goals very quickly. Please wait a minute and try again."),
    )
    choice = next(
        (c for c in service.share_choices(db, user, _member_forums(db, user)) if c.value == share),
        None,
    )
    if choice is None:  # a forum, pairing or group this member is not in
        raise HTTPException(403, _("You can share a goal only where you take part."))
    # The same assessment as posts, before anyone else could read it.
    check = screening.screen_form_field(
        text,
        choice.forum,
        request.app.state.gate.scorer,
        "text",
        _(
            "Please reword your goal: it seems to include details that could identify "
            "someone, or words this forum asks a moderator to read first."
        ),
    )
    if check.crisis:  # kept to the member; a moderator reads it (below) and they see help
        choice = service.ShareChoice(service.GoalSharing.PRIVATE, choice.forum)
    try:
        goal = service.set_goal(
            db, user, choice, text=text, reminder_days=[d for d in days if 0 <= d <= 6], weeks=weeks
        )
    except service.GoalError as exc:
        if not check.crisis:
            raise FormRejected({exc.field: _(exc.message)}) from exc
        # Not saved (too long…), but words like these never wait on a form's error: they reach a
        # moderator now, and the member sees where to get help.
        screening.hold_for_review(db, check, choice.forum, user, TextSource.GOAL, None)
        return RedirectResponse(f"/goals?help={choice.forum.id}", status_code=303)
    screening.hold_for_review(db, check, choice.forum, user, TextSource.GOAL, goal.id)
    notice = "help" if check.crisis else "set"
    return RedirectResponse(f"/goals/{goal.id}?notice={notice}", status_code=303)


def _goal(db: SessionDep, user: User, goal_id: int) -> Goal:
    return found_or_404(service.get_for(db, goal_id, user), _("We couldn't find that goal."))


@router.get("/goals/{goal_id}")
def goal_page(request: Request, db: SessionDep, user: CurrentUser, goal_id: PathId) -> Response:
    goal = _goal(db, user, goal_id)
    forum = db.get(Forum, goal.forum_id)
    assert forum is not None
    return render(
        request,
        "goals/goal.html",
        {
            "goal": goal,
            "mine": goal.user_id == user.id,
            "history": service.history(db, goal),
            "cheers": service.encouragement_count(db, goal),
            "resources": forum.policy.crisis_resources,
        },
    )


@router.post("/goals/{goal_id}/progress")
def record_progress(
    db: SessionDep, clock: ClockDep, user: CurrentUser, goal_id: PathId
) -> Response:
    goal = _goal(db, user, goal_id)
    if goal.user_id != user.id:
        raise HTTPException(403, _("Only the person whose goal it is records progress."))
    service.record_progress(db, goal, clock.now())
    return RedirectResponse(f"/goals/{goal.id}?notice=done", status_code=303)


@router.post("/goals/{goal_id}/encourage")
def encourage(db: SessionDep, user: CurrentUser, goal_id: PathId) -> Response:
    goal = _goal(db, user, goal_id)
    try:
        service.encourage(db, goal, user)
    except service.GoalError as exc:
        raise HTTPException(403, _(exc.message)) from exc
    return RedirectResponse(f"/goals/{goal.id}?notice=cheered", status_code=303)

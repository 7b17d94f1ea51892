"""After a decision: undo within ten minutes, an author's appeal of a rejected post, and the
follow-ups that remind moderators to look in on an author after an urgent item."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import User
from app.deps import CurrentUser, Moderator, PathId, SessionDep, Submission
from app.i18n import _
from app.moderation_queue import corrections, followups, history, service, wellbeing
from app.moderation_queue.models import ModerationDecision
from app.posts.models import Post
from app.templating import is_htmx, render

router = APIRouter()


# ---- undo ---------------------------------------------------------------------------------


@router.post("/moderation/decisions/{decision_id}/undo")
def undo_decision(
    request: Request, db: SessionDep, scope: Moderator, submission: Submission, decision_id: PathId
) -> Response:
    if not is_htmx(request) and (earlier := submission.replay()):
        return earlier
    decision = db.get(ModerationDecision, decision_id)
    item = (
        service.get_entry(db, decision.review_item_id, scope.forum_ids)
        if decision is not None and decision.review_item_id is not None
        else None
    )
    if decision is None or item is None:
        raise HTTPException(404, _("That decision is not in a forum you moderate."))
    try:
        corrections.undo(db, decision, scope.user)
    except corrections.Refused as refused:
        raise HTTPException(409, _(refused.message)) from refused
    if is_htmx(request):
        entry = service.get_entry(db, item.item.id, scope.forum_ids)
        assert entry is not None
        context = history.card_context(db, scope, entry, claimed=True)
        context["notice"] = _("Undone: the item is back on the queue and claimed by you.")
        response = render(request, "moderation_queue/item.html", context, block="item_card")
        response.headers["HX-Trigger"] = "queue-changed"
        return response
    return submission.done(
        RedirectResponse(f"/moderation/items/{item.item.id}?notice=undone", status_code=303)
    )


# ---- an author's appeal of a rejected post ------------------------------------------------


def _own_rejected_post(db: SessionDep, user: User, post_id: int) -> Post:
    post = db.get(Post, post_id)
    if post is None or post.author_id != user.id or post.status not in corrections.APPEALABLE:
        raise HTTPException(404, _("We couldn't find a post of yours that was not published."))
    return post


def _appeal_page(
    request: Request,
    db: SessionDep,
    post: Post,
    *,
    error: str | None = None,
    draft: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "moderation_queue/post_appeal.html",
        {
            "post": post,
            "appeal": corrections.appeal_of(db, post),
            "decision": corrections.rejection_of(db, post),
            "error": error,
            "draft": draft,
        },
        status_code=status_code,
    )


@router.get("/posts/{post_id}/appeal")
def appeal_form(request: Request, db: SessionDep, user: CurrentUser, post_id: PathId) -> Response:
    return _appeal_page(request, db, _own_rejected_post(db, user, post_id))


@router.post("/posts/{post_id}/appeal")
def appeal_post(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    submission: Submission,
    post_id: PathId,
    body: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    if earlier := submission.replay():
        return earlier
    post = _own_rejected_post(db, user, post_id)
    try:
        corrections.appeal(db, post, user, body)
    except corrections.Refused as refused:
        status = 409 if corrections.appeal_of(db, post) is not None else 422
        return _appeal_page(
            request, db, post, error=_(refused.message), draft=body, status_code=status
        )
    return submission.done(RedirectResponse(f"/posts/{post.id}/appeal?sent=1", status_code=303))


# ---- follow-ups ---------------------------------------------------------------------------


@router.post("/moderation/follow-ups/{follow_up_id}/done")
def follow_up_done(
    request: Request, db: SessionDep, scope: Moderator, follow_up_id: PathId
) -> Response:
    follow_up = followups.get(db, follow_up_id, scope.forum_ids)
    if follow_up is None:
        raise HTTPException(404, _("That follow-up is not in a forum you moderate."))
    followups.mark_done(db, follow_up, scope.user)  # done by a colleague a moment ago: still done
    if is_htmx(request):
        return render(
            request,
            "moderation_queue/dashboard.html",
            {"done_follow_up": follow_up},
            block="follow_up_done",
        )
    return RedirectResponse("/moderation?notice=follow_up_done", status_code=303)


# ---- the moderator's wellbeing: shifts, breaks, blur ---------------------------------------

SHIFT_NOTICES = {
    "start": "shift_started",
    "break": "break",
    "end": "shift_ended",
}


@router.post("/moderation/shift")
def shift(
    db: SessionDep,
    scope: Moderator,
    action: Annotated[str, Form(pattern="^(start|break|end)$")],
) -> Response:
    """Start a shift, or stop (a break ends the shift: its counts start again after it)."""
    if action == "start":
        wellbeing.start_shift(db, scope.user)
    else:
        wellbeing.end_shift(db, scope.user)
    return RedirectResponse(f"/moderation?notice={SHIFT_NOTICES[action]}", status_code=303)


def _wellbeing_page(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "moderation_queue/wellbeing.html",
        {
            "settings": wellbeing.settings_for(db, scope.user),
            "errors": errors or {},
            "ranges": {
                "crisis": wellbeing.CRISIS_ITEMS_RANGE,
                "minutes": wellbeing.MINUTES_RANGE,
            },
        },
        status_code=status_code,
    )


@router.get("/moderation/wellbeing")
def wellbeing_page(request: Request, db: SessionDep, scope: Moderator) -> Response:
    return _wellbeing_page(request, db, scope)


@router.post("/moderation/wellbeing")
def save_wellbeing(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    blur_distressing: Annotated[bool, Form()] = False,
    break_after_crisis_items: Annotated[int, Form(ge=0, le=10_000)] = 5,
    break_after_minutes: Annotated[int, Form(ge=0, le=10_000)] = 90,
) -> Response:
    low, high = wellbeing.CRISIS_ITEMS_RANGE
    errors = {}
    if not low <= break_after_crisis_items <= high:
        errors["break_after_crisis_items"] = _("Choose a number from {low} to {high}.").format(
            low=low, high=high
        )
    low, high = wellbeing.MINUTES_RANGE
    if not low <= break_after_minutes <= high:
        errors["break_after_minutes"] = _("Choose a number from {low} to {high}.").format(
            low=low, high=high
        )
    if errors:
        return _wellbeing_page(request, db, scope, errors=errors, status_code=422)
    wellbeing.save_settings(
        db,
        scope.user,
        blur=blur_distressing,
        crisis_items=break_after_crisis_items,
        minutes=break_after_minutes,
    )
    return RedirectResponse("/moderation/wellbeing?saved=1", status_code=303)

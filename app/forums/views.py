from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from app.accounts import data
from app.accounts.signin import safe_next
from app.deps import (
    ClockDep,
    CurrentUser,
    ForumAccessDep,
    OptionalUser,
    SessionDep,
    SettingsDep,
    Submission,
)
from app.forms.views import FormRejected
from app.forums import eligibility, service
from app.forums.models import MembershipStatus
from app.forums.service import ForumAccess
from app.i18n import N_, _
from app.notifications import service as notifications
from app.posts import service as posts
from app.posts.models import Thread
from app.templating import render

router = APIRouter()

NOTICES = {
    "welcome": N_("Welcome to Harbour. Join a forum below to start reading and posting."),
    "signed_out": N_("You have signed out."),
    "signed_out_everywhere": N_("You have signed out on every device."),
    "joined": N_("You have joined this forum. Welcome!"),
    "requested": N_(
        "Thanks, your request to join has been sent. A moderator will look at it soon."
    ),
    "break": N_(
        "Enjoy your break. Your forums are hidden until it ends; you can come back any time."
    ),
    "break_over": N_("Welcome back."),
    "deleted": N_("Your account has been deleted. Take care of yourself."),
    "password_reset": N_(
        "Your password has been changed, and every other device has been signed out."
    ),
    # Confirmed while signed in: posts that waited for it are on their way.
    "email_verified": N_("Thank you: your email address is confirmed."),
}


@router.get("/")
def home(
    request: Request,
    db: SessionDep,
    user: OptionalUser,
    notice: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    if user and data.on_break(user):
        return render(
            request,
            "forums/break.html",
            {"until": user.break_until, "notice": NOTICES.get(notice or "")},
        )
    memberships = service.memberships_of_user(db, user) if user else []
    mine = {m.forum_id for m in memberships}
    moderated = service.moderated_forums(db, user) if user else []
    # A forum not yet open to members is listed only for the people who will look after it.
    others = [
        f
        for f in service.all_forums(db)
        if f.id not in mine and (f.opened_at is not None or f in moderated)
    ]
    return render(
        request,
        "forums/home.html",
        {
            "memberships": memberships,
            "other_forums": others,
            "notice": NOTICES.get(notice or ""),
            "moderated": moderated,
        },
    )


@router.get("/f/{slug}")
def forum_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    access: ForumAccessDep,
    user: OptionalUser,
    after: Annotated[str | None, Query(max_length=200)] = None,
    notice: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    context: dict[str, object] = {
        "access": access,
        "forum": access.forum,
        "notice": NOTICES.get(notice or ""),
    }
    if eligibility.has_age_band(access.forum):
        context["age_band_words"] = eligibility.band_words(access.forum)
        context["age_choices"] = eligibility.band_choices(access.forum)
    if access.can_read:
        cursor = posts.decode_cursor(after) if after else None
        if after and cursor is None:
            raise HTTPException(
                400, _("That page link is not valid. Start from the forum's first page.")
            )
        # When the viewer last read each thread comes with the page, in the same statement.
        extra = (notifications.last_read_query(user.id, Thread.id),) if user else ()
        page = posts.forum_threads(
            db, access.forum, after=cursor, per_page=settings.threads_per_page, extra=extra
        )
        context["page"] = page
        context["my_pending_threads"] = posts.own_unpublished_threads(db, access.forum, user)
        if user is not None:
            context["last_reads"] = {
                thread_id: values[0]
                for thread_id, values in page.extra.items()
                if values[0] is not None
            }
            context["watching"] = notifications.is_watching(db, user.id, forum_id=access.forum.id)
        context["is_first_page"] = after is None
    return render(request, "forums/forum.html", context, block="thread_list")


@router.post("/f/{slug}/join")
def join(
    request: Request,
    db: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    access: ForumAccessDep,
    submission: Submission,
    answers: Annotated[list[Annotated[str, Field(max_length=1000)]], Form(max_length=20)] = [],  # noqa: B006
    accept_guidelines: Annotated[str, Form(max_length=8)] = "",
    age_band: Annotated[str, Form(max_length=8)] = "",
    birth_year: Annotated[int | None, Form(ge=1900, le=2100)] = None,
    confirms: Annotated[list[Annotated[int, Field(ge=0, le=50)]], Form(max_length=50)] = [],  # noqa: B006
) -> Response:
    if earlier := submission.replay():
        return earlier
    if access.forum.opened_at is None and access.membership is None:
        raise HTTPException(409, _("This forum is not open to members yet."))
    if not access.can_join and access.membership is None:
        raise HTTPException(
            403,
            _("This forum is joined by invitation. Ask the person who referred you for a link."),
        )
    forum = access.forum
    band: str | None = None
    if access.can_join and eligibility.has_rule(forum):
        answer = eligibility.assess(
            forum, age_band, birth_year, set(confirms), this_year=clock.now().year
        )
        if answer.problem:
            raise FormRejected({"age_band": answer.problem})
        if not answer.eligible:
            return render(
                request,
                "forums/not_eligible.html",
                {
                    "forum": forum,
                    "message": forum.ineligible_message.strip()
                    or eligibility.default_message(answer.underage),
                },
            )
        band = answer.band
    if forum.guidelines.strip() and accept_guidelines != "yes" and access.can_join:
        # The guidelines again, with everything else given kept in the form.
        kept = [("answers", a) for a in answers] + [("confirms", str(i)) for i in confirms]
        if age_band:
            kept.append(("age_band", age_band))
        if birth_year is not None:
            kept.append(("birth_year", str(birth_year)))
        return _guidelines(request, access, f"/f/{forum.slug}", kept, refused=True)
    try:
        given = service.joining_answers(access.forum, answers)
    except service.AnswersMissing:
        raise FormRejected(
            {"answers": _("Please answer each joining question, so a moderator can welcome you.")}
        ) from None
    membership = service.join(
        db,
        access.forum,
        user,
        answers=given,
        accepted_guidelines=accept_guidelines == "yes",
        age_band=band,
    )
    notice = "joined" if membership.status is MembershipStatus.ACTIVE else "requested"
    if membership.status is MembershipStatus.PENDING and access.membership is None:
        service.alert_moderators_of_request(db, access.forum, membership)
    if membership.status is MembershipStatus.REMOVED:
        raise HTTPException(
            403,
            _(
                "You can't rejoin this forum. Contact its moderators if you think this is a mistake."
            ),
        )
    return submission.done(
        RedirectResponse(f"/f/{access.forum.slug}?notice={notice}", status_code=303)
    )


@router.get("/f/{slug}/guidelines")
def guidelines_page(
    request: Request,
    user: CurrentUser,
    access: ForumAccessDep,
    next: Annotated[str, Query(max_length=2048)] = "",
) -> Response:
    return _guidelines(request, access, next, [], refused=False)


def _guidelines(
    request: Request,
    access: ForumAccess,
    next_url: str,
    kept: list[tuple[str, str]],
    refused: bool,
) -> Response:
    """The forum's guidelines to read and accept: when joining, or when they have changed."""
    error = _("Please read the guidelines and tick the box to accept them.") if refused else None
    return render(
        request,
        "forums/guidelines.html",
        {
            "forum": access.forum,
            "access": access,
            "joining": access.membership is None,
            "kept": kept,
            "next": safe_next(next_url or f"/f/{access.forum.slug}"),
            "error": error,
        },
        status_code=422 if refused else 200,
    )


@router.post("/f/{slug}/guidelines")
def accept_guidelines(
    request: Request,
    user: CurrentUser,
    access: ForumAccessDep,
    accept_guidelines: Annotated[str, Form(max_length=8)] = "",
    next: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    if access.membership is None:
        raise HTTPException(403, _("Join this forum first; its guidelines are part of joining."))
    if accept_guidelines != "yes":
        return _guidelines(request, access, next, [], refused=True)
    service.accept_guidelines(access.membership, access.forum)
    return RedirectResponse(safe_next(next or f"/f/{access.forum.slug}"), status_code=303)

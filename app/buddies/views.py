"""Buddying pages: ask for a buddy or offer to be one (in a forum), coordinate, and a pairing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.buddies import service
from app.buddies.models import AGE_BANDS, EXPERIENCES, LANGUAGES, BuddyPairing, PairingStatus
from app.deps import (
    ClockDep,
    CoordinatedForum,
    CurrentUser,
    FormId,
    LimiterDep,
    PathId,
    PostableForum,
    ReadableForum,
    SessionDep,
    SettingsDep,
    found_or_404,
)
from app.forms.views import FormRejected
from app.forums.models import Forum
from app.i18n import _
from app.moderation_queue import screening
from app.moderation_queue.models import TextSource
from app.templating import render

router = APIRouter()

Codes = Annotated[list[str], Form(max_length=len(EXPERIENCES))]
Code = Annotated[str, Form(max_length=16)]
HopesField = Annotated[str, Form(max_length=20_000)]


def _choices() -> dict[str, object]:
    return {
        "experience_choices": EXPERIENCES,
        "age_bands": AGE_BANDS,
        "language_choices": LANGUAGES,
    }


@router.get("/f/{slug}/buddies")
def buddies_page(
    request: Request, db: SessionDep, user: CurrentUser, access: ReadableForum
) -> Response:
    forum = access.forum
    return render(
        request,
        "buddies/forum.html",
        {
            "forum": forum,
            "access": access,
            "request_open": service.open_request(db, forum, user),
            "pairing": service.active_pairing_as_member(db, forum, user),
            "profile": service.profile_of(db, forum, user),
            "resources": forum.policy.crisis_resources,
            **_choices(),
        },
    )


@router.post("/f/{slug}/buddies/request")
def ask_for_buddy(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    user: CurrentUser,
    access: PostableForum,
    hopes: HopesField = "",
    experiences: Codes = [],  # noqa: B006 (FastAPI copies defaults)
    age_band: Code = "",
    language: Code = "en",
    via_clinician: Annotated[bool, Form()] = False,
) -> Response:
    limiter.hit(
        settings.post_limit_per_user,
        "buddy-request",
        str(user.id),
        message=_("You're sending requests very quickly. Please wait a minute and try again."),
    )
    # Read by coordinators only, but assessed as a post would be: a crisis reaches a moderator now.
    check = screening.screen_form_field(
        hopes,
        access.forum,
        request.app.state.gate.scorer,
        "hopes",
        _(
            "Please reword what you hope for: it seems to include details that could "
            "identify someone, or words this forum asks a moderator to read first."
        ),
    )
    try:
        buddy_request = service.ask_for_buddy(
            db,
            access.forum,
            user,
            hopes=hopes,
            experiences=experiences,
            age_band=age_band or None,
            language=language,
            via_clinician=via_clinician,
        )
    except service.BuddyError as exc:
        if not check.crisis:
            raise FormRejected({"hopes": _(exc.message)}) from exc
        # Not a new request (one is open already…), but these words reach a moderator now.
        screening.hold_for_review(db, check, access.forum, user, TextSource.BUDDY_REQUEST, None)
        return RedirectResponse(f"/f/{access.forum.slug}/buddies?help=1", status_code=303)
    screening.hold_for_review(
        db, check, access.forum, user, TextSource.BUDDY_REQUEST, buddy_request.id
    )
    help_ = "&help=1" if check.crisis else ""
    return RedirectResponse(f"/f/{access.forum.slug}/buddies?asked=1{help_}", status_code=303)


def _offering(access: PostableForum) -> Forum:
    if not access.is_trained:
        raise HTTPException(403, _("Only the forum's trained supporters can offer to be a buddy."))
    return access.forum


@router.get("/f/{slug}/buddies/offer")
def offer_form(
    request: Request, db: SessionDep, user: CurrentUser, access: PostableForum
) -> Response:
    forum = _offering(access)
    return render(
        request,
        "buddies/offer.html",
        {"forum": forum, "profile": service.profile_of(db, forum, user), **_choices()},
    )


@router.post("/f/{slug}/buddies/offer")
def save_offer(
    db: SessionDep,
    user: CurrentUser,
    access: PostableForum,
    experiences: Codes = [],  # noqa: B006
    age_band: Code = "",
    languages: Annotated[list[str], Form(max_length=len(LANGUAGES))] = [],  # noqa: B006
    capacity: Annotated[int, Form(ge=0, le=service.MAX_CAPACITY)] = 1,
    available: Annotated[bool, Form()] = False,
) -> Response:
    forum = _offering(access)
    service.save_profile(
        db,
        forum,
        user,
        experiences=experiences,
        age_band=age_band or None,
        languages=languages,
        capacity=capacity,
        available=available,
    )
    return RedirectResponse(f"/f/{forum.slug}/buddies?offered=1", status_code=303)


@router.get("/f/{slug}/buddies/coordinate")
def coordinate(request: Request, db: SessionDep, access: CoordinatedForum) -> Response:
    forum = access.forum
    requests = service.open_requests(db, forum)
    return render(
        request,
        "buddies/coordinate.html",
        {
            "forum": forum,
            "rows": [(r, service.suggestions(db, r)) for r in requests],
            "experience_choices": EXPERIENCES,
            "language_choices": LANGUAGES,
            "default_weeks": service.DEFAULT_WEEKS,
        },
    )


@router.post("/f/{slug}/buddies/requests/{request_id}/pair")
def pair(
    db: SessionDep,
    user: CurrentUser,
    access: CoordinatedForum,
    request_id: PathId,
    buddy_id: FormId,
    weeks: Annotated[int, Form(ge=1, le=26)] = service.DEFAULT_WEEKS,
) -> Response:
    forum = access.forum
    buddy_request = found_or_404(
        service.request_in(db, forum, request_id), _("There is no such request in this forum.")
    )
    try:
        service.pair(db, forum, buddy_request, buddy_id, user, weeks=weeks)
    except service.BuddyError as exc:
        raise FormRejected({"buddy_id": _(exc.message)}, status_code=409) from exc
    return RedirectResponse(f"/f/{forum.slug}/buddies/coordinate?paired=1", status_code=303)


# ---- the pairing (only the two people in it) ----------------------------------------------


def _pairing(db: SessionDep, user: CurrentUser, pairing_id: int) -> BuddyPairing:
    return found_or_404(
        service.pairing_for(db, pairing_id, user), _("We couldn't find that pairing.")
    )


@router.get("/buddies/{pairing_id}")
def pairing_page(
    request: Request, db: SessionDep, clock: ClockDep, user: CurrentUser, pairing_id: PathId
) -> Response:
    pairing = _pairing(db, user, pairing_id)
    return render(
        request,
        "buddies/pairing.html",
        {
            "pairing": pairing,
            "forum": db.get(Forum, pairing.forum_id),
            "other": pairing.other(user.id),
            "is_buddy": pairing.buddy_id == user.id,
            "week": service.week_of(pairing, clock.now()),
            "active": pairing.status is PairingStatus.ACTIVE,
            "feedback": service.feedback_of(db, pairing, user),
        },
    )


@router.post("/buddies/{pairing_id}/end")
def end_pairing(db: SessionDep, user: CurrentUser, pairing_id: PathId) -> Response:
    pairing = _pairing(db, user, pairing_id)
    service.end(db, pairing, user)
    return RedirectResponse(f"/buddies/{pairing.id}?ended=1", status_code=303)


@router.post("/buddies/{pairing_id}/feedback")
def give_feedback(
    db: SessionDep,
    user: CurrentUser,
    pairing_id: PathId,
    helpful: Annotated[int, Form(ge=1, le=5)],
    recommend: Annotated[str, Form(pattern="^(yes|no|unsure)$")],
) -> Response:
    pairing = _pairing(db, user, pairing_id)
    try:
        service.give_feedback(db, pairing, user, helpful=helpful, recommend=recommend)
    except service.BuddyError as exc:
        raise FormRejected({"helpful": _(exc.message)}, status_code=409) from exc
    return RedirectResponse(f"/buddies/{pairing.id}?thanks=1", status_code=303)

"""Outcome pages: a member's optional check-in and own trend; the commissioners' impact page."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import ClockDep, CurrentUser, ReadableForum, SessionDep, SiteAdmin
from app.forums import service as forums
from app.i18n import _
from app.outcomes import service
from app.outcomes.models import LOWER_IS_BETTER, QUESTIONS
from app.templating import render

router = APIRouter()

Answer = Annotated[int | None, Form(ge=0, le=10)]


def _member(access: ReadableForum) -> None:
    if not access.is_member:
        raise HTTPException(403, _("Check-ins are for the forum's members."))


@router.get("/f/{slug}/wellbeing")
def check_in_page(
    request: Request, db: SessionDep, clock: ClockDep, user: CurrentUser, access: ReadableForum
) -> Response:
    _member(access)
    forum = access.forum
    responses = service.responses_of(db, forum, user)
    return render(
        request,
        "outcomes/check_in.html",
        {
            "forum": forum,
            "questions": QUESTIONS,
            "due": service.is_due(responses, forum, clock.now()),
            "responses": responses,
            "lower_is_better": LOWER_IS_BETTER,
        },
    )


@router.post("/f/{slug}/wellbeing")
def answer_check_in(
    db: SessionDep,
    user: CurrentUser,
    access: ReadableForum,
    life_satisfaction: Answer = None,
    worthwhile: Answer = None,
    happy: Answer = None,
    anxious: Answer = None,
    confidence: Answer = None,
) -> Response:
    _member(access)
    answers = {
        "life_satisfaction": life_satisfaction,
        "worthwhile": worthwhile,
        "happy": happy,
        "anxious": anxious,
        "confidence": confidence,
    }
    saved = service.record(db, access.forum, user, answers)
    notice = "saved" if saved is not None else "skipped"
    return RedirectResponse(f"/f/{access.forum.slug}/wellbeing?notice={notice}", status_code=303)


@router.get("/admin/impact/outcomes")
def impact_page(request: Request, db: SessionDep, admin: SiteAdmin) -> Response:
    impacts = [service.impact(db, forum) for forum in forums.all_forums(db)]
    return render(
        request,
        "outcomes/impact.html",
        {
            "impacts": impacts,
            "questions": QUESTIONS,
            "lower_is_better": LOWER_IS_BETTER,
            "min_group": service.MIN_GROUP,
        },
    )


@router.get("/admin/impact/outcomes.csv")
def impact_csv(db: SessionDep, admin: SiteAdmin) -> Response:
    impacts = [service.impact(db, forum) for forum in forums.all_forums(db)]
    out = io.StringIO()
    csv.writer(out).writerows(service.impact_csv_rows(impacts))
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="harbour-outcomes.csv"'},
    )

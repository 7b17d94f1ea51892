"""The privacy notice, consent to holding health information, and withdrawing it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import consent
from app.accounts.signin import safe_next
from app.accounts.views import DELETE_PHRASE, delete_confirmed
from app.deps import (
    ClockDep,
    CurrentUser,
    OptionalUser,
    RecentlyAuthenticated,
    SessionDep,
    SiteAdmin,
)
from app.i18n import _
from app.posts.rendering import render_markdown
from app.templating import render

router = APIRouter()

NextQuery = Annotated[str, Query(max_length=2048)]


@router.get("/privacy")
def privacy_notice(request: Request, db: SessionDep, user: OptionalUser) -> Response:
    notice = consent.current_notice(db)
    return render(
        request,
        "accounts/privacy.html",
        {
            "notice": notice,
            "body_html": render_markdown(notice.body if notice else consent.DEFAULT_NOTICE),
            "consented": user is not None and user.consented_at is not None,
        },
    )


@router.get("/account/consent")
def consent_form(
    request: Request, db: SessionDep, user: CurrentUser, next: NextQuery = "/"
) -> Response:
    return _consent_page(request, db, user, next, error=None)


def _consent_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    next_url: str,
    error: str | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "accounts/consent.html",
        {
            "user": user,
            "notice": consent.current_notice(db),
            "history": consent.history(db, user.id),
            "next": safe_next(next_url),
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/account/consent")
def give_consent(
    request: Request,
    db: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    agree: Annotated[str, Form(max_length=8)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    if user.consented_at is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    if agree != "yes":
        return _consent_page(
            request,
            db,
            user,
            next,
            error=_(
                "Tick the box to say you agree, or choose not to agree: nothing is recorded "
                "until you do."
            ),
            status_code=422,
        )
    consent.give(db, user, clock.now())
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/account/consent/withdraw")
def withdraw_form(request: Request, user: RecentlyAuthenticated) -> Response:
    return render(request, "accounts/withdraw_consent.html", {"phrase": _(DELETE_PHRASE)})


@router.post("/account/consent/withdraw")
def withdraw_consent(
    db: SessionDep,
    clock: ClockDep,
    user: RecentlyAuthenticated,
    posts: Annotated[str, Form(pattern="^(keep|remove)$")],
    confirm: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """Without consent Harbour cannot keep the account: withdrawing deletes it (the page before
    offered the member their data)."""
    consent.withdraw(db, user, clock.now())
    return delete_confirmed(db, user, posts, confirm)


# ---- the admin writes the notice -------------------------------------------------------------


@router.get("/admin/privacy")
def edit_notice(request: Request, db: SessionDep, admin: SiteAdmin) -> Response:
    notice = consent.current_notice(db)
    return render(
        request,
        "admin/privacy.html",
        {
            "body": notice.body if notice else consent.DEFAULT_NOTICE,
            "versions": consent.notice_versions(db),
            "saved": request.query_params.get("saved") == "1",
        },
    )


@router.post("/admin/privacy")
def publish_notice(
    db: SessionDep,
    clock: ClockDep,
    admin: SiteAdmin,
    body: Annotated[str, Form(min_length=1, max_length=50_000)],
) -> Response:
    current = consent.current_notice(db)
    # Browsers send a textarea's lines ending in CRLF: an unchanged notice is not a new version
    # (each new version asks every member to agree again).
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise HTTPException(422, _("The privacy notice can't be empty. Nothing was published."))
    if current is None or current.body.strip() != text:
        consent.publish_notice(db, text, admin, clock.now())
    return RedirectResponse("/admin/privacy?saved=1", status_code=303)

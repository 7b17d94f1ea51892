"""Every failure ends in a clear page for browsers or RFC 9457 problem JSON for API clients."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db import DatabaseBusy
from app.forms.service import AlreadySubmitted
from app.forms.views import FormRejected, field_message, given_fields, rejected_form
from app.i18n import N_, _
from app.ratelimit import RateLimited
from app.templating import render

logger = logging.getLogger(__name__)

# Plain headings for people; API clients get the standard HTTP phrase as the problem's title.
PAGE_TITLES = {
    400: N_("Something in that link is wrong"),
    401: N_("Please sign in"),
    403: N_("You can't do that here"),
    404: N_("Page not found"),
    405: N_("That didn't work"),
    409: N_("Something has changed"),
    422: N_("Please check what you sent"),
    429: N_("Please slow down"),
    500: N_("Sorry, something went wrong"),
    503: N_("Harbour is very busy"),
}


class NotAuthenticated(Exception):
    """Signing in is needed; `expired` when a session cookie was sent but the session is over."""

    def __init__(self, expired: bool) -> None:
        super().__init__("not authenticated")
        self.expired = expired


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


def problem(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    title = HTTPStatus(status).phrase
    if wants_json(request):
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        body.update(extra)
        return JSONResponse(
            body, status_code=status, media_type="application/problem+json", headers=headers
        )
    response = render(
        request,
        "errors/error.html",
        {"status": status, "title": _(PAGE_TITLES.get(status, title)), "detail": detail, **extra},
        status_code=status,
    )
    if headers:
        response.headers.update(headers)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
    if exc.status_code == 404 and detail == "Not Found":
        detail = _("We couldn't find that page. It may have been moved, or the link may be wrong.")
    if exc.status_code == 405:
        detail = _("That address doesn't accept this kind of request.")
    return problem(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    places = {str(err.get("loc", ("",))[0]) for err in errors}
    if places == {"path"}:
        # A malformed or out-of-range id names no page: the same answer as an unknown one.
        return problem(
            request,
            404,
            _("We couldn't find that page. It may have been moved, or the link may be wrong."),
        )
    fields = sorted({".".join(str(p) for p in err.get("loc", ())[1:]) for err in errors})
    if places <= {"body"} and not wants_json(request):
        # A form: given back with what was typed and the error beside each field.
        by_field = {str(err["loc"][1]): field_message(err) for err in errors if len(err["loc"]) > 1}
        return await rejected_form(request, by_field, 422)
    named = ", ".join(f for f in fields if f)
    detail = (
        _("Some of what was sent could not be understood ({fields}).").format(fields=named)
        if named
        else _("Some of what was sent could not be understood.")
    )
    status = 400 if places == {"query"} else 422
    return problem(
        request,
        status,
        detail + " " + _("Nothing was changed; go back and try again."),
        fields=fields,
    )


async def _form_rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FormRejected)
    if wants_json(request):
        detail = " ".join(exc.errors.values())
        return problem(request, exc.status_code, detail, fields=sorted(exc.errors))
    return await rejected_form(request, exc.errors, exc.status_code)


async def _already_submitted(request: Request, exc: Exception) -> Response:
    """A twin of this form got there first: its result, not a second one."""
    assert isinstance(exc, AlreadySubmitted)
    return RedirectResponse(exc.url, status_code=303)


class ReauthenticationNeeded(Exception):
    """A sensitive page (export, deletion, email or password change) and the member last proved
    who they are too long ago on this device."""


async def _reauthenticate(request: Request, exc: Exception) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    confirm_url = f"/account/confirm?next={quote(here)}"
    if request.method == "GET" and not wants_json(request):
        return RedirectResponse(confirm_url, status_code=303)
    return problem(
        request,
        403,
        _(
            "For your safety, confirm it's you before doing this. Nothing has been changed; "
            "confirm it's you, then try again."
        ),
        confirm_url=confirm_url,
    )


class SignInStepNeeded(Exception):
    """Something the person must do before using Harbour (set up two-factor sign-in, give
    consent): pages send them there, and anything else is refused, saying where to go."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__("sign-in step needed")
        self.url = url
        self.detail = detail


async def _sign_in_step(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInStepNeeded)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    step_url = f"{exc.url}?next={quote(here)}"
    if request.method == "GET" and not wants_json(request):
        return RedirectResponse(step_url, status_code=303)
    return problem(request, 403, exc.detail, step_url=step_url, drafts=await typed_text(request))


class WarningToAcknowledge(Exception):
    """A moderator's warning the member has not yet read: shown before anything else."""


async def _warning(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/account/sanctions", status_code=303)


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    return problem(
        request,
        429,
        exc.message,
        headers={"Retry-After": str(exc.retry_after)},
        retry_after=exc.retry_after,
    )


async def _not_authenticated(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotAuthenticated)
    if request.method == "GET" and not wants_json(request):
        query = "expired=1&" if exc.expired else ""
        return RedirectResponse(f"/login?{query}next={request.url.path}", status_code=303)
    detail = (
        _("Your session has expired, so this was not sent. Sign in again, then send it again.")
        if exc.expired
        else _("You need to sign in to do that.")
    )
    return problem(request, 401, detail, drafts=await typed_text(request), sign_in=True)


async def typed_text(request: Request) -> list[tuple[str, str]]:
    """What the person wrote in the form they sent, labelled, to give back on an error page."""
    if request.method in ("GET", "HEAD") or wants_json(request):
        return []
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return []
    try:
        form = await request.form()
    except Exception:
        return []
    return [(f.label, f.value) for f in given_fields(form, {}) if f.visible and f.value.strip()]


async def _busy(request: Request, exc: Exception) -> Response:
    retry_after = exc.retry_after if isinstance(exc, DatabaseBusy) else 2
    return problem(
        request,
        503,
        _(
            "Harbour is very busy right now, so this was not saved. Please send it again in a "
            "few seconds."
        ),
        headers={"Retry-After": str(retry_after)},
        retry_after=retry_after,
        drafts=await typed_text(request),
    )


async def _conflict(request: Request, exc: Exception) -> Response:
    # Two requests raced to create the same thing (a double click); the first one counted.
    logger.info("integrity conflict on %s %s", request.method, request.url.path)
    return problem(
        request,
        409,
        _("This was changed at the same moment by another request. Reload the page to see it."),
        drafts=await typed_text(request),
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        request, 500, _("Something went wrong on our side. Nothing you saved has been lost.")
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(WarningToAcknowledge, _warning)
    app.add_exception_handler(SignInStepNeeded, _sign_in_step)
    app.add_exception_handler(DatabaseBusy, _busy)
    app.add_exception_handler(PoolTimeout, _busy)
    app.add_exception_handler(IntegrityError, _conflict)
    app.add_exception_handler(FormRejected, _form_rejected)
    app.add_exception_handler(AlreadySubmitted, _already_submitted)
    app.add_exception_handler(ReauthenticationNeeded, _reauthenticate)
    app.add_exception_handler(Exception, _unexpected)

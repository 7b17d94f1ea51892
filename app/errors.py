"""Every failure ends in a clear page for browsers or RFC 9457 problem JSON for API clients."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    fields = sorted({".".join(str(p) for p in err.get("loc", ())[1:]) for err in exc.errors()})
    named = ", ".join(f for f in fields if f)
    detail = (
        _("Some of what was sent could not be understood ({fields}).").format(fields=named)
        if named
        else _("Some of what was sent could not be understood.")
    )
    return problem(
        request, 422, detail + " " + _("Nothing was changed; go back and try again."), fields=fields
    )


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
    draft = None
    if request.method == "POST" and not wants_json(request):
        form = await request.form()
        body = form.get("body")
        draft = body if isinstance(body, str) and body.strip() else None
    return problem(request, 401, detail, draft=draft, sign_in=True)


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
    app.add_exception_handler(ReauthenticationNeeded, _reauthenticate)
    app.add_exception_handler(Exception, _unexpected)

"""Account security pages: password reset, confirming an email address, two-step sign-in,
re-authentication and the list of signed-in devices."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app import i18n
from app.accounts import recovery, service
from app.accounts.signin import signed_in
from app.deps import ClockDep, LimiterDep, SessionDep, SettingsDep
from app.i18n import _
from app.templating import render

router = APIRouter()

FormStr = Annotated[str, Form(max_length=4096)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit_email_links(
    request: Request, limiter: LimiterDep, settings: SettingsDep, address: str
) -> None:
    """Emailed links are rate-limited per network and per address asked for, whether or not an
    account uses the address (so the limit reveals nothing either)."""
    message = _("Too many emails have been asked for. Please wait an hour and try again.")
    limiter.hit(
        settings.email_link_limit_per_ip, "email-link-ip", client_ip(request), message=message
    )
    limiter.hit(
        settings.email_link_limit_per_address,
        "email-link-address",
        service.normalise_email(address),
        message=message,
    )


def link_expired(request: Request, title: str, detail: str) -> Response:
    return render(
        request,
        "accounts/link_expired.html",
        {"title": title, "detail": detail},
        status_code=410,
    )


# ---- password reset ------------------------------------------------------------------------


@router.get("/password/forgot")
def forgot_form(request: Request) -> Response:
    return render(request, "accounts/forgot.html", {"errors": {}, "email": ""})


@router.post("/password/forgot")
def forgot(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
    email: FormStr = "",
) -> Response:
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return render(
            request,
            "accounts/forgot.html",
            {
                "errors": {"email": _("Enter an email address like name@example.org.")},
                "email": email,
            },
            status_code=422,
        )
    limit_email_links(request, limiter, settings, address)
    recovery.request_reset(db, settings, address, now=clock.now(), language=i18n.current_language())
    # The same page whether or not an account uses the address.
    return render(
        request,
        "accounts/email_sent.html",
        {
            "heading": _("Check your email"),
            "message": _(
                "If a Harbour account uses {email}, we have sent it a link to choose a new "
                "password. The link works once, for 30 minutes."
            ).format(email=address),
        },
    )


@router.get("/password/reset/{token}")
def reset_form(
    request: Request, db: SessionDep, settings: SettingsDep, clock: ClockDep, token: str
) -> Response:
    if recovery.reset_link(db, settings, token, now=clock.now()) is None:
        return _reset_link_expired(request)
    return render(request, "accounts/reset.html", {"token": token, "errors": {}})


def _reset_link_expired(request: Request) -> Response:
    return link_expired(
        request,
        _("This reset link no longer works"),
        _(
            "Reset links work once, for 30 minutes, and only the newest one you asked for works. "
            "Ask for a new link below."
        ),
    )


@router.post("/password/reset/{token}")
def reset(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    token: str,
    password: FormStr = "",
) -> Response:
    now = clock.now()
    link = recovery.reset_link(db, settings, token, now=now)
    if link is None:
        return _reset_link_expired(request)
    try:
        account = recovery.reset_password(db, settings, link, password, now=now)
    except service.PasswordRefused as exc:
        return render(
            request,
            "accounts/reset.html",
            {"token": token, "errors": {"password": exc.message}},
            status_code=422,
        )
    except service.LinkUsed:
        return _reset_link_expired(request)
    return signed_in(request, db, settings, account, "/?notice=password_reset")

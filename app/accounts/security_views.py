"""Account security pages: password reset, confirming an email address, two-step sign-in,
re-authentication and the list of signed-in devices."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import i18n
from app.accounts import recovery, service, verification
from app.accounts.signin import signed_in
from app.deps import (
    AssessmentsDep,
    ClockDep,
    CurrentUser,
    LimiterDep,
    OptionalUser,
    SessionDep,
    SettingsDep,
)
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
    assessments: AssessmentsDep,
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
    for post in verification.posts_to_release(db, account):
        assessments.after_saving(db, post)
    return signed_in(request, db, settings, account, "/?notice=password_reset")


# ---- confirming an email address ------------------------------------------------------------


def _confirmation_expired(request: Request) -> Response:
    return link_expired(
        request,
        _("This confirmation link no longer works"),
        _(
            "Confirmation links work once, for 48 hours, and only the newest one works. "
            "Sign in to send yourself a new one."
        ),
    )


@router.get("/verify-email/{token}")
def confirm_email_page(
    request: Request, db: SessionDep, settings: SettingsDep, clock: ClockDep, token: str
) -> Response:
    """A button to press, not a change on opening: mail scanners open links too."""
    link = verification.confirmation_link(db, settings, token, now=clock.now())
    if link is None:
        return _confirmation_expired(request)
    return render(request, "accounts/confirm_email.html", {"token": token, "address": link.email})


@router.post("/verify-email/{token}")
def confirm_email(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    assessments: AssessmentsDep,
    user: OptionalUser,
    token: str,
) -> Response:
    link = verification.confirmation_link(db, settings, token, now=clock.now())
    if link is None:
        return _confirmation_expired(request)
    next_path = link.next_path or "/"
    try:
        account = verification.confirm(db, link, now=clock.now())
    except service.LinkUsed:
        return _confirmation_expired(request)
    except verification.AddressTaken:
        return link_expired(
            request,
            _("That address is already in use"),
            _("Another Harbour account now uses that email address, so yours has not changed."),
        )
    for post in verification.posts_to_release(db, account):
        assessments.after_saving(db, post)
    if user is None or user.id != account.id:
        return RedirectResponse(
            f"/login?notice=email_verified&next={quote(next_path)}", status_code=303
        )
    if next_path == "/":
        next_path = "/?notice=email_verified"
    return RedirectResponse(next_path, status_code=303)


@router.post("/account/verify-email/resend")
def resend_confirmation(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
    user: CurrentUser,
) -> Response:
    if user.email_verified:
        return RedirectResponse("/account", status_code=303)
    limiter.hit(
        settings.verification_resend_limit,
        "verify-resend",
        str(user.id),
        message=_(
            "We have sent you several links already. Please wait an hour, and look in your spam "
            "or junk folder."
        ),
    )
    verification.send_link(
        db, settings, user, now=clock.now(), next_path=verification.waiting_next_path(db, user)
    )
    return render(
        request,
        "accounts/email_sent.html",
        {
            "heading": _("Check your email"),
            "message": _(
                "We have sent a new link to {email}. Open it within 48 hours to confirm your "
                "address; older links no longer work."
            ).format(email=user.email),
        },
    )

"""Account security pages: password reset, confirming an email address, two-step sign-in,
re-authentication and the list of signed-in devices."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from app import i18n
from app.accounts import recovery, service, two_factor, verification
from app.accounts.passwords import verify_password
from app.accounts.signin import safe_next
from app.accounts.two_factor_views import CODE_ERRORS, continue_sign_in
from app.deps import (
    AssessmentsDep,
    ClockDep,
    CurrentUser,
    LimiterDep,
    OptionalUser,
    PathId,
    RecentlyAuthenticated,
    SessionDep,
    SettingsDep,
)
from app.i18n import N_, _
from app.templating import render

router = APIRouter()

FormStr = Annotated[str, Form(max_length=4096)]
# A link's token: random URL-safe text, far shorter than this.
LinkToken = Annotated[str, Path(max_length=256)]


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
    request: Request, db: SessionDep, settings: SettingsDep, clock: ClockDep, token: LinkToken
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
    token: LinkToken,
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
    # An emailed link proves the address, not the second factor: that is still asked for.
    return continue_sign_in(
        request, db, settings, account, "/?notice=password_reset", int(now.timestamp())
    )


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
    request: Request, db: SessionDep, settings: SettingsDep, clock: ClockDep, token: LinkToken
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
    token: LinkToken,
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


# ---- confirming it's you, changing email and password ---------------------------------------


@router.get("/account/confirm")
def confirm_identity_form(
    request: Request, user: CurrentUser, next: Annotated[str, Query(max_length=2048)] = "/account"
) -> Response:
    return render(
        request,
        "accounts/confirm_identity.html",
        {"next": safe_next(next), "error": None, "two_factor": user.has_two_factor},
    )


@router.post("/account/confirm")
def confirm_identity(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
    user: CurrentUser,
    password: FormStr = "",
    code: Annotated[str, Form(max_length=32)] = "",
    next: FormStr = "/account",
) -> Response:
    limiter.hit(
        settings.reauthentication_limit_per_account,
        "reauthenticate",
        str(user.id),
        message=_("Too many attempts. Please wait a few minutes and try again."),
    )
    # With two-factor sign-in on, a code from the app proves it as well as the password does.
    if user.has_two_factor and code.strip() and not password:
        result = two_factor.check_second_factor(db, settings, user, code, clock.now())
        proven = result is two_factor.CodeCheck.ACCEPTED
        error = _(CODE_ERRORS.get(result, CODE_ERRORS[two_factor.CodeCheck.WRONG]))
    else:
        proven = verify_password(password, user.password_hash)
        error = _("That password is not right. Try again.")
    if not proven:
        return render(
            request,
            "accounts/confirm_identity.html",
            {"next": safe_next(next), "error": error, "two_factor": user.has_two_factor},
            status_code=401,
        )
    service.reauthenticate(db, request.state.user_session, clock.now())
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/account/email-address")
def change_email_form(request: Request, user: RecentlyAuthenticated) -> Response:
    return render(request, "accounts/change_email.html", {"errors": {}, "email": ""})


@router.post("/account/email-address")
def change_email(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
    user: RecentlyAuthenticated,
    email: FormStr = "",
) -> Response:
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        address = ""
    if not address or address == user.email:
        problem = (
            _("Enter an email address like name@example.org.")
            if not address
            else _("That is already your email address.")
        )
        return render(
            request,
            "accounts/change_email.html",
            {"errors": {"email": problem}, "email": email},
            status_code=422,
        )
    limit_email_links(request, limiter, settings, address)
    verification.request_address_change(db, settings, user, address, now=clock.now())
    return render(
        request,
        "accounts/email_sent.html",
        {
            "heading": _("Check your new address"),
            "message": _(
                "We have sent a link to {email}. Your address stays {current} until you open "
                "it (within 48 hours) and confirm."
            ).format(email=address, current=user.email),
        },
    )


@router.get("/account/password")
def change_password_form(request: Request, user: RecentlyAuthenticated) -> Response:
    return render(request, "accounts/change_password.html", {"errors": {}})


@router.post("/account/password")
def change_password(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: RecentlyAuthenticated,
    password: FormStr = "",
) -> Response:
    try:
        service.check_new_password(user, password)
    except service.PasswordRefused as exc:
        return render(
            request,
            "accounts/change_password.html",
            {"errors": {"password": exc.message}},
            status_code=422,
        )
    service.set_password(
        db, settings, user, password, now=clock.now(), keep=request.state.user_session
    )
    return RedirectResponse("/account/sessions?notice=password_changed", status_code=303)


# ---- signed-in devices --------------------------------------------------------------------

SESSION_NOTICES = {
    "password_changed": N_(
        "Your password has been changed, and every other device has been signed out."
    ),
    "ended": N_("That device has been signed out."),
    "ended_others": N_("Every other device has been signed out."),
}


@router.get("/account/sessions")
def sessions_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: CurrentUser,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": service.live_sessions(db, user.id, settings, clock.now()),
            "current_id": request.state.user_session.id,
            "notice": SESSION_NOTICES.get(notice),
        },
    )


@router.post("/account/sessions/{session_id}/end")
def end_device_session(
    db: SessionDep, clock: ClockDep, user: CurrentUser, session_id: PathId
) -> Response:
    if not service.end_own_session(db, user, session_id, clock.now()):
        raise HTTPException(404, _("That device is not signed in to your account."))
    return RedirectResponse("/account/sessions?notice=ended", status_code=303)


@router.post("/account/sessions/end-others")
def end_other_sessions(
    request: Request, db: SessionDep, clock: ClockDep, user: CurrentUser
) -> Response:
    service.end_all_sessions(db, user.id, now=clock.now(), keep=request.state.user_session)
    return RedirectResponse("/account/sessions?notice=ended_others", status_code=303)

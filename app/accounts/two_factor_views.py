"""Two-factor sign-in pages: the second step of signing in, and setting it up or off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import two_factor
from app.accounts.models import User
from app.accounts.signin import safe_next, signed_in
from app.deps import (
    ClockDep,
    FormId,
    LimiterDep,
    RecentlyAuthenticated,
    SessionDep,
    SettingsDep,
)
from app.i18n import N_, _
from app.security import signature, signature_is_valid
from app.templating import render

router = APIRouter()

# A password proven, the code still to come: the form that asks for it is good for this long.
SECOND_STEP_MINUTES = 10
SECOND_STEP = "two-factor-sign-in"  # what the second step's signature is for
CodeField = Annotated[str, Form(max_length=32)]


def _second_step_proof(settings: SettingsDep, user: User, expires: int) -> str:
    # The password hash is signed too: a password change meanwhile voids the half-done sign-in.
    return signature(settings.secret_key, SECOND_STEP, user.id, expires, user.password_hash)


def continue_sign_in(
    request: Request, db: SessionDep, settings: SettingsDep, user: User, next_url: str, now: int
) -> Response:
    """The password (or an emailed reset link) is proven: sign in, or ask for the code first."""
    if user.has_two_factor:
        return second_step(request, settings, user, next_url, now)
    return signed_in(request, db, settings, user, next_url)


def second_step(
    request: Request,
    settings: SettingsDep,
    user: User,
    next_url: str,
    now: int,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The page asking for the authenticator code, after a right password."""
    expires = now + SECOND_STEP_MINUTES * 60
    return render(
        request,
        "accounts/two_factor_sign_in.html",
        {
            "user_id": user.id,
            "expires": expires,
            "token": _second_step_proof(settings, user, expires),
            "next": safe_next(next_url),
            "error": error,
        },
        status_code=status_code,
    )


CODE_ERRORS = {
    two_factor.CodeCheck.WRONG: N_(
        "That code is not right. Type the 6-digit code your authenticator app shows now, "
        "or one of your recovery codes."
    ),
    two_factor.CodeCheck.REPLAYED: N_(
        "That code has been used already. Wait for your app to show a new one, then type it."
    ),
}


@router.post("/login/two-factor")
def sign_in_second_step(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
    user_id: FormId,
    expires: Annotated[int, Form(ge=0, le=2**40)],
    token: Annotated[str, Form(max_length=64)],
    code: CodeField = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    now = clock.now()
    user = db.get(User, user_id)
    if (
        user is None
        or not user.is_active
        or expires < now.timestamp()
        or not signature_is_valid(
            settings.secret_key, token, SECOND_STEP, user_id, expires, user.password_hash
        )
    ):
        raise HTTPException(
            403, _("This sign-in form has expired. Sign in again with your password.")
        )
    keys = ("two-factor", str(user.id))
    wait = limiter.wait_left(*keys)
    if wait:
        response = second_step(
            request,
            settings,
            user,
            next,
            int(now.timestamp()),
            _("Too many wrong codes. Please wait {seconds} seconds and try again.").format(
                seconds=wait
            ),
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    result = two_factor.check_second_factor(db, settings, user, code, now)
    if result is not two_factor.CodeCheck.ACCEPTED:
        limiter.failed(
            *keys, free=settings.login_free_failures, longest=settings.login_longest_wait_seconds
        )
        return second_step(
            request,
            settings,
            user,
            next,
            int(now.timestamp()),
            _(CODE_ERRORS[result]),
            status_code=401,
        )
    limiter.succeeded(*keys)
    return signed_in(request, db, settings, user, next)


# ---- setting it up ---------------------------------------------------------------------------

TWO_FACTOR_NOTICES = {
    "off": N_("Two-factor sign-in is off. You sign in with your password alone."),
}


def _setup_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: User,
    next_url: str,
    secret: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    secret = secret or two_factor.new_secret()
    uri = two_factor.provisioning_uri(secret, user.email)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "user": user,
            "required": two_factor.required_for(db, settings, user),
            "secret": secret,
            "secret_grouped": two_factor.grouped(secret),
            "secret_proof": signature(
                settings.secret_key, two_factor.SETUP_PURPOSE, user.id, secret
            ),
            "qr_code": two_factor.qr_code_data_uri(uri),
            "codes_left": two_factor.recovery_codes_left(db, user) if user.has_two_factor else 0,
            "next": safe_next(next_url),
            "error": error,
            "notice": TWO_FACTOR_NOTICES.get(request.query_params.get("notice", "")),
        },
        status_code=status_code,
    )


@router.get("/account/two-factor")
def two_factor_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: RecentlyAuthenticated,
    next: Annotated[str, Query(max_length=2048)] = "/",
) -> Response:
    return _setup_page(request, db, settings, user, next)


@router.post("/account/two-factor")
def turn_on(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
    user: RecentlyAuthenticated,
    secret: Annotated[str, Form(pattern="^[A-Z2-7]{32}$")],
    proof: Annotated[str, Form(max_length=64)],
    code: CodeField = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    if user.has_two_factor:
        return RedirectResponse("/account/two-factor", status_code=303)
    if not signature_is_valid(
        settings.secret_key, proof, two_factor.SETUP_PURPOSE, user.id, secret
    ):
        raise HTTPException(403, _("This set-up form has expired. Open the page again."))
    limiter.hit(
        settings.reauthentication_limit_per_account,
        "two-factor-setup",
        str(user.id),
        message=_("Too many attempts. Please wait a few minutes and try again."),
    )
    codes = two_factor.enable(db, settings, user, secret, code, clock.now())
    if codes is None:
        return _setup_page(
            request,
            db,
            settings,
            user,
            next,
            secret=secret,
            error=_(
                "That code doesn't match. Check that the app shows Harbour, then type the "
                "6-digit code it shows now."
            ),
            status_code=422,
        )
    return _recovery_codes_page(request, codes, next, just_enabled=True)


def _recovery_codes_page(
    request: Request, codes: list[str], next_url: str, just_enabled: bool
) -> Response:
    response = render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": safe_next(next_url), "just_enabled": just_enabled},
    )
    # Shown once: no copy kept by the browser's cache or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/two-factor/recovery-codes")
def new_recovery_codes(
    request: Request, db: SessionDep, settings: SettingsDep, user: RecentlyAuthenticated
) -> Response:
    if not user.has_two_factor:
        return RedirectResponse("/account/two-factor", status_code=303)
    codes = two_factor.new_recovery_codes(db, settings, user)
    return _recovery_codes_page(request, codes, "/account/two-factor", just_enabled=False)


@router.post("/account/two-factor/off")
def turn_off(db: SessionDep, settings: SettingsDep, user: RecentlyAuthenticated) -> Response:
    if two_factor.required_for(db, settings, user):
        raise HTTPException(
            403,
            _(
                "Moderators and admins must use two-factor sign-in, so it stays on. If you lose "
                "your phone, sign in with one of your recovery codes, or ask an admin to reset it."
            ),
        )
    if user.has_two_factor:
        two_factor.disable(db, user)
    return RedirectResponse("/account/two-factor?notice=off", status_code=303)

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app import i18n
from app.accounts import data, service, verification
from app.accounts.models import AVATARS, AccountStatus, User
from app.accounts.security_views import client_ip, limit_email_links
from app.accounts.signin import safe_next
from app.accounts.two_factor_views import continue_sign_in
from app.db import utcnow
from app.deps import (
    ClockDep,
    CurrentUser,
    FormId,
    Handle,
    LimiterDep,
    OptionalUser,
    PathId,
    RecentlyAuthenticated,
    SessionDep,
    SettingsDep,
    Submission,
)
from app.forms.views import FormRejected
from app.i18n import N_, _
from app.moderation_queue import sanctions
from app.moderation_queue.models import SANCTION_WORDS, Sanction
from app.notifications import email
from app.security import SESSION_COOKIE, signature, signature_is_valid
from app.templating import render

router = APIRouter()

FormStr = Annotated[str, Form(max_length=4096)]


NextQuery = Annotated[str, Query(max_length=2048)]


@router.get("/register")
def register_form(request: Request, user: OptionalUser, next: NextQuery = "/") -> Response:
    if user:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request, "accounts/register.html", {"errors": {}, "values": {}, "next": safe_next(next)}
    )


@router.post("/register")
def register(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
    handle: FormStr = "",
    email: FormStr = "",
    password: FormStr = "",
    consent: Annotated[str, Form(max_length=8)] = "",
    next: FormStr = "/",
) -> Response:
    limiter.hit(
        settings.register_limit_per_ip,
        "register",
        client_ip(request),
        message=_("Too many new accounts from this network. Please try again later."),
    )
    try:
        verification.sign_up(
            db,
            settings,
            handle=handle,
            email=email,
            password=password,
            language=i18n.current_language(),
            next_path=safe_next(next),
            now=clock.now(),
            consented=consent == "yes",
        )
    except service.RegistrationError as exc:
        return render(
            request,
            "accounts/register.html",
            {
                "errors": exc.errors,
                "values": {"handle": handle, "email": email, "consent": consent == "yes"},
                "next": safe_next(next),
            },
            status_code=422,
        )
    address = service.normalise_email(email)
    limit_email_links(request, limiter, settings, address)
    # The same page whether the address was new or already had an account.
    return render(
        request,
        "accounts/email_sent.html",
        {
            "heading": _("Check your email"),
            "message": _(
                "We have sent an email to {email}. Open the link in it within 48 hours to "
                "confirm your address."
            ).format(email=address),
            "extra": _(
                "Then sign in with the email address and password you chose. If the email "
                "doesn't come, sign in anyway: you can send the link again from there."
            ),
        },
    )


LOGIN_NOTICES = {
    "email_verified": N_("Thank you: your email address is confirmed. Sign in to continue."),
}


@router.get("/login")
def login_form(
    request: Request,
    user: OptionalUser,
    next: NextQuery = "/",
    expired: bool = False,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    if user:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request,
        "accounts/login.html",
        {
            "next": safe_next(next),
            "expired": expired,
            "error": None,
            "notice": LOGIN_NOTICES.get(notice),
        },
    )


@router.post("/login")
def login(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    email: FormStr = "",
    password: FormStr = "",
    next: FormStr = "/",
) -> Response:
    # The client's address, as the trusted proxy saw it (app/security.py TrustedProxies).
    ip = request.client.host if request.client else "unknown"
    message = _("Too many sign-in attempts. Please wait a few minutes and try again.")
    limiter.hit(settings.login_limit_per_ip, "login-ip", ip, message=message)
    pair = ("login", service.email_key(email), ip)
    wait = limiter.wait_left(*pair)
    if wait:
        return _login_page(
            request,
            next,
            email,
            _(
                "Too many wrong passwords for this account from here. Please wait {seconds} "
                "seconds and try again."
            ).format(seconds=wait),
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    user = service.check_credentials(db, email, password)
    if user is None:
        limiter.failed(
            *pair, free=settings.login_free_failures, longest=settings.login_longest_wait_seconds
        )
    else:
        limiter.succeeded(*pair)
    if user is not None and user.status is AccountStatus.DEACTIVATED:
        ban = sanctions.site_ban_of(db, user)
        if ban is not None:
            # The password is proven, so they may read why and appeal (once), though not sign in.
            return _closed_account(request, db, settings, user, ban, status_code=403)
        user = None
    if user is None:
        # The same words whether the email or the password was wrong.
        error = _("That email and password don't match an account. Check both and try again.")
        return _login_page(request, next, email, error, status_code=401)
    return continue_sign_in(request, db, settings, user, next, int(utcnow().timestamp()))


def _login_page(
    request: Request,
    next_url: str,
    email: str,
    error: str,
    status_code: int,
    headers: dict[str, str] | None = None,
) -> Response:
    response = render(
        request,
        "accounts/login.html",
        {"next": safe_next(next_url), "expired": False, "email": email, "error": error},
        status_code=status_code,
    )
    response.headers.update(headers or {})
    return response


@router.post("/logout")
def logout(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    service.end_session(db, request.state.user_session)
    response = RedirectResponse("/?notice=signed_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/logout-everywhere")
def logout_everywhere(db: SessionDep, user: CurrentUser) -> Response:
    service.end_all_sessions(db, user.id)
    response = RedirectResponse("/?notice=signed_out_everywhere", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
def account(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "accounts/account.html",
        {
            "user": user,
            "live_sessions": service.count_live_sessions(db, user.id),
            "muted": data.muted_members(db, user),
            "on_break": data.on_break(user),
            "email_preferences": email.PREFERENCES,
            "avatars": AVATARS,
        },
    )


@router.get("/account/sanctions")
def my_sanctions(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    mine = sanctions.of_member(db, user.id)
    appealed = sanctions.appealed_ids(db, [s.id for s in mine])
    return render(
        request,
        "accounts/sanctions.html",
        {
            "sanctions": mine,
            "appealed": appealed,
            "now": utcnow(),
            "kind_words": SANCTION_WORDS,
        },
    )


@router.post("/account/sanctions/{sanction_id}/acknowledge")
def acknowledge(db: SessionDep, user: CurrentUser, sanction_id: PathId) -> Response:
    sanctions.acknowledge(db, user, sanction_id)
    return RedirectResponse("/account/sanctions?acknowledged=1", status_code=303)


@router.post("/account/sanctions/{sanction_id}/appeal")
def appeal(
    db: SessionDep,
    user: CurrentUser,
    submission: Submission,
    sanction_id: PathId,
    body: Annotated[str, Form(min_length=1, max_length=4000)],
) -> Response:
    if earlier := submission.replay():
        return earlier
    try:
        sanctions.appeal(db, user, sanction_id, body.strip())
    except sanctions.AppealRefused as exc:
        raise HTTPException(409, exc.message) from exc
    return submission.done(RedirectResponse("/account/sanctions?appealed=1", status_code=303))


BAN_APPEAL_MINUTES = 30
BAN_APPEAL = "ban-appeal"  # what the appeal form's signature is for


def _closed_account(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: service.User,
    ban: Sanction,
    status_code: int = 200,
) -> Response:
    """Why a site-wide ban closed the account, and (once) a form to appeal it."""
    expires = int(utcnow().timestamp()) + BAN_APPEAL_MINUTES * 60
    return render(
        request,
        "accounts/closed.html",
        {
            "ban": ban,
            "appeal": sanctions.appeal_of(db, ban),
            "proof": {
                "user_id": user.id,
                "sanction_id": ban.id,
                "expires": expires,
                "token": signature(settings.secret_key, BAN_APPEAL, user.id, ban.id, expires),
            },
        },
        status_code=status_code,
    )


@router.post("/account/closed/appeal")
def appeal_closed_account(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user_id: FormId,
    sanction_id: FormId,
    expires: Annotated[int, Form(ge=0, le=2**40)],
    token: Annotated[str, Form(max_length=64)],
    body: Annotated[str, Form(min_length=1, max_length=4000)],
) -> Response:
    """A banned member's appeal, proven by the signed form they got by signing in with their
    password (a closed account has no session)."""
    fresh = expires >= utcnow().timestamp()
    if not fresh or not signature_is_valid(
        settings.secret_key, token, BAN_APPEAL, user_id, sanction_id, expires
    ):
        raise HTTPException(
            403, _("This form has expired. Sign in again to send your appeal; nothing was sent.")
        )
    user = db.get(service.User, user_id)
    ban = sanctions.site_ban_of(db, user) if user is not None else None
    if user is None or ban is None or ban.id != sanction_id:
        return RedirectResponse("/login", status_code=303)  # lifted meanwhile: they can sign in
    try:
        sanctions.appeal(db, user, sanction_id, body.strip())
    except sanctions.AppealRefused as exc:
        raise HTTPException(409, exc.message) from exc
    return _closed_account(request, db, settings, user, ban)


@router.get("/account/posts")
def my_posts(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return render(request, "accounts/posts.html", {"rows": data.my_posts(db, user)})


@router.post("/account/break")
def take_a_break(
    db: SessionDep, user: CurrentUser, days: Annotated[int, Form(ge=1, le=365)] = 7
) -> Response:
    data.take_a_break(user, days)
    return RedirectResponse("/?notice=break", status_code=303)


@router.post("/account/break/end")
def end_break(db: SessionDep, user: CurrentUser) -> Response:
    data.end_break(user)
    return RedirectResponse("/?notice=break_over", status_code=303)


@router.post("/members/{handle}/mute")
def mute_member(
    db: SessionDep,
    user: CurrentUser,
    handle: Handle,
    back: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    other = service.get_by_handle(db, handle)
    if other is None or other.deleted_at is not None:
        raise HTTPException(404, _("There is no member with that handle."))
    data.mute(db, user, other)
    return RedirectResponse(safe_next(back), status_code=303)


@router.post("/account/muted/{user_id}/unmute")
def unmute_member(db: SessionDep, user: CurrentUser, user_id: PathId) -> Response:
    data.unmute(db, user, user_id)
    return RedirectResponse("/account", status_code=303)


@router.get("/account/export.json")
def export_json(db: SessionDep, settings: SettingsDep, user: RecentlyAuthenticated) -> Response:
    return JSONResponse(
        data.export(db, user, settings),
        headers={"Content-Disposition": 'attachment; filename="harbour-my-data.json"'},
    )


@router.get("/account/export.html")
def export_html(
    request: Request, db: SessionDep, settings: SettingsDep, user: RecentlyAuthenticated
) -> Response:
    response = render(request, "accounts/export.html", {"data": data.export(db, user, settings)})
    response.headers["Content-Disposition"] = 'attachment; filename="harbour-my-data.html"'
    return response


DELETE_PHRASE = N_("delete my account")


@router.get("/account/delete")
def delete_form(request: Request, user: RecentlyAuthenticated) -> Response:
    return render(request, "accounts/delete.html", {"phrase": _(DELETE_PHRASE)})


@router.post("/account/delete")
def delete_account(
    db: SessionDep,
    user: RecentlyAuthenticated,
    posts: Annotated[str, Form(pattern="^(keep|remove)$")],
    confirm: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    return delete_confirmed(db, user, posts, confirm)


def delete_confirmed(db: SessionDep, user: User, posts: str, confirm: str) -> Response:
    """Delete the account once the member typed the phrase, and sign this browser out."""
    # The phrase is typed in the reader's language; the English one always works too.
    if confirm.strip().lower() not in {DELETE_PHRASE, _(DELETE_PHRASE).lower()}:
        raise HTTPException(
            422,
            _("Type “{phrase}” to confirm. Nothing has been deleted.").format(
                phrase=_(DELETE_PHRASE)
            ),
        )
    data.delete_account(db, user, remove_posts=posts == "remove")
    response = RedirectResponse("/?notice=deleted", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/members/{handle}")
def profile(request: Request, db: SessionDep, viewer: CurrentUser, handle: Handle) -> Response:
    """A member's public face: handle, avatar, short bio and badges; nothing else, no forum names."""
    member = service.get_by_handle(db, handle)
    if member is None or member.deleted_at is not None:
        raise HTTPException(404, _("There is no member with that handle."))
    return render(
        request,
        "accounts/profile.html",
        {"member": member, "badges": service.badges(db, member), "is_me": member.id == viewer.id},
    )


@router.post("/account/profile")
def update_profile(
    db: SessionDep,
    user: CurrentUser,
    bio: Annotated[str, Form(max_length=280)] = "",
    avatar: Annotated[str, Form(max_length=16)] = "wave",
) -> Response:
    if avatar not in AVATARS:
        raise FormRejected({"avatar": _("Choose one of the avatars shown.")})
    user.bio = bio.strip()
    user.avatar = avatar
    return RedirectResponse(f"/members/{user.handle}", status_code=303)


@router.post("/language")
def choose_language(
    user: OptionalUser,
    language: Annotated[str, Form(max_length=5)],
    back: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    if language not in i18n.LANGUAGES:
        raise FormRejected({"language": _("Choose English or Cymraeg.")})
    if user is not None:
        user.language = language  # so emails come in it too
    response = RedirectResponse(safe_next(back), status_code=303)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True
    )
    return response

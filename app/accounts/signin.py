"""Finishing a sign-in on the web: the session cookie, and where the member goes next."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts import devices, service
from app.accounts.models import User
from app.config import Settings
from app.security import SESSION_COOKIE, is_https


def safe_next(next_url: str | None) -> str:
    """Only same-site paths: never redirect a member to another site after signing in."""
    if not next_url:
        return "/"
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not next_url.startswith("/") or next_url.startswith("//"):
        return "/"
    return next_url


def signed_in(
    request: Request, db: Session, settings: Settings, user: User, next_url: str
) -> Response:
    """Start a session for `user` (whose sign-in is proven) and send them on."""
    device = devices.describe(request.headers.get("user-agent", ""))
    new = service.start_session(db, user, settings, device=device)
    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=settings.session_absolute_days * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request.scope, settings.cookie_secure),
        path="/",
    )
    return response

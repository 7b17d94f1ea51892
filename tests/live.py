"""Members of a live server (real HTTP): clients signed in with a session made in the database."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.config import Settings
from app.security import ANON_COOKIE, SESSION_COOKIE, csrf_token_for
from bench.server import SECRET_KEY


def member_client(base_url: str, db: Session, user: User, *, timeout: float = 60) -> httpx.Client:
    """A client already signed in as `user`, sending its CSRF token with every request (as htmx
    does), without spending a sign-in request and a password hash on each one."""
    new = accounts.start_session(db, user, Settings(secret_key=SECRET_KEY))
    db.commit()
    return session_client(base_url, new.token, timeout=timeout)


def session_client(base_url: str, token: str, *, timeout: float = 60) -> httpx.Client:
    """Another client (a second tab, another device) of the same session."""
    client = httpx.Client(base_url=base_url, timeout=timeout, verify=False)  # loopback, plain HTTP
    client.cookies.set(SESSION_COOKIE, token)
    client.headers["X-CSRF-Token"] = csrf_token_for(SECRET_KEY, token)
    return client


def anonymous_client(base_url: str, *, timeout: float = 60) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=timeout, verify=False)  # loopback, plain HTTP
    client.cookies.set(ANON_COOKIE, "anonymous-visitor-of-the-live-tests")
    client.headers["X-CSRF-Token"] = csrf_token_for(
        SECRET_KEY, "anonymous-visitor-of-the-live-tests"
    )
    return client

"""Security that every response and every state-changing request gets.

- CSRF: a synchronizer token bound to the visitor: the HMAC of their session cookie when signed in,
  otherwise of a random anonymous cookie. Every unsafe request must carry it (form field
  `csrf_token` or header `X-CSRF-Token`, which htmx sends from the body's hx-headers).
- Headers: a strict CSP with no inline script or style, nosniff, Referrer-Policy, frame denial,
  and `Cache-Control: no-store` on anything served to a signed-in visitor.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import _

SESSION_COOKIE = "harbour_session"
ANON_COOKIE = "harbour_anon"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}


def signature(secret_key: str, purpose: str, *parts: object) -> str:
    """An HMAC over `purpose` and `parts`: links and forms that prove what the server issued."""
    message = ":".join([purpose, *(str(p) for p in parts)])
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def signature_is_valid(
    secret_key: str, sent: str, purpose: str, *parts: object, length: int = 64
) -> bool:
    """Whether `sent` is the signature (its first `length` characters) of these parts."""
    expected = signature(secret_key, purpose, *parts)[:length]
    return hmac.compare_digest(expected.encode(), sent.encode())


def csrf_token_for(secret_key: str, binding: str) -> str:
    return signature(secret_key, "csrf", binding)


def csrf_binding(request: Request) -> str:
    return str(request.scope["state"]["csrf_binding"])


def csrf_token(request: Request) -> str:
    """This visitor's token, signed once per request however many forms the page carries."""
    state = request.scope["state"]
    token = state.get("csrf_token")
    if token is None or state.get("csrf_token_binding") != state["csrf_binding"]:
        token = csrf_token_for(request.app.state.settings.secret_key, csrf_binding(request))
        state["csrf_token"], state["csrf_token_binding"] = token, state["csrf_binding"]
    return str(token)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413,
        detail=_(
            "What you sent is larger than {limit} MB, so nothing was saved. Go back: your "
            "text is still in the form. Attach fewer or smaller pictures and send it again."
        ).format(limit=limit // (1024 * 1024)),
        headers={"connection": "close"},
    )


def refuse_oversized_body(request: Request) -> None:
    """Refuse a body that says it is larger than any form needs (pictures included) before
    reading it. A body that does not say (chunked) or lies is stopped by BodyLimit as it comes."""
    limit = request.app.state.settings.upload_request_max_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise _too_large(limit)


class BodyLimit:
    """Pure ASGI: a request body is counted as it arrives, whatever Content-Length said (or
    without one, when it is sent chunked); past `limit` bytes reading stops with the same 413
    page, raised where the form was being read, so the request's transaction rolls back and
    nothing it carried is kept. A body shorter than it claimed is the server's concern."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _too_large(self.limit)
            return message

        await self.app(scope, counted, send)


def proven_by_signed_address(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a POST route whose address carries a server-signed token (the email unsubscribe
    link): the token proves the request, so it needs no CSRF token. A mail client's RFC 8058
    one-click POST has no cookie and no form token to send."""
    endpoint.proven_by_signed_address = True  # type: ignore[attr-defined]
    return endpoint


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: refuse an unsafe request that lacks this visitor's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    refuse_oversized_body(request)
    if getattr(request.scope.get("endpoint"), "proven_by_signed_address", False):
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise HTTPException(
            status_code=403,
            detail=_(
                "This form has expired or was sent from another site, so nothing was changed. "
                "Go back, reload the page and try again."
            ),
        )


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


class TrustedProxies:
    """Pure ASGI: the client's address and scheme from X-Forwarded-For / -Proto, believed only
    from the proxies named in settings, and only the hop they added (the rightmost): anything
    further left was written by the client and can say anything. Without trusted proxies the
    headers are ignored, so rotating X-Forwarded-For dodges no limit."""

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.app = app
        self.networks = [
            ipaddress.ip_network(part.strip(), strict=False)
            for part in trusted.split(",")
            if part.strip()
        ]

    def trusts(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and self.networks and self.trusts(client[0]):
            headers = dict(scope.get("headers", []))
            forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
            last_hop = forwarded.split(",")[-1].strip()
            if last_hop:
                scope = {**scope, "client": (last_hop, 0)}
            proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
            if proto in ("http", "https"):
                scope = {**scope, "scheme": proto}
        await self.app(scope, receive, send)


def is_https(scope: Scope, cookie_secure: bool | None) -> bool:
    if cookie_secure is not None:
        return cookie_secure
    return scope.get("scheme") == "https"


class SecurityMiddleware:
    """Pure ASGI (no per-request task overhead): CSRF binding cookie and security headers."""

    def __init__(self, app: ASGIApp, cookie_secure: bool | None = None, hsts: bool = False) -> None:
        self.app = app
        self.cookie_secure = cookie_secure
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        session_cookie = cookies.get(SESSION_COOKIE)
        anon = cookies.get(ANON_COOKIE)
        new_anon = None
        if not session_cookie and not anon:
            anon = new_anon = secrets.token_urlsafe(24)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["csrf_binding"] = session_cookie or anon
        is_static = scope["path"].startswith("/static/")
        secure = is_https(scope, self.cookie_secure)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
                if self.hsts:
                    # Production is served over HTTPS only: browsers never try plain HTTP again.
                    headers["strict-transport-security"] = HSTS
                if not is_static and (session_cookie or state.get("signed_in")):
                    headers["cache-control"] = "no-store"
                elif is_static and b"v=" in scope.get("query_string", b""):
                    # Content-hashed URLs never change: cache them for a year.
                    headers["cache-control"] = "public, max-age=31536000, immutable"
                if new_anon and not is_static:
                    headers.append(
                        "set-cookie",
                        f"{ANON_COOKIE}={new_anon}; Path=/; HttpOnly; SameSite=Lax"
                        + ("; Secure" if secure else ""),
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Jinja2 templates: one per screen, htmx fragments rendered as named blocks of that screen."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from app import i18n
from app.config import PROJECT_ROOT
from app.db import utcnow
from app.moderation_queue.highlight import highlight
from app.security import csrf_token

templates = Jinja2Blocks(directory=str(PROJECT_ROOT / "templates"))
templates.env.add_extension("jinja2.ext.i18n")
# {% trans %} blocks may wrap over lines; translators see each sentence on one line.
templates.env.policies["ext.i18n.trimmed"] = True
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]

HTMX_VERSION = "2.0.11"


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _csrf_input(request: Request) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token(request))


templates.env.filters["when"] = i18n.format_when
templates.env.filters["iso"] = _iso
templates.env.filters["weekday"] = i18n.weekday_name
templates.env.filters["day_month"] = i18n.format_day
templates.env.filters["highlight"] = highlight
templates.env.globals["csrf_input"] = _csrf_input
templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["htmx_version"] = HTMX_VERSION
templates.env.globals["utcnow"] = utcnow


@cache
def static_url(path: str) -> str:
    """A static file's URL with its content hash, so browsers may cache it for a year."""
    digest = hashlib.sha256((PROJECT_ROOT / "static" / path).read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


templates.env.globals["static_url"] = static_url


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a screen, or only its `block` when htmx asked for a fragment."""
    language = i18n.current_language()
    ctx: dict[str, Any] = {
        "current_user": getattr(request.state, "viewer", None),
        "language": language,
        "languages": i18n.LANGUAGES,
    }
    ctx.update(context or {})
    if block and is_htmx(request):
        return templates.TemplateResponse(
            request, name, ctx, block_name=block, status_code=status_code
        )
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)

"""Jinja2 templates: one per screen, htmx fragments rendered as named blocks of that screen."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2.runtime import Context
from jinja2.utils import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from app import i18n
from app.config import PROJECT_ROOT
from app.contact_links import contact_links
from app.db import utcnow
from app.forms import service as forms
from app.i18n import N_
from app.moderation_queue.highlight import highlight
from app.pictures import service as pictures
from app.pictures.processing import ACCEPT
from app.security import csrf_token

templates = Jinja2Blocks(directory=str(PROJECT_ROOT / "templates"))
templates.env.add_extension("jinja2.ext.i18n")
# {% trans %} blocks may wrap over lines; translators see each sentence on one line.
templates.env.policies["ext.i18n.trimmed"] = True
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


@lru_cache(maxsize=8192)
def _escaped_translation(language: str, message: str) -> Markup:
    # What Jinja's new-style gettext makes of a message without placeholders (escaped, then
    # %-formatted with nothing), made once per language: a thread page asks for the same few
    # dozen sentences hundreds of times.
    return Markup(i18n.translations(language).gettext(message)) % {}


@pass_context
def _template_gettext(context: Context, message: str, **variables: Any) -> str:
    """Jinja's new-style `_()` / `gettext`, the same text, remembered when it has no placeholders."""
    if variables or not context.eval_ctx.autoescape:
        translated = i18n.gettext(message)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        return translated % variables
    return _escaped_translation(i18n.current_language(), message)


templates.env.globals["gettext"] = _template_gettext

HTMX_VERSION = "2.0.11"


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


# How stored codes (statuses, roles, decisions, sanctions) read in the interface; the database and
# exports keep the codes. Shared words ("removed", "pending") read the same wherever they appear.
CODE_LABELS = {
    "awaiting_assessment": N_("being checked"),
    "awaiting_verification": N_("waiting for you to confirm your email address"),
    "held": N_("awaiting review"),
    "published": N_("published"),
    "rejected": N_("not published"),
    "withdrawn": N_("withdrawn"),
    "removed": N_("removed"),
    "approve": N_("approved"),
    "approved": N_("approved"),
    "reject": N_("rejected"),
    "edit_approve": N_("edited and approved"),
    "escalate": N_("escalated"),
    "dismiss": N_("dismissed"),
    "remove": N_("taken down"),
    "warning": N_("warning"),
    "mute": N_("mute"),
    "suspension": N_("suspension"),
    "ban": N_("ban"),
    "member": N_("member"),
    "supporter": N_("trained supporter"),
    "moderator": N_("moderator"),
    "pending": N_("pending"),
    "active": N_("active"),
    "suspended": N_("suspended"),
    "deactivated": N_("deactivated"),
    "upheld": N_("upheld"),
    "dismissed": N_("dismissed"),
    "open": N_("open"),
    "applied": N_("applied"),
    "discarded": N_("discarded"),
}


def code_label(code: object) -> str:
    """`{{ post.status|label }}`: a stored code in the reader's language."""
    value = str(getattr(code, "value", code))
    return i18n.gettext(CODE_LABELS[value]) if value in CODE_LABELS else value.replace("_", " ")


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _minutes_since(value: datetime | None) -> int:
    """Whole minutes from `value` until now (how long a claim has been held)."""
    return max(0, int((utcnow() - value).total_seconds() // 60)) if value else 0


def _submission_input(key: str | None = None) -> Markup:
    """A form's one-time key (app/forms): sending the form twice makes one thing. A form given
    back after an error keeps its key; a fresh form gets a new one."""
    return Markup('<input type="hidden" name="submission_key" value="{}">').format(
        key or forms.new_key()
    )


def _csrf_input(request: Request) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token(request))


def _picture_slots(request: Request, values: dict[str, Any]) -> list[dict[str, Any]]:
    """A compose form's picture slots: as sent back, or empty ones."""
    return values.get("pictures") or pictures.empty_slots(request.app.state.settings)


templates.env.filters["when"] = i18n.format_when
templates.env.filters["local_time"] = i18n.format_local
templates.env.filters["iso"] = _iso
templates.env.filters["minutes_since"] = _minutes_since
templates.env.filters["label"] = code_label
templates.env.filters["weekday"] = i18n.weekday_name
templates.env.filters["day_month"] = i18n.format_day
templates.env.filters["highlight"] = highlight
templates.env.filters["contact_links"] = contact_links
templates.env.globals["csrf_input"] = _csrf_input
templates.env.globals["submission_input"] = _submission_input
templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["htmx_version"] = HTMX_VERSION
templates.env.globals["utcnow"] = utcnow
templates.env.globals["picture_accept"] = ACCEPT
templates.env.globals["picture_slots"] = _picture_slots


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

"""The admin console's safeguarding set-up per forum: who holds which safeguarding role (on call,
safeguarding lead, clinical reviewer, out-of-hours contact), the forum's alert webhook and
escalation time, a test alert, and how recent alerts went out."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import StringConstraints

from app.alerts import service as alerts
from app.alerts.models import DEFAULT_ESCALATE_AFTER_MINUTES, AlertKind
from app.config import Environment
from app.deps import LimiterDep, SessionDep, SettingsDep, SiteAdmin, Slug
from app.forums import service as forums
from app.forums.models import SAFEGUARDING_ROLES, Forum
from app.i18n import LANGUAGES, _
from app.templating import render

router = APIRouter()
TEST_ALERT_LIMIT = "5/minute"

# "<membership id>:<role>", one per ticked box.
RoleChoice = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{1,12}:(" + "|".join(SAFEGUARDING_ROLES) + ")$")
]


def _forum(db: SessionDep, slug: str) -> Forum:
    forum = forums.get_by_slug(db, slug)
    if forum is None:
        raise HTTPException(404, _("There is no forum at this address."))
    return forum


def setup_context(db: SessionDep, forum: Forum, **extra: Any) -> dict[str, Any]:
    alerting = alerts.alerting_of(db, forum.id)
    values = {
        "webhook_url": alerting.webhook_url or "" if alerting else "",
        "escalate_after_minutes": (
            alerting.escalate_after_minutes if alerting else DEFAULT_ESCALATE_AFTER_MINUTES
        ),
        "webhook_language": alerting.webhook_language if alerting else "en",
    }
    return {
        "forum": forum,
        "moderators": forums.moderator_memberships(db, forum.id),
        "roles": SAFEGUARDING_ROLES,
        "alerting": alerting,
        "values": values,
        "errors": {},
        "cover": alerts.cover_of(db, forum),
        "deliveries": alerts.recent_deliveries(db, forum.id),
        "signature_header": alerts.SIGNATURE_HEADER,
        "languages": LANGUAGES,
        **extra,
    }


@router.get("/admin/forums/{slug}/safeguarding")
def setup_page(request: Request, db: SessionDep, admin: SiteAdmin, slug: Slug) -> Response:
    return render(request, "alerts/setup.html", setup_context(db, _forum(db, slug)))


def webhook_url_error(url: str, environment: Environment) -> str | None:
    """A webhook must be an https address (plain http only outside production, for testing)."""
    if not url:
        return None
    parts = urlsplit(url)
    allowed = {"https"} if environment is Environment.PRODUCTION else {"https", "http"}
    if parts.scheme not in allowed or not parts.hostname:
        return _("Use the https address your chat tool gave you, e.g. https://hooks.slack.com/…")
    return None


@router.post("/admin/forums/{slug}/safeguarding/alerts")
def save_alerting(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    admin: SiteAdmin,
    slug: Slug,
    webhook_url: Annotated[str, Form(max_length=500)] = "",
    escalate_after_minutes: Annotated[int, Form(ge=1, le=240)] = DEFAULT_ESCALATE_AFTER_MINUTES,
    new_secret: Annotated[bool, Form()] = False,
    webhook_language: Annotated[str, Form(pattern="^(" + "|".join(LANGUAGES) + ")$")] = "en",
) -> Response:
    forum = _forum(db, slug)
    url = webhook_url.strip()
    if error := webhook_url_error(url, settings.environment):
        context = setup_context(db, forum)
        context["values"] = {
            "webhook_url": url,
            "escalate_after_minutes": escalate_after_minutes,
            "webhook_language": webhook_language,
        }
        context["errors"] = {"webhook_url": error}
        return render(request, "alerts/setup.html", context, status_code=422)
    alerts.save_alerting(
        db,
        forum,
        admin,
        webhook_url=url,
        escalate_after_minutes=escalate_after_minutes,
        webhook_language=webhook_language,
        new_signing_secret=new_secret,
    )
    return RedirectResponse(f"/admin/forums/{slug}/safeguarding?saved=alerts", status_code=303)


@router.post("/admin/forums/{slug}/safeguarding/test")
def send_test_alert(db: SessionDep, limiter: LimiterDep, admin: SiteAdmin, slug: Slug) -> Response:
    """A test alert to the forum's webhook and to the admin who asked, sent like a real one
    (a few a minute: the button must not become a way to flood a channel)."""
    forum = _forum(db, slug)
    limiter.hit(
        TEST_ALERT_LIMIT,
        "test-alert",
        str(admin.id),
        message=_("You have sent several test alerts just now. Wait a minute and try again."),
    )
    alerts.raise_alert(db, forum, AlertKind.TEST, item_id=None, by_id=admin.id)
    return RedirectResponse(
        f"/admin/forums/{slug}/safeguarding?saved=test#deliveries", status_code=303
    )


@router.post("/admin/forums/{slug}/safeguarding/roles")
def save_roles(
    db: SessionDep,
    admin: SiteAdmin,
    slug: Slug,
    roles: Annotated[list[RoleChoice], Form(max_length=2000)] = [],  # noqa: B006 (FastAPI form list)
) -> Response:
    forum = _forum(db, slug)
    chosen: dict[int, set[str]] = {}
    for choice in roles:
        membership_id, role = choice.split(":")
        chosen.setdefault(int(membership_id), set()).add(role)
    forums.set_safeguarding_roles(db, forum, chosen, admin)
    return RedirectResponse(f"/admin/forums/{slug}/safeguarding?saved=roles", status_code=303)

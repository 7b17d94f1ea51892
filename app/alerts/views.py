"""The admin console's safeguarding set-up per forum: who holds which safeguarding role (on call,
safeguarding lead, clinical reviewer, out-of-hours contact)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import StringConstraints

from app.deps import SessionDep, SiteAdmin, Slug
from app.forums import service as forums
from app.forums.models import SAFEGUARDING_ROLES, Forum
from app.i18n import _
from app.templating import render

router = APIRouter()

# "<membership id>:<role>", one per ticked box.
RoleChoice = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{1,12}:(" + "|".join(SAFEGUARDING_ROLES) + ")$")
]


def _forum(db: SessionDep, slug: str) -> Forum:
    forum = forums.get_by_slug(db, slug)
    if forum is None:
        raise HTTPException(404, _("There is no forum at this address."))
    return forum


def setup_context(db: SessionDep, forum: Forum) -> dict[str, object]:
    return {
        "forum": forum,
        "moderators": forums.moderator_memberships(db, forum.id),
        "roles": SAFEGUARDING_ROLES,
    }


@router.get("/admin/forums/{slug}/safeguarding")
def setup_page(request: Request, db: SessionDep, admin: SiteAdmin, slug: Slug) -> Response:
    return render(request, "alerts/setup.html", setup_context(db, _forum(db, slug)))


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

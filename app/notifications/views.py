from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import CurrentUser, SessionDep
from app.notifications import service
from app.templating import render

router = APIRouter()


@router.get("/notifications")
def notifications_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "notifications/list.html",
        {"notifications": service.recent(db, user.id)},
    )


@router.post("/notifications/read")
def mark_read(db: SessionDep, user: CurrentUser) -> Response:
    service.mark_all_read(db, user.id)
    return RedirectResponse("/notifications", status_code=303)

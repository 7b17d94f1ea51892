from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.deps import OptionalUser, SessionDep
from app.forums import service as forums
from app.search import service
from app.templating import render

router = APIRouter()


@router.get("/search")
def search_page(
    request: Request,
    db: SessionDep,
    user: OptionalUser,
    q: Annotated[str, Query(max_length=200)] = "",
    forum: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    readable = [f for f in forums.all_forums(db) if forums.access(db, f, user).can_read]
    chosen = [f for f in readable if f.slug == forum] if forum else readable
    hits = service.search(db, q, [f.id for f in chosen]) if q.strip() else []
    return render(
        request,
        "search/results.html",
        {"q": q, "forum": forum, "forums": readable, "hits": hits},
        block="results",
    )

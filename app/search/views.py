from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.accounts import service as accounts
from app.deps import OptionalUser, SessionDep
from app.forums import service as forums
from app.search import service
from app.templating import render

router = APIRouter()

DateField = Annotated[str, Query(max_length=10)]


def _day(value: str) -> date | None:
    """A date from a date input; anything else is no filter (the form shows it back empty)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/search")
def search_page(
    request: Request,
    db: SessionDep,
    user: OptionalUser,
    q: Annotated[str, Query(max_length=200)] = "",
    forum: Annotated[str, Query(max_length=64)] = "",
    author: Annotated[str, Query(max_length=64)] = "",
    since: DateField = "",
    until: DateField = "",
) -> Response:
    readable = forums.readable_forums(db, user)
    chosen = [f for f in readable if f.slug == forum] if forum else readable
    by = accounts.get_by_handle(db, author.strip().lstrip("@")) if author.strip() else None
    filters = service.Filters(
        forum_ids=[f.id for f in chosen] if not author.strip() or by else [],
        author_id=by.id if by else None,
        since=_day(since),
        until=_day(until),
    )
    results = service.search(db, q, filters) if q.strip() else service.Results()
    return render(
        request,
        "search/results.html",
        {
            "q": q,
            "forum": forum,
            "author": author,
            "since": filters.since.isoformat() if filters.since else "",
            "until": filters.until.isoformat() if filters.until else "",
            "forums": readable,
            "hits": results.hits,
            "suggestion": results.suggestion,
        },
        block="results",
    )

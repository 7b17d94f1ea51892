from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import CurrentUser, ModeratedForum, SessionDep
from app.moderation_queue import service
from app.moderation_queue.models import DecisionAction
from app.templating import render

router = APIRouter()

NOTICES = {
    "approved": "Approved: the post is now published.",
    "rejected": "Rejected: the author will see your reason.",
    "already_decided": "A colleague already decided that post, so nothing was changed.",
}


@router.get("/f/{slug}/moderation")
def moderation_page(
    request: Request, db: SessionDep, access: ModeratedForum, notice: str | None = None
) -> Response:
    return render(
        request,
        "moderation_queue/queue.html",
        {
            "forum": access.forum,
            "items": service.held_posts(db, access.forum),
            "notice": NOTICES.get(notice or ""),
        },
    )


@router.post("/f/{slug}/moderation/posts/{post_id}/{action}")
def decide(
    db: SessionDep,
    user: CurrentUser,
    access: ModeratedForum,
    post_id: int,
    action: DecisionAction,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    post = service.get_held_post(db, access.forum, post_id)
    if post is None:
        raise HTTPException(404, "That post is not in this forum's queue.")
    if action is DecisionAction.REJECT and not reason.strip():
        raise HTTPException(
            422, "Give the author a reason when rejecting a post, so they know what to change."
        )
    try:
        service.decide(db, access.forum, post, user, action, reason.strip() or None)
    except service.AlreadyDecided:
        return RedirectResponse(
            f"/f/{access.forum.slug}/moderation?notice=already_decided", status_code=303
        )
    notice = "approved" if action is DecisionAction.APPROVE else "rejected"
    return RedirectResponse(f"/f/{access.forum.slug}/moderation?notice={notice}", status_code=303)

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import User
from app.db import write_transaction
from app.deps import (
    CurrentUser,
    PathId,
    ReadableForum,
    SessionDep,
    SettingsDep,
    Token,
    after_response,
)
from app.forms.views import FormRejected
from app.forums import service as forums
from app.forums.models import MembershipRole
from app.i18n import _
from app.notifications import email, service
from app.posts import service as posts
from app.security import proven_by_signed_address
from app.templating import render

router = APIRouter()


@router.get("/notifications")
def notifications_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "notifications/list.html",
        {"notifications": service.recent(db, user.id)},
    )


@router.get("/notifications/{notification_id}")
def open_notification(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    background: BackgroundTasks,
    notification_id: PathId,
) -> Response:
    """Follow a notification to what it is about; it is marked read after the response (the
    page view itself writes nothing)."""
    notification = service.own_notification(db, user.id, notification_id)
    if notification is None:
        raise HTTPException(404, _("We couldn't find that notification."))
    if notification.read_at is None:
        sessions, user_id = request.app.state.sessions, user.id

        def mark_notification_read() -> None:
            with write_transaction(sessions) as session:
                service.mark_notification_read(session, user_id, notification_id)

        after_response(background, mark_notification_read)
    return RedirectResponse(notification.url, status_code=303)


@router.post("/notifications/read")
def mark_read(db: SessionDep, user: CurrentUser) -> Response:
    service.mark_all_read(db, user.id)
    return RedirectResponse("/notifications", status_code=303)


@router.post("/f/{slug}/t/{thread_id}/watch")
def watch_thread(
    db: SessionDep, user: CurrentUser, access: ReadableForum, thread_id: PathId
) -> Response:
    thread = posts.get_thread(db, access.forum, thread_id)
    if thread is None:
        raise HTTPException(404, _("We couldn't find that thread in this forum."))
    service.toggle_watch(db, user.id, thread_id=thread.id)
    return RedirectResponse(f"/f/{access.forum.slug}/t/{thread.id}", status_code=303)


@router.post("/f/{slug}/watch")
def watch_forum(db: SessionDep, user: CurrentUser, access: ReadableForum) -> Response:
    service.toggle_watch(db, user.id, forum_id=access.forum.id)
    return RedirectResponse(f"/f/{access.forum.slug}", status_code=303)


@router.get("/f/{slug}/unanswered")
def unanswered(request: Request, db: SessionDep, access: ReadableForum) -> Response:
    return render(
        request,
        "notifications/unanswered.html",
        {
            "forum": access.forum,
            "threads": posts.unanswered_threads(db, [access.forum.id]),
            "supporters": False,
        },
    )


@router.get("/supporters")
def supporters_view(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    """Threads waiting longer than their forum's limit, for trained supporters and moderators."""
    staffed = [
        m.forum
        for m in forums.memberships_of_user(db, user)
        if m.is_active and m.role in (MembershipRole.SUPPORTER, MembershipRole.MODERATOR)
    ]
    if not staffed and not user.is_admin:
        raise HTTPException(403, _("This page is for trained supporters and moderators."))
    waiting = [
        thread
        for forum in (staffed or forums.all_forums(db))
        for thread in posts.unanswered_threads(
            db, [forum.id], older_than=timedelta(hours=forum.policy.unanswered_hours)
        )
    ]
    return render(
        request,
        "notifications/unanswered.html",
        {"forum": None, "threads": waiting, "supporters": True},
    )


def _unsubscribing(db: SessionDep, settings: SettingsDep, user_id: PathId, token: Token) -> User:
    """The member an unsubscribe link is for: no sign-in needed, the signed token proves the link
    came from one of our emails to them."""
    user = db.get(User, user_id)
    if user is None or not email.token_is_valid(settings.secret_key, user_id, token):
        raise HTTPException(
            404,
            _("This unsubscribe link is not valid. You can change emails on your account page."),
        )
    return user


@router.get("/unsubscribe/{user_id}/{token}")
def unsubscribe_page(
    request: Request, user: Annotated[User, Depends(_unsubscribing)], user_id: PathId, token: Token
) -> Response:
    """Opening the link only asks: mail scanners follow links, and must not unsubscribe anyone."""
    return render(
        request,
        "notifications/unsubscribe.html",
        {"action": f"/unsubscribe/{user_id}/{token}", "already": user.email_preference == "off"},
    )


@router.post("/unsubscribe/{user_id}/{token}")
@proven_by_signed_address
def unsubscribe(request: Request, user: Annotated[User, Depends(_unsubscribing)]) -> Response:
    """The page's button, or a mail client's RFC 8058 one-click POST (List-Unsubscribe=One-Click)."""
    user.email_preference = "off"
    return render(request, "notifications/unsubscribed.html", {})


@router.post("/account/email")
def email_preference(
    db: SessionDep,
    user: CurrentUser,
    preference: Annotated[str, Form(max_length=16)],
    titles: Annotated[bool, Form()] = False,
) -> Response:
    if preference not in email.PREFERENCES:
        raise FormRejected({"preference": _("Choose one of the email options.")})
    user.email_preference = preference
    user.email_titles = titles
    return RedirectResponse("/account?email=saved", status_code=303)

"""Private messages: a member's inbox, the moderation team's inbox, and reaching out from an item."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from app.accounts.models import User
from app.audit import service as audit
from app.config import Settings
from app.conversations import service
from app.conversations.models import Conversation, ConversationKind
from app.deps import (
    MAX_ID,
    AssessmentsDep,
    CurrentUser,
    LimiterDep,
    Moderator,
    PathId,
    SessionDep,
    SettingsDep,
    SiteAdmin,
    Slug,
    Submission,
    after_response,
)
from app.forums import service as forums
from app.forums.models import Forum
from app.i18n import _
from app.moderation_queue import service as queue
from app.ratelimit import RateLimiter
from app.templating import is_htmx, render

router = APIRouter()

MessageField = Annotated[str, Form(max_length=200_000)]


def _moderated_ids(db: SessionDep, user: User) -> list[int]:
    return [f.id for f in forums.moderated_forums(db, user)]


def _conversation_page(
    request: Request,
    db: SessionDep,
    conversation: Conversation,
    viewer: User,
    *,
    as_team: bool,
    error: str | None = None,
    draft: str = "",
    status_code: int = 200,
) -> Response:
    forum = db.get(Forum, conversation.forum_id)
    assert forum is not None
    messages = service.visible_messages(db, conversation, viewer, as_team=as_team)
    own = [m for m in messages if m.author_id == viewer.id and not m.from_team]
    return render(
        request,
        "conversations/conversation.html",
        {
            "conversation": conversation,
            "forum": forum,
            "messages": messages,
            "as_team": as_team,
            "error": error,
            "draft": draft,
            # The member's own newest message reads as a crisis: where to get help, at once.
            "show_help": bool(own) and own[-1].route == "urgent",
            "resources": forum.policy.crisis_resources,
            "templates": service.templates_for(db, forum) if as_team else [],
            "member": conversation.member,
            # Between two members: the other one (the conversation is theirs, not the team's).
            "peer": next((m for m in conversation.members if m.id != viewer.id), None)
            if conversation.kind is ConversationKind.PEER
            else None,
        },
        block="messages" if as_team else None,
        status_code=status_code,
    )


def _send_or_refuse(
    request: Request,
    db: SessionDep,
    conversation: Conversation,
    author: User,
    body: str,
    *,
    as_team: bool,
    review_item_id: int | None = None,
) -> service.Sent | Response:
    """Send, or show the conversation again with the draft and what to fix."""
    try:
        return service.send(
            db, conversation, author, body, as_team=as_team, review_item_id=review_item_id
        )
    except service.ConversationError as exc:
        return _conversation_page(
            request,
            db,
            conversation,
            author,
            as_team=as_team,
            error=_(exc.message),
            draft=body,
            status_code=422,
        )


# ---- members ------------------------------------------------------------------------------


def limit_messages(limiter: RateLimiter, settings: Settings, user: User) -> None:
    """One budget for everything a member writes privately (conversations, cohort threads)."""
    limiter.hit(
        settings.post_limit_per_user,
        "message",
        str(user.id),
        message=_("You're sending messages very quickly. Please wait a minute and try again."),
    )


@router.get("/messages")
def inbox(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return render(request, "conversations/inbox.html", {"rows": service.member_inbox(db, user)})


def _members_conversation(db: SessionDep, user: User, conversation_id: int) -> Conversation:
    conversation = service.get_for(db, conversation_id, user, moderated_forum_ids=())
    if conversation is None:
        raise HTTPException(404, _("We couldn't find that conversation."))
    return conversation


@router.get("/messages/{conversation_id}")
def read_conversation(
    request: Request,
    db: SessionDep,
    background: BackgroundTasks,
    user: CurrentUser,
    conversation_id: PathId,
) -> Response:
    conversation = _members_conversation(db, user, conversation_id)
    sessions, user_id = request.app.state.sessions, user.id
    after_response(background, lambda: service.mark_read(sessions, conversation_id, user_id))
    return _conversation_page(request, db, conversation, user, as_team=False)


@router.post("/messages/{conversation_id}")
def reply_as_member(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    assessments: AssessmentsDep,
    submission: Submission,
    user: CurrentUser,
    conversation_id: PathId,
    body: MessageField = "",
) -> Response:
    if earlier := submission.replay():
        return earlier
    conversation = _members_conversation(db, user, conversation_id)
    limit_messages(limiter, settings, user)
    sent = _send_or_refuse(request, db, conversation, user, body, as_team=False)
    if isinstance(sent, Response):
        return sent
    assessments.after_saving_message(db, sent.message.id)
    return submission.done(RedirectResponse(f"/messages/{conversation.id}#latest", status_code=303))


@router.post("/messages/{conversation_id}/messages/{message_id}/report")
def report_message(
    db: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    user: CurrentUser,
    conversation_id: PathId,
    message_id: PathId,
) -> Response:
    """Report a message from the person one talks with; moderators can then read the conversation."""
    conversation = _members_conversation(db, user, conversation_id)
    message = service.reportable_message(db, conversation, message_id, user)
    if message is None:
        raise HTTPException(404, _("We couldn't find that message."))
    limiter.hit(
        settings.report_limit_per_user,
        "report",
        str(user.id),
        message=_("You're sending reports very quickly. Please wait a minute and try again."),
    )
    service.report_message(db, conversation, message, user)
    return RedirectResponse(f"/messages/{conversation.id}?reported=1#latest", status_code=303)


# ---- the moderation team ------------------------------------------------------------------


@router.get("/moderation/conversations")
def team_inbox(request: Request, db: SessionDep, scope: Moderator) -> Response:
    return render(
        request,
        "conversations/team_inbox.html",
        {"rows": service.team_inbox(db, scope.forum_ids, scope.user), "scope": scope},
    )


def _team_conversation(db: SessionDep, scope: Moderator, conversation_id: int) -> Conversation:
    conversation = service.get_for(db, conversation_id, scope.user, scope.forum_ids)
    flagged = conversation is not None and service.is_flagged(db, conversation.id)
    if conversation is None or not service.is_team_reader(
        conversation, scope.forum_ids, flagged=flagged
    ):
        raise HTTPException(404, _("That conversation is not with a forum you moderate."))
    return conversation


@router.get("/moderation/conversations/{conversation_id}")
def read_as_team(
    request: Request,
    db: SessionDep,
    background: BackgroundTasks,
    scope: Moderator,
    conversation_id: PathId,
) -> Response:
    conversation = _team_conversation(db, scope, conversation_id)
    sessions, reader_id, forum_id = request.app.state.sessions, scope.user.id, conversation.forum_id

    def record_reading() -> None:
        service.audit_staff_read(sessions, conversation_id, forum_id, reader_id)
        service.mark_read(sessions, conversation_id, reader_id)

    after_response(background, record_reading)
    return _conversation_page(request, db, conversation, scope.user, as_team=True)


@router.post("/moderation/conversations/{conversation_id}")
def reply_as_team(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    submission: Submission,
    conversation_id: PathId,
    body: MessageField = "",
    item_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    if not is_htmx(request) and (earlier := submission.replay()):
        return earlier
    conversation = _team_conversation(db, scope, conversation_id)
    sent = _send_or_refuse(
        request, db, conversation, scope.user, body, as_team=True, review_item_id=item_id
    )
    if isinstance(sent, Response):
        return sent
    entry = queue.get_entry(db, item_id, scope.forum_ids) if item_id is not None else None
    if entry is not None and queue.holds_claim(entry.item, scope.user, queue.utcnow()):
        queue.claim(db, entry.item, scope.user)  # writing to the author is work on the item
    if is_htmx(request):
        return _conversation_page(request, db, conversation, scope.user, as_team=True)
    if item_id is not None:
        return submission.done(
            RedirectResponse(f"/moderation/items/{item_id}?notice=message", status_code=303)
        )
    return submission.done(
        RedirectResponse(f"/moderation/conversations/{conversation.id}#latest", status_code=303)
    )


def _item_author(db: SessionDep, scope: Moderator, item_id: int) -> tuple[queue.QueueEntry, Forum]:
    entry = queue.get_entry(db, item_id, scope.forum_ids)
    if entry is None:
        raise HTTPException(404, _("That item is not in a queue you moderate."))
    forum = next(f for f in scope.forums if f.id == entry.item.forum_id)
    return entry, forum


@router.get("/moderation/items/{item_id}/message")
def compose_to_author(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    item_id: PathId,
    template: Annotated[int | None, Query(ge=0, le=100)] = None,
) -> Response:
    """Write to an item's author, starting from one of the forum's templates."""
    entry, forum = _item_author(db, scope, item_id)
    templates = service.templates_for(db, forum)
    chosen = templates[template] if template is not None and template < len(templates) else None
    return render(
        request,
        "conversations/compose.html",
        {
            "entry": entry,
            "forum": forum,
            "templates": templates,
            "chosen": template,
            "draft": service.fill_template(chosen, forum) if chosen else "",
            "existing": service.team_conversation(db, forum, entry.author),
            "error": None,
        },
        block="draft",
    )


@router.post("/moderation/items/{item_id}/message")
def send_to_author(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    submission: Submission,
    item_id: PathId,
    body: MessageField = "",
) -> Response:
    if earlier := submission.replay():
        return earlier
    entry, forum = _item_author(db, scope, item_id)
    try:
        service.check_body(body)
    except service.ConversationError as exc:
        return render(
            request,
            "conversations/compose.html",
            {
                "entry": entry,
                "forum": forum,
                "templates": service.templates_for(db, forum),
                "chosen": None,
                "draft": body,
                "existing": service.team_conversation(db, forum, entry.author),
                "error": _(exc.message),
            },
            status_code=422,
        )
    conversation = service.open_with_team(db, forum, entry.author, scope.user)
    service.send(db, conversation, scope.user, body, as_team=True, review_item_id=item_id)
    return submission.done(
        RedirectResponse(f"/moderation/conversations/{conversation.id}?sent=1", status_code=303)
    )


# ---- the forum's reach-out templates (site admins edit them) ------------------------------

MAX_TEMPLATES = 12
TemplateTitles = Annotated[
    list[Annotated[str, Field(max_length=120)]], Form(max_length=MAX_TEMPLATES + 1)
]
TemplateBodies = Annotated[
    list[Annotated[str, Field(max_length=service.MAX_MESSAGE_CHARS)]],
    Form(max_length=MAX_TEMPLATES + 1),
]


def _admin_forum(db: SessionDep, slug: str) -> Forum:
    forum = forums.get_by_slug(db, slug)
    if forum is None:
        raise HTTPException(404, _("There is no forum with that address."))
    return forum


def _templates_page(
    request: Request,
    forum: Forum,
    rows: list[tuple[str, str]],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "conversations/message_templates.html",
        {
            "forum": forum,
            "rows": [*rows, ("", "")][: MAX_TEMPLATES + 1],
            "resources": service.resources_text(forum),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/admin/forums/{slug}/message-templates")
def message_templates(request: Request, db: SessionDep, admin: SiteAdmin, slug: Slug) -> Response:
    """The templates moderators start from when they write to an author privately."""
    forum = _admin_forum(db, slug)
    rows = [(t.title, t.body) for t in service.templates_for(db, forum)]
    return _templates_page(request, forum, rows)


@router.post("/admin/forums/{slug}/message-templates")
def save_message_templates(
    request: Request,
    db: SessionDep,
    admin: SiteAdmin,
    slug: Slug,
    title: TemplateTitles = [],  # noqa: B006 (FastAPI form list)
    body: TemplateBodies = [],  # noqa: B006
) -> Response:
    forum = _admin_forum(db, slug)
    pairs = [(t.strip(), b.strip()) for t, b in zip(title, body, strict=False)]
    kept = [(t, b) for t, b in pairs if t or b]
    if any(not t or not b for t, b in kept):
        return _templates_page(
            request,
            forum,
            pairs,
            error=_("Each template needs a name and a message (leave both empty to delete one)."),
            status_code=422,
        )
    if not kept:
        return _templates_page(
            request, forum, pairs, error=_("Keep at least one template."), status_code=422
        )
    service.replace_templates(db, forum, kept[:MAX_TEMPLATES])
    audit.record(
        db,
        actor_id=admin.id,
        action="forum.message_templates",
        target_type="forum",
        target_id=forum.id,
        forum_id=forum.id,
        count=len(kept),
    )
    return RedirectResponse(
        f"/admin/forums/{forum.slug}/message-templates?saved=1", status_code=303
    )

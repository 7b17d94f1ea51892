"""The moderation dashboard: queues, the item card, decisions, bulk actions, live counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from app.accounts.models import User
from app.conversations import service as conversations
from app.deps import (
    MAX_ID,
    Moderator,
    ModeratorScope,
    PathId,
    SessionDep,
    Slug,
    Submission,
    after_response,
)
from app.forms.views import FormRejected, FormSubmission
from app.forums import service as forums
from app.forums.models import Forum
from app.i18n import N_, _
from app.moderation_queue import (
    corrections,
    followups,
    history,
    metrics,
    sanctions,
    service,
    wellbeing,
)
from app.moderation_queue.models import (
    SANCTION_WORDS,
    Appeal,
    DecisionAction,
    PostAppeal,
    ReviewQueue,
    ReviewStatus,
    SanctionKind,
)
from app.templating import is_htmx, render

router = APIRouter()

REASON_FILTERS = {
    "crisis": N_("Possible crisis"),
    "identifier": N_("Personal details"),
    "medical_advice": N_("Medical advice"),
    "score": N_("Hurtful or hostile"),
    "venting": N_("Venting"),
    "spam": N_("Links and spam"),
    "watched_word": N_("Watched words"),
    "report": N_("Reported by members"),
    "assessment_failed": N_("Could not be assessed"),
}
NOTICES = {
    "approve": N_("Approved."),
    "edit_approve": N_("Edited and published; the author has been told what changed."),
    "reject": N_("Rejected; the author will see your reason."),
    "escalate": N_("Escalated."),
    "dismiss": N_("Dismissed; the post stays as it is."),
    "remove": N_("Removed; the author has been told why."),
    "bulk": N_("Done: each item has its own entry in the audit log."),
    "undone": N_("Undone: the item is back on the queue and claimed by you."),
    "follow_up_done": N_("Follow-up marked as done."),
    "shift_started": N_("Your shift has started."),
    "break": N_(
        "Enjoy your break. Step away from the screen for a while; your colleagues have the queue."
    ),
    "shift_ended": N_("Your shift has ended. Thank you for today."),
}


def _filters(
    scope: ModeratorScope, queue: str | None, forum: str | None, reason: str | None
) -> service.QueueFilter:
    chosen = scope.forum(forum)
    if forum and chosen is None:
        raise HTTPException(404, _("You don't moderate a forum with that address."))
    return service.QueueFilter(
        forum_ids=[chosen.id] if chosen else scope.forum_ids,
        queue=ReviewQueue(queue) if queue and queue in ReviewQueue._value2member_map_ else None,
        reason=reason if reason in REASON_FILTERS else None,
    )


QueueParam = Annotated[str | None, Query(max_length=20)]
FormIdItem = Annotated[int, Field(ge=1, le=MAX_ID)]
SlugParam = Annotated[str | None, Query(max_length=64)]


def _dashboard_context(
    db: SessionDep, scope: ModeratorScope, filters: service.QueueFilter, query: dict[str, Any]
) -> dict[str, Any]:
    counts = service.queue_counts(db, filters.forum_ids)
    page = service.pending_page(db, filters, after_id=query.get("after"))
    return {
        "scope": scope,
        "counts": counts,
        "count_cap": service.COUNT_CAP,
        "entries": page.entries,
        "next_after": page.next_after,
        "filters": filters,
        "query": query,
        "reason_filters": REASON_FILTERS,
        "shift": wellbeing.shift_now(db, scope.user),
        "blur": wellbeing.settings_for(db, scope.user).blur_distressing,
        "follow_ups": followups.due(db, scope.user, filters.forum_ids),
        "now": service.utcnow(),
    }


@router.get("/moderation")
def dashboard(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    queue: QueueParam = None,
    forum: SlugParam = None,
    reason: QueueParam = None,
    notice: QueueParam = None,
    since: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    undo: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    after: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    filters = _filters(scope, queue, forum, reason)
    context = _dashboard_context(
        db, scope, filters, {"queue": queue, "forum": forum, "reason": reason, "after": after}
    )
    context["notice"] = NOTICES.get(notice or "")
    context["undo_decision"] = corrections.undoable_decision(db, undo, scope.user)
    # The newest item when the page was opened: the live view counts what arrived after it.
    context["since"] = since if since is not None else service.newest_item_id(db)
    context["new_arrivals"] = service.arrivals_since(db, filters, since) if since is not None else 0
    return render(request, "moderation_queue/dashboard.html", context, block="live")


def _entry(db: SessionDep, scope: ModeratorScope, item_id: int) -> service.QueueEntry:
    entry = service.get_entry(db, item_id, scope.forum_ids)
    if entry is None:
        raise HTTPException(404, _("That item is not in a queue you moderate."))
    return entry


def _card(
    request: Request,
    db: SessionDep,
    scope: ModeratorScope,
    entry: service.QueueEntry,
    refused: service.NotDecided | None = None,
    errors: dict[str, str] | None = None,
    kept: dict[str, str] | None = None,
) -> Response:
    """The item's card; with `errors`, a refused decision's form comes back (422) with what the
    moderator typed in `kept`."""
    claimed = service.holds_claim(entry.item, scope.user, service.utcnow())
    context = history.card_context(db, scope, entry, claimed=claimed)
    context["notice"] = NOTICES.get(request.query_params.get("notice") or "")
    context["refused"] = refused
    context["errors"] = errors or {}
    context["kept"] = kept or {}
    return render(
        request,
        "moderation_queue/item.html",
        context,
        block="item_card",
        status_code=422 if errors else 200,
    )


@router.get("/moderation/items/{item_id}")
def item_card(
    request: Request,
    db: SessionDep,
    background: BackgroundTasks,
    scope: Moderator,
    item_id: PathId,
) -> Response:
    """Read an item. Reading claims nothing (a GET writes nothing): claiming is a POST. A private
    conversation's card shows its messages: that reading is audited, as on the conversation page."""
    entry = _entry(db, scope, item_id)
    if entry.item.conversation_id is not None:
        sessions, reader_id = request.app.state.sessions, scope.user.id
        conversation_id, forum_id = entry.item.conversation_id, entry.item.forum_id
        after_response(
            background,
            lambda: conversations.audit_staff_read(sessions, conversation_id, forum_id, reader_id),
        )
    return _card(request, db, scope, entry)


@router.post("/moderation/items/{item_id}/claim")
def claim_item(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    item_id: PathId,
    keepalive: Annotated[bool, Query()] = False,
) -> Response:
    """Claim an item to review it (opening it from the queue does this), or keep one's claim
    alive while working on it: an urgent item's claim lapses after 60 s without activity."""
    entry = _entry(db, scope, item_id)
    claimed = entry.item.status is ReviewStatus.PENDING and service.claim(
        db, entry.item, scope.user
    )
    if keepalive:
        return Response(status_code=204 if claimed else 409)
    if is_htmx(request):
        return _card(request, db, scope, entry)
    return RedirectResponse(f"/moderation/items/{item_id}", status_code=303)


@router.post("/moderation/items/{item_id}/decide")
def decide(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    submission: Submission,
    item_id: PathId,
    action: Annotated[DecisionAction, Form()],
    version: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
    reason: Annotated[str, Form(max_length=500)] = "",
    message: Annotated[str, Form(max_length=2000)] = "",
    edited_body: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    if not is_htmx(request) and (earlier := submission.replay()):
        return earlier
    entry = _entry(db, scope, item_id)
    refusable = action in (DecisionAction.REJECT, DecisionAction.REMOVE)
    if (
        refusable
        and entry.item.status is ReviewStatus.PENDING
        and reason not in history.shared_rejection_reasons(scope, [entry])
    ):
        # Only the forum's own reasons reach an author: the card comes back with what was typed.
        return _card(
            request,
            db,
            scope,
            entry,
            errors={f"reason-{item_id}": _("Choose a reason, so the author knows what to change.")},
            kept={"message": message},
        )
    decision = _decision(entry, action, reason, message, edited_body)
    wellbeing.start_shift(db, scope.user)  # deciding is moderating: the shift timer runs
    try:
        record = service.decide(db, entry, scope.user, decision, version=version)
    except service.NotDecided as refused:
        return _refused(request, db, scope, entry, refused)
    undo = record.id if corrections.can_undo(record, scope.user) else None
    response = _next(request, db, scope, entry.item.id, notice=action.value, undo=undo)
    # (With htmx the answer is the next card, not a redirect: the item's version already makes a
    # repeated decision a 409 that names who decided.)
    return submission.done(response) if isinstance(response, RedirectResponse) else response


def _refused(
    request: Request,
    db: SessionDep,
    scope: ModeratorScope,
    entry: service.QueueEntry,
    refused: service.NotDecided,
) -> Response:
    """Why nothing changed, in words that tell the moderator what to do next: a decided item is
    gone (here is the next); a colleague's claim means wait or pick another; a changed item
    needs a second look."""
    if isinstance(refused, service.AlreadyDecided):
        return _next(request, db, scope, entry.item.id, notice=None, taken_by=refused.by or "")
    if not is_htmx(request):
        return render(
            request,
            "moderation_queue/taken.html",
            {"refused": refused, "entry": entry, "now": service.utcnow()},
            status_code=409,
        )
    db.refresh(entry.item)
    response = _card(request, db, scope, entry, refused)
    response.headers["HX-Trigger"] = "queue-changed"
    return response


def _decision(
    entry: service.QueueEntry, action: DecisionAction, reason: str, message: str, edited_body: str
) -> service.Decision:
    if action is DecisionAction.ESCALATE:
        # One way to escalate: its own form asks why and where to (app/cases/views.py).
        raise HTTPException(
            422, _("Escalate from the item's Escalate page: it asks why, and where to send it.")
        )
    if entry.text is not None and action not in service.actions_for_text(entry.text):
        raise HTTPException(422, _("That decision does not apply to this item."))
    if action is DecisionAction.EDIT_APPROVE and not edited_body.strip():
        raise FormRejected(
            {"edited_body": _("The edited post is empty. Reject it instead, with a reason.")}
        )
    return service.Decision(
        action=action,
        reason=reason.strip() or None,
        message=message.strip() or None,
        edited_body=edited_body if action is DecisionAction.EDIT_APPROVE else None,
    )


def _next(
    request: Request,
    db: SessionDep,
    scope: ModeratorScope,
    after_id: int,
    *,
    notice: str | None,
    taken_by: str | None = None,
    undo: int | None = None,
) -> Response:
    """After a decision: with htmx the next item's card (claimed); otherwise back to the queue.
    Either way the notice offers to undo the decision for ten minutes."""
    if not is_htmx(request):
        target = f"/moderation?notice={notice}" if notice else "/moderation"
        if undo is not None:
            target += f"&undo={undo}"
        if taken_by is not None:
            return render(
                request,
                "moderation_queue/taken.html",
                {"refused": service.AlreadyDecided(taken_by)},
                status_code=409,
            )
        return RedirectResponse(target, status_code=303)
    nxt = service.next_entry(
        db, scope.user, service.QueueFilter(scope.forum_ids), after_id=after_id
    )
    if nxt is not None:
        service.claim(db, nxt.item, scope.user)
        context = history.card_context(db, scope, nxt, claimed=True)
    else:
        context = {
            "entry": None,
            "scope": scope,
            "colleagues_reviewing": service.claimed_by_colleagues(db, scope.user, scope.forum_ids),
        }
    context["notice"] = NOTICES.get(notice or "")
    context["taken_by"] = taken_by
    context["undo_decision"] = corrections.undoable_decision(db, undo, scope.user)
    response = render(request, "moderation_queue/item.html", context, block="item_card")
    response.headers["HX-Trigger"] = "queue-changed"
    return response


@router.post("/moderation/bulk")
def bulk(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    submission: Submission,
    action: Annotated[DecisionAction, Form()],
    item_ids: Annotated[list[FormIdItem], Form(max_length=500)] = [],  # noqa: B006 (FastAPI form list)
    author_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    reason: Annotated[str, Form(max_length=500)] = "",
    confirmed: Annotated[bool, Form()] = False,
) -> Response:
    if action not in (DecisionAction.APPROVE, DecisionAction.REJECT):
        raise HTTPException(422, _("Bulk actions can approve or reject."))
    entries = history.bulk_entries(db, scope, item_ids, author_id)
    if not entries:
        raise HTTPException(422, _("Select at least one item first."))
    # One reason for every author, picked on the confirmation page from the reasons each of the
    # items' forums offers: no default, no free text.
    reasons = history.shared_rejection_reasons(scope, entries)
    error = None
    if confirmed and action is DecisionAction.REJECT and reason not in reasons:
        error = _("Choose a reason, so the authors know what to change.")
    if not confirmed or error:
        return render(
            request,
            "moderation_queue/bulk_confirm.html",
            {
                "entries": entries,
                "action": action,
                "reason": reason if reason in reasons else "",
                "reasons": reasons,
                "error": error,
                "author_id": author_id,
                "blur": wellbeing.settings_for(db, scope.user).blur_distressing,
            },
            status_code=422 if error else 200,
        )
    if earlier := submission.replay():
        return earlier
    chosen = reason if action is DecisionAction.REJECT else None
    for entry in entries:
        try:
            service.decide(db, entry, scope.user, service.Decision(action, chosen))
        except service.NotDecided:
            continue  # a colleague took it; the rest still go through
    return submission.done(RedirectResponse("/moderation?notice=bulk", status_code=303))


@router.post("/moderation/items/{item_id}/notes")
def add_note(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    submission: Submission,
    item_id: PathId,
    body: Annotated[str, Form(min_length=1, max_length=4000)],
) -> Response:
    """Save a private note without leaving the item (htmx swaps the notes in place)."""
    if earlier := submission.replay():
        return earlier
    entry = _entry(db, scope, item_id)
    history.add_note(db, entry, scope.user, body)
    _keep_claim(db, scope, entry)
    saved = submission.done(
        RedirectResponse(f"/moderation/items/{item_id}?note=saved#author-history", status_code=303)
    )
    if is_htmx(request):
        forum = next(f for f in scope.forums if f.id == entry.item.forum_id)
        return render(
            request,
            "moderation_queue/item.html",
            {
                "entry": entry,
                "history": history.author_history(db, entry.author, forum, scope.forum_ids),
                "note_saved": True,
            },
            block="notes",
        )
    return saved


def _keep_claim(db: SessionDep, scope: ModeratorScope, entry: service.QueueEntry) -> None:
    """Working on an item (a note, a message) is activity: the moderator's claim stays alive."""
    if service.holds_claim(entry.item, scope.user, service.utcnow()):
        service.claim(db, entry.item, scope.user)


@router.get("/f/{slug}/moderation")
def forum_queue(slug: Slug) -> Response:
    """The forum's own queue is the dashboard, filtered to that forum."""
    return RedirectResponse(f"/moderation?forum={slug}", status_code=303)


def _member_forum(
    db: SessionDep, scope: ModeratorScope, user_id: int, forum: str | None
) -> tuple[User, Forum]:
    chosen = scope.forum(forum) if forum else None
    if chosen is None:
        raise HTTPException(404, _("Choose one of the forums you moderate."))
    member = db.get(User, user_id)
    if member is None or forums.membership_of(db, chosen, member) is None:
        raise HTTPException(404, _("That person is not a member of this forum."))
    return member, chosen


@router.get("/moderation/members/{user_id}")
def member_page(
    request: Request, db: SessionDep, scope: Moderator, user_id: PathId, forum: SlugParam = None
) -> Response:
    member, chosen = _member_forum(db, scope, user_id, forum)
    return render(
        request,
        "moderation_queue/member.html",
        {
            "member": member,
            "forum": chosen,
            "scope": scope,
            "history": history.author_history(db, member, chosen, scope.forum_ids),
            "suggestion": sanctions.suggest_next(db, member.id, chosen),
            "kinds": list(SanctionKind),
        },
    )


@router.post("/moderation/members/{user_id}/sanctions")
def impose_sanction(
    db: SessionDep,
    scope: Moderator,
    submission: Submission,
    user_id: PathId,
    forum: Annotated[str, Form(max_length=64)],
    kind: Annotated[SanctionKind, Form()],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    days: Annotated[int | None, Form(ge=1, le=3650)] = None,
    site_wide: Annotated[bool, Form()] = False,
) -> Response:
    if earlier := submission.replay():
        return earlier
    member, chosen = _member_forum(db, scope, user_id, forum)
    if site_wide and not scope.user.is_admin:
        raise HTTPException(403, _("Only site admins can sanction a member across the whole site."))
    if member.id == scope.user.id:
        raise HTTPException(422, _("You can't sanction yourself."))
    sanctions.impose(
        db, scope.user, member, None if site_wide else chosen, kind, reason.strip(), days
    )
    return submission.done(
        RedirectResponse(
            f"/moderation/members/{member.id}?forum={chosen.slug}&done=1", status_code=303
        )
    )


@router.get("/moderation/appeals")
def appeals(request: Request, db: SessionDep, scope: Moderator) -> Response:
    return render(
        request,
        "moderation_queue/appeals.html",
        {
            "appeals": sanctions.appeals_for(db, scope.user, scope.forum_ids),
            "post_appeals": corrections.appeals_for(db, scope.user, scope.forum_ids),
            "kind_words": SANCTION_WORDS,
        },
    )


Appealed = TypeVar("Appealed", Appeal, PostAppeal)
AppealOutcome = Annotated[str, Form(pattern="^(uphold|overturn)$")]
AppealResponse = Annotated[str, Form(max_length=2000)]
NOT_YOURS = N_(
    "That appeal is not yours to review (it may be decided, or against your own decision)."
)


@router.post("/moderation/appeals/{appeal_id}")
def decide_appeal(
    db: SessionDep,
    scope: Moderator,
    submission: Submission,
    appeal_id: PathId,
    outcome: AppealOutcome,
    response: AppealResponse = "",
) -> Response:
    """An appeal against a sanction."""
    return _review_appeal(
        submission,
        lambda: sanctions.appeal_to_review(db, scope.user, scope.forum_ids, appeal_id),
        lambda found: sanctions.decide_appeal(
            db, scope.user, found, outcome == "overturn", response.strip()
        ),
        "/moderation/appeals?done=1",
    )


@router.post("/moderation/post-appeals/{appeal_id}")
def decide_post_appeal(
    db: SessionDep,
    scope: Moderator,
    submission: Submission,
    appeal_id: PathId,
    outcome: AppealOutcome,
    response: AppealResponse = "",
) -> Response:
    """An author's appeal against their rejected post."""
    return _review_appeal(
        submission,
        lambda: corrections.appeal_to_review(db, scope.user, scope.forum_ids, appeal_id),
        lambda found: corrections.decide_appeal(
            db, scope.user, found, outcome == "overturn", response.strip()
        ),
        "/moderation/appeals?post_done=1",
    )


def _review_appeal(
    submission: FormSubmission,
    load: Callable[[], Appealed | None],
    decide: Callable[[Appealed], None],
    done: str,
) -> Response:
    """The one way an appeal is reviewed: load that appeal (only if this moderator may review
    it), decide it, and say why when it cannot be."""
    if earlier := submission.replay():
        return earlier
    found = load()
    if found is None:
        raise HTTPException(404, _(NOT_YOURS))
    try:
        decide(found)
    except sanctions.AppealRefused as refused:
        raise HTTPException(409, refused.message) from refused
    except corrections.Refused as refused:
        raise HTTPException(409, _(refused.message)) from refused
    return submission.done(RedirectResponse(done, status_code=303))


@router.get("/moderation/metrics")
def metrics_page(request: Request, db: SessionDep, scope: Moderator) -> Response:
    return render(
        request,
        "moderation_queue/metrics.html",
        {"rows": [metrics.forum_metrics(db, f) for f in scope.forums]},
    )


@router.get("/moderation/history")
def decided(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    forum: SlugParam = None,
    author: SlugParam = None,
    moderator: SlugParam = None,
    reason: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
) -> Response:
    chosen = scope.forum(forum)
    query = metrics.DecidedQuery(
        forum_ids=[chosen.id] if chosen else scope.forum_ids,
        author=author or None,
        moderator=moderator or None,
        reason=reason or None,
        since=since,
        until=until,
    )
    return render(
        request,
        "moderation_queue/history.html",
        {
            "rows": metrics.decided(db, query),
            "scope": scope,
            "query": {
                "forum": forum,
                "author": author,
                "moderator": moderator,
                "reason": reason,
                "since": since,
                "until": until,
            },
        },
    )

"""Escalating an item to the safeguarding leads or clinical reviewers (with a reason), the
safeguarding page, and the safeguarding record of each case (leads and site admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.cases import service
from app.cases.models import ENTRY_KINDS, MANUAL_KINDS, SafeguardingCase
from app.deps import Moderator, PathId, SessionDep
from app.forums import service as forums
from app.i18n import _
from app.moderation_queue import history
from app.moderation_queue import service as review
from app.moderation_queue.models import ESCALATION_QUEUES, DecisionAction
from app.templating import is_htmx, render

router = APIRouter()

Reason = Annotated[str, Form(max_length=2000)]
# Where to: the urgent queue, the safeguarding leads or clinical reviewers, or a named senior
# moderator ("senior-<user id>").
URGENT, SENIOR = "urgent", "senior-"
QueueChoice = Annotated[
    str, Form(pattern="^(" + "|".join([URGENT, *ESCALATION_QUEUES]) + "|senior-[0-9]{1,10})$")
]
MEDICAL_CODES = ("medical",)


def _entry(db: SessionDep, scope: Moderator, item_id: int) -> review.QueueEntry:
    entry = review.get_entry(db, item_id, scope.forum_ids)
    if entry is None:
        raise HTTPException(404, _("That item is not in a queue you moderate."))
    return entry


def default_queue(entry: review.QueueEntry) -> str:
    """Dangerous medical advice goes to the clinical reviewers unless the moderator says else."""
    item = entry.item
    medical = any(code.startswith(MEDICAL_CODES) for code in item.reason_codes)
    return "clinical" if item.needs_clinical_review or medical else "safeguarding"


def _escalate_form(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    entry: review.QueueEntry,
    queue: str,
    reason: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The one way to escalate: where to, and why. With htmx it opens in the item pane."""
    seniors = history.senior_moderators(db, entry.item.forum_id)
    return render(
        request,
        "cases/escalate.html",
        {
            "entry": entry,
            "queues": ESCALATION_QUEUES,
            "seniors": [u for u in seniors if u.id != scope.user.id],
            "chosen": queue,
            "reason": reason,
            "error": error,
        },
        block="escalate_form",
        status_code=status_code,
    )


def _decision_for(
    db: SessionDep, entry: review.QueueEntry, queue: str, reason: str
) -> review.Decision:
    if queue == URGENT:
        return review.Decision(DecisionAction.ESCALATE, reason=reason)
    if queue.startswith(SENIOR):
        senior = history.senior_moderator(db, entry.item.forum_id, int(queue[len(SENIOR) :]))
        if senior is None:
            raise HTTPException(422, _("That person is not a senior moderator of this forum."))
        return review.Decision(DecisionAction.ESCALATE, reason=reason, escalate_to=senior)
    return review.Decision(DecisionAction.ESCALATE, reason=reason, escalate_queue=queue)


@router.get("/moderation/items/{item_id}/escalate")
def escalate_page(request: Request, db: SessionDep, scope: Moderator, item_id: PathId) -> Response:
    entry = _entry(db, scope, item_id)
    return _escalate_form(request, db, scope, entry, default_queue(entry), "")


@router.post("/moderation/items/{item_id}/escalate")
def escalate(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    item_id: PathId,
    queue: QueueChoice,
    reason: Reason = "",
) -> Response:
    entry = _entry(db, scope, item_id)
    if not reason.strip():
        return _escalate_form(
            request,
            db,
            scope,
            entry,
            queue,
            reason,
            _("Say why you are escalating it: the person who takes it over reads this first."),
            422,
        )
    decision = _decision_for(db, entry, queue, reason.strip())
    try:
        review.decide(db, entry, scope.user, decision)
    except review.NotDecided as refused:
        return render(
            request,
            "moderation_queue/taken.html",
            {"refused": refused, "entry": entry, "now": review.utcnow()},
            status_code=409,
        )
    if is_htmx(request):  # back to the item, in the pane, saying where it went
        db.refresh(entry.item)
        context = history.card_context(db, scope, entry, claimed=False)
        context["notice"] = _("Escalated.")
        response = render(request, "moderation_queue/item.html", context, block="item_card")
        response.headers["HX-Trigger"] = "queue-changed"
        return response
    return RedirectResponse(f"/moderation/items/{item_id}?notice=escalate", status_code=303)


@router.get("/safeguarding")
def safeguarding_page(request: Request, db: SessionDep, scope: Moderator) -> Response:
    """Items escalated to the viewer's safeguarding roles, and the cases they may read."""
    user = scope.user
    may_read_cases = user.is_admin or bool(
        forums.forums_with_role(db, user.id, ["safeguarding_lead"])
    )
    return render(
        request,
        "cases/safeguarding.html",
        {
            "items": service.escalated_items(db, user),
            "cases": service.visible_cases(db, user) if may_read_cases else [],
            "may_read_cases": may_read_cases,
            "queues": ESCALATION_QUEUES,
            "forums": {f.id: f for f in scope.forums},
        },
    )


def _case(db: SessionDep, scope: Moderator, case_id: int) -> SafeguardingCase:
    """A case for its forum's safeguarding leads and site admins; any other moderator is told
    plainly that the record is not theirs to read (403), without a word of what it holds."""
    case = service.get_case(db, scope.user, case_id)
    if case is not None:
        return case
    if db.get(SafeguardingCase, case_id) is None:
        raise HTTPException(404, _("There is no safeguarding record at this address."))
    raise HTTPException(
        403,
        _("Only the forum's safeguarding leads and site admins may read a safeguarding record."),
    )


def _record_page(
    request: Request, db: SessionDep, scope: Moderator, case: SafeguardingCase, **extra: object
) -> Response:
    record = service.record_of(db, case)
    entry = review.get_entry(db, record.item.id, scope.forum_ids) if record.item else None
    return render(
        request,
        "cases/case.html",
        {
            "record": record,
            "case": case,
            "entry": entry,
            "forum": next((f for f in scope.forums if f.id == case.forum_id), None),
            "kinds": ENTRY_KINDS,
            "manual_kinds": MANUAL_KINDS,
            "queues": ESCALATION_QUEUES,
            "errors": {},
            "values": {},
            **extra,
        },
        status_code=422 if extra.get("errors") else 200,
    )


@router.get("/safeguarding/cases/{case_id}")
def case_page(request: Request, db: SessionDep, scope: Moderator, case_id: PathId) -> Response:
    return _record_page(request, db, scope, _case(db, scope, case_id))


@router.post("/safeguarding/cases/{case_id}/entries")
def add_entry(
    request: Request,
    db: SessionDep,
    scope: Moderator,
    case_id: PathId,
    kind: Annotated[str, Form(pattern="^(" + "|".join(MANUAL_KINDS) + ")$")],
    text: Reason = "",
) -> Response:
    case = _case(db, scope, case_id)
    if not text.strip():
        return _record_page(
            request,
            db,
            scope,
            case,
            errors={"text": _("Write what happened.")},
            values={"kind": kind, "text": text},
        )
    service.add_entry(db, case, scope.user, kind, text.strip())
    return RedirectResponse(f"/safeguarding/cases/{case_id}#entries", status_code=303)


@router.post("/safeguarding/cases/{case_id}/outcome")
def record_outcome(
    request: Request, db: SessionDep, scope: Moderator, case_id: PathId, outcome: Reason = ""
) -> Response:
    case = _case(db, scope, case_id)
    if not outcome.strip():
        return _record_page(
            request,
            db,
            scope,
            case,
            errors={"outcome": _("Write the outcome before closing the case.")},
            values={"outcome": outcome},
        )
    service.record_outcome(db, case, scope.user, outcome.strip())
    return RedirectResponse(f"/safeguarding/cases/{case_id}", status_code=303)

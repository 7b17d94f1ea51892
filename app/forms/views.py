"""Forms that never lose what a person typed, and never make the same thing twice.

- `FormSubmission` (the `Submission` dependency): the form's one-time key. A view that creates
  something asks `replay()` first and ends with `done(redirect)`.
- `FormRejected(errors)`: a view refuses a form with an error per field. Views that have their own
  page re-render it (values and errors); anything else, and a form FastAPI itself refused (a field
  too long, a number out of range), comes back on a generic page: the GOV.UK error summary
  linking to each field, every field with what was typed and its error beside it, ready to send
  again to the same address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.forms import service
from app.i18n import N_, _
from app.templating import render

SENT_COOKIE = "harbour_sent"  # read by static/js/drafts.js: the draft with this key was saved


@dataclass
class FormSubmission:
    session: Session
    user_id: int | None
    key: str | None

    @property
    def active(self) -> bool:
        return self.user_id is not None and self.key is not None

    def replay(self) -> Response | None:
        """The first result when this submission was made already (a retry, a double click)."""
        if self.user_id is None or self.key is None:
            return None
        url = service.earlier_result(self.session, self.user_id, self.key)
        return sent(RedirectResponse(url, status_code=303), self.key) if url else None

    def done(self, response: RedirectResponse) -> RedirectResponse:
        """Record what this submission made, in its transaction, and say so to the browser."""
        if self.user_id is None or self.key is None:
            return response
        service.record(self.session, self.user_id, self.key, response.headers["location"])
        return sent(response, self.key)


AnyResponse = TypeVar("AnyResponse", bound=Response)


def sent(response: AnyResponse, key: str) -> AnyResponse:
    # Not HttpOnly: the drafts script clears the local copy of the text this key sent.
    response.set_cookie(SENT_COOKIE, key, max_age=300, samesite="lax", path="/")
    return response


class FormRejected(Exception):
    """A form refused, with an error message per field (GOV.UK style: say how to fix it)."""

    def __init__(self, errors: dict[str, str], status_code: int = 422) -> None:
        super().__init__("form rejected")
        self.errors = errors
        self.status_code = status_code


# How the generic page labels the fields it gives back. Fields not named here travel as hidden
# inputs unless they carry an error; passwords are never sent back (they are typed again).
FIELD_LABELS = {
    "title": N_("Title"),
    "body": N_("Your text"),
    "edited_body": N_("The edited post"),
    "note": N_("Your note"),
    "reason": N_("Reason"),
    "message": N_("Your message"),
    "response": N_("Your response"),
    "bio": N_("Bio"),
    "answers": N_("Your answer"),
    "email": N_("Email address"),
    "handle": N_("Handle"),
    "confirm": N_("Confirmation"),
    "days": N_("Days"),
    "max_uses": N_("How many people can use it"),
    "name": N_("Name"),
    "address": N_("Web address"),
    "description": N_("Description"),
    "audience": N_("Who it is for"),
    "guidelines": N_("Guidelines"),
    "eligibility": N_("Who can join"),
    "welcome_message": N_("Welcome message"),
    "joining_questions": N_("Joining questions"),
    "hopes": N_("What you hope for"),
}
NEVER_SENT_BACK = frozenset({"csrf_token", "password", "new_password", "current_password"})
LONG_TEXT = 120


@dataclass(frozen=True)
class GivenField:
    name: str
    label: str
    value: str
    error: str | None
    visible: bool
    long: bool
    # Several fields can share a name (joining answers); each gets its own id.
    field_id: str


def given_fields(form: Any, errors: dict[str, str]) -> list[GivenField]:
    fields: list[GivenField] = []
    seen: dict[str, int] = {}
    for name, value in form.multi_items():
        if name in NEVER_SENT_BACK or not isinstance(value, str):
            continue
        seen[name] = seen.get(name, 0) + 1
        field_id = name if seen[name] == 1 else f"{name}-{seen[name]}"
        error = errors.get(name) if seen[name] == 1 else None
        label = FIELD_LABELS.get(name)
        fields.append(
            GivenField(
                name=name,
                label=_(label) if label else name.replace("_", " ").capitalize(),
                value=value,
                error=error,
                visible=label is not None or name in errors,
                long="\n" in value or len(value) > LONG_TEXT or name in ("body", "edited_body"),
                field_id=field_id,
            )
        )
    for name, message in errors.items():  # an error on a field that was not sent at all
        if name not in seen:
            label = FIELD_LABELS.get(name)
            fields.append(
                GivenField(name, _(label) if label else name, "", message, True, False, name)
            )
    return fields


async def rejected_form(request: Request, errors: dict[str, str], status_code: int) -> Response:
    """The generic page for a refused form: what was sent, each error beside its field."""
    form = await request.form()
    fields = given_fields(form, errors)
    return render(
        request,
        "forms/rejected.html",
        {
            "action": request.url.path,
            "fields": fields,
            "errors": {f.field_id: f.error for f in fields if f.error},
        },
        block="rejected_form",
        status_code=status_code,
    )


# What FastAPI's validation errors mean, said the GOV.UK way (what to do, not what went wrong).
def field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "string_too_long":
        return _("Keep this under {limit:,} characters.").format(limit=context.get("max_length", 0))
    if kind in ("string_too_short", "missing"):
        return _("This can't be empty.")
    if kind in ("int_parsing", "int_from_float", "float_parsing"):
        return _("Enter a whole number.")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("Enter a number in the range this form allows.")
    if kind == "too_long":
        return _("That is too many at once.")
    return _("Choose one of the options given.")

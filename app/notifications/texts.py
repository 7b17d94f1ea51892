"""What each kind of notification says, in the reader's language.

A notification stores the facts behind it (a thread's title, a moderator's reason), never the words
of a post; its sentence is built here when it is shown, so a member reading in Welsh sees Welsh
whoever caused it. Each variant is a whole sentence, because word order differs between languages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from app import i18n
from app.i18n import N_, _
from app.moderation_queue.models import SANCTION_WORDS, SanctionKind

Facts = dict[str, Any]


def _author(facts: Facts) -> str:
    return facts.get("handle") or _("Former member")


def _with_extras(sentence: str, facts: Facts) -> str:
    """A moderator's reason and message follow the sentence in their own words."""
    if facts.get("reason"):
        sentence += " " + _("Their reason: {reason}").format(reason=facts["reason"])
    if facts.get("message"):
        sentence += " " + _("Their message: {message}").format(message=facts["message"])
    return sentence


def _post_decided(action: str) -> Callable[[Facts], str]:
    sentences = {
        ("approve", True): N_(
            "A moderator approved your thread in “{title}”. Everyone in the forum can see it now."
        ),
        ("approve", False): N_(
            "A moderator approved your reply in “{title}”. Everyone in the forum can see it now."
        ),
        ("edit_approve", True): N_("A moderator edited and published your thread in “{title}”."),
        ("edit_approve", False): N_("A moderator edited and published your reply in “{title}”."),
        ("reject", True): N_("A moderator didn't publish your thread in “{title}”."),
        ("reject", False): N_("A moderator didn't publish your reply in “{title}”."),
        ("remove", True): N_("A moderator removed your thread in “{title}”."),
        ("remove", False): N_("A moderator removed your reply in “{title}”."),
    }

    def describe(facts: Facts) -> str:
        sentence = _(sentences[action, bool(facts.get("is_thread"))]).format(title=facts["title"])
        return _with_extras(sentence, facts)

    return describe


def _edit_decided(facts: Facts) -> str:
    if facts.get("approved"):
        sentence = _("A moderator approved your edit in “{title}”.")
    else:
        sentence = _(
            "A moderator didn't publish your edit in “{title}”; your post stays as it was."
        )
    return _with_extras(sentence.format(title=facts["title"]), facts)


def _membership_decided(facts: Facts) -> str:
    if facts.get("approved"):
        sentence = _("Your request to join {forum} was approved. Welcome!")
    else:
        sentence = _("Your request to join {forum} was not approved.")
    sentence = sentence.format(forum=facts["forum"])
    return f"{sentence} {facts['message']}" if facts.get("message") else sentence


def _report_outcome(facts: Facts) -> str:
    if facts.get("upheld"):
        return _("Thank you for your report. A moderator looked at the post and took action.")
    return _("Thank you for your report. A moderator looked at the post and decided it can stay.")


def _sanction(facts: Facts) -> str:
    what = _(SANCTION_WORDS[SanctionKind(facts["sanction"])])
    ends = facts.get("ends_on")
    if ends:
        ends = i18n.format_long_date(date.fromisoformat(ends))
    if facts.get("forum") and ends:
        sentence = _("A moderator gave you {sanction} in {forum} until {date}.")
    elif facts.get("forum"):
        sentence = _("A moderator gave you {sanction} in {forum}.")
    elif ends:
        sentence = _("A moderator gave you {sanction} on Harbour until {date}.")
    else:
        sentence = _("A moderator gave you {sanction} on Harbour.")
    sentence = sentence.format(sanction=what, forum=facts.get("forum"), date=ends)
    return sentence + " " + _("Reason: {reason}").format(reason=facts["reason"])


def _appeal_decided(facts: Facts) -> str:
    if facts.get("overturned"):
        sentence = _(
            "Your appeal was reviewed by a different moderator: "
            "the decision was overturned and lifted."
        )
    else:
        sentence = _("Your appeal was reviewed by a different moderator: the decision was upheld.")
    return f"{sentence} {facts['response']}" if facts.get("response") else sentence


def _approved_with_care(facts: Facts) -> str:
    if facts.get("is_thread"):
        sentence = _("A moderator read your thread in “{title}” and published it.")
    else:
        sentence = _("A moderator read your reply in “{title}” and published it.")
    sentence = sentence.format(title=facts["title"]) + " "
    sentence += _("Thank you for sharing how you feel: we are thinking of you.")
    if facts.get("resources"):
        sentence += " " + _(
            "If things feel too much, you can talk to someone at any time: {resources}."
        ).format(resources=facts["resources"])
    return _with_extras(sentence, facts)


def _decision_corrected(facts: Facts) -> str:
    return _(
        "A moderator corrected their decision about your post in “{title}”: it is waiting "
        "for review again. Sorry for the confusion."
    ).format(title=facts["title"])


def _post_appeal_decided(facts: Facts) -> str:
    if facts.get("overturned"):
        sentence = _(
            "Your appeal about your post in “{title}” was reviewed by a different moderator: "
            "the decision was overturned and your post is published."
        )
    else:
        sentence = _(
            "Your appeal about your post in “{title}” was reviewed by a different moderator: "
            "the decision was upheld."
        )
    sentence = sentence.format(title=facts["title"])
    return f"{sentence} {facts['response']}" if facts.get("response") else sentence


SENTENCES: dict[str, Callable[[Facts], str]] = {
    "post.reply": lambda f: _("{handle} replied in “{title}”.").format(
        handle=_author(f), title=f["title"]
    ),
    "post.mention": lambda f: _("{handle} mentioned you in “{title}”.").format(
        handle=_author(f), title=f["title"]
    ),
    "post.quote": lambda f: _("{handle} quoted you in “{title}”.").format(
        handle=_author(f), title=f["title"]
    ),
    "thread.new": lambda f: _("New thread in {forum}: “{title}”.").format(
        forum=f["forum"], title=f["title"]
    ),
    "membership.decided": _membership_decided,
    "post.edit_decided": _edit_decided,
    "report.outcome": _report_outcome,
    "appeal.decided": _appeal_decided,
    "post.approve_caring": _approved_with_care,
    "post.decision_corrected": _decision_corrected,
    "post_appeal.decided": _post_appeal_decided,
    "message.from_team": lambda f: _("The moderation team sent you a private message."),
    "message.member_replied": lambda f: _("A member replied to the moderation team's message."),
    "message.new": lambda f: _("You have a new private message."),
    "buddy.paired": lambda f: _("You have been paired with a buddy in {forum}.").format(
        forum=f["forum"]
    ),
    "buddy.check_in": lambda f: _(
        "Week {week} with your buddy: a good moment to check in with each other."
    ).format(week=f["week"]),
    "cohort.check_in": lambda f: _("This week's check-in has opened in {group}.").format(
        group=f["group"]
    ),
    "cohort.message": lambda f: _("There is a new message in your group {group}.").format(
        group=f["group"]
    ),
    "cohort.leader": lambda f: _("You are now a peer leader of {group}.").format(group=f["group"]),
    "goal.reminder": lambda f: _(
        "A gentle reminder about your goal. Tap “Done today” when you have done it."
    ),
    "goal.encouraged": lambda f: _("Someone cheered you on with your goal."),
    "goal.taken_down": lambda f: _with_extras(
        _("A moderator took your goal down: only you can see it now."), f
    ),
    "buddy.ended": lambda f: _(
        "Your buddy pairing has ended. Two short questions would help us: how did it go?"
    ),
    **{
        f"post.{action}": _post_decided(action)
        for action in ("approve", "edit_approve", "reject", "remove")
    },
    **{f"sanction.{kind.value}": _sanction for kind in SanctionKind},
}


def describe(kind: str, facts: Facts) -> str:
    return SENTENCES[kind](facts)

"""What an author is told about a draft before it is saved (the compose form's check).

Identifiers are highlighted with an offer to remove them; a post that reads as hurtful gets one
gentle nudge; a post that suggests a crisis is never held back from a human: it is saved at once,
goes to the urgent queue, and the author sees where to get help straight away.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import moderation
from app.forums.models import Forum
from app.moderation_queue.gate import policy_for
from app.moderation_queue.highlight import merged_spans

logger = logging.getLogger(__name__)

HURTFUL_CODES = ("score.insult", "score.threat", "score.identity_attack", "score.severe_toxicity")
REMOVED = "[removed]"


def _is(reason: moderation.Reason, *prefixes: str) -> bool:
    return reason.code.startswith(prefixes)


@dataclass(frozen=True)
class DraftCheck:
    text: str
    assessment: moderation.Assessment

    @property
    def identifiers(self) -> list[moderation.Reason]:
        return [r for r in self.assessment.reasons if _is(r, "identifier.")]

    @property
    def hurtful(self) -> bool:
        return any(_is(r, *HURTFUL_CODES) for r in self.assessment.reasons)

    @property
    def crisis(self) -> bool:
        return self.assessment.route is moderation.Route.URGENT

    @property
    def blocked_phrases(self) -> list[str]:
        return [
            self.text[s.start : s.end]
            for r in self.assessment.reasons
            if r.code == "watched_word.block"
            for s in r.spans
        ]

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.identifiers) or self.hurtful

    @property
    def identifier_reasons_json(self) -> list[dict[str, object]]:
        return [{"spans": [[s.start, s.end] for s in r.spans]} for r in self.identifiers]


def check_draft(text: str, forum: Forum, scorer: moderation.Scorer | None) -> DraftCheck:
    """Assess a draft; with no fast scorer available, the rule detectors alone."""
    context = moderation.AssessmentContext(policy=policy_for(forum))
    if scorer is not None:
        try:
            return DraftCheck(text, moderation.assess(text, context, scorer=scorer))
        except Exception:
            # Advice is optional; a failing scorer must never stop a member from posting.
            logger.exception("draft check could not use the scorer; using the rules alone")
    reasons = tuple(moderation.detect_rules(text, context))
    urgent = any(_is(r, "crisis.") for r in reasons)
    blocked = any(r.code == "watched_word.block" for r in reasons)
    assessment = moderation.Assessment(
        route=moderation.Route.URGENT if urgent else moderation.Route.PUBLISH,
        priority=0,
        scores={},
        scorer_name="rules",
        scorer_version="",
        reasons=reasons,
        spans=tuple(s for r in reasons for s in r.spans),
        review_flag=False,
        blocked=blocked,
        needs_clinical_review=False,
        suggestions=(),
    )
    return DraftCheck(text, assessment)


def remove_identifiers(check: DraftCheck) -> str:
    """The draft with every personal identifier replaced by [removed]."""
    text = check.text
    for start, end in reversed(merged_spans(check.identifier_reasons_json, len(text))):
        text = text[:start] + REMOVED + text[end:]
    return text


@dataclass(frozen=True)
class DraftReview:
    """What to do with a submitted draft: save it, or show it back with advice."""

    body: str
    check: DraftCheck
    save: bool
    removed_identifiers: bool = False

    @property
    def blocked(self) -> bool:
        return bool(self.check.blocked_phrases)


def review_submission(
    body: str, forum: Forum, scorer: moderation.Scorer | None, *, intent: str, confirmed: bool
) -> DraftReview:
    check = check_draft(body, forum, scorer)
    if intent == "remove_identifiers" and check.identifiers:
        cleaned = remove_identifiers(check)
        return DraftReview(
            cleaned, check_draft(cleaned, forum, scorer), save=False, removed_identifiers=True
        )
    if check.blocked_phrases:
        return DraftReview(body, check, save=False)
    # Someone who may be in crisis is never asked to rephrase: the post goes straight to a human.
    if check.crisis or confirmed or not check.needs_confirmation:
        return DraftReview(body, check, save=True)
    return DraftReview(body, check, save=False)

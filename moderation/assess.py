"""assess(): scores and rules combined into one Assessment with a route, a priority and reasons.

Scores rank and hold posts for humans; nothing here deletes anyone's words. Venting is not an
attack: strong language aimed at no one is published (with a low-priority flag by default),
while insults, threats and attacks aimed at a person are held.
"""

from __future__ import annotations

from collections.abc import Sequence

from moderation.rules import community, crisis, identifiers, medical_advice, welsh
from moderation.scorers import Scored, Scorer, default_scorer
from moderation.types import (
    N_,
    Assessment,
    AssessmentContext,
    Reason,
    Route,
    Span,
    VentingHandling,
)

# How soon a moderator should see each kind of reason (by code prefix; longest prefix wins).
PRIORITY = {
    "crisis": 95,
    "concern": 80,
    "score.threat": 85,
    "score.severe_toxicity": 80,
    "score.identity_attack": 75,
    "score.insult": 70,
    "identifier": 55,
    "medical_advice": 50,
    "watched_word.block": 45,
    "watched_word.hold": 45,
    "spam": 35,
    "venting.hold": 30,
    "venting": 10,
    "watched_word.flag": 10,
}
# Reasons that do not hold a post on their own.
PUBLISHING_CODES = (
    "venting.obscene_only",
    "watched_word.flag",
    crisis.CONCERN_CODE,
    "concern.kind_words",
    "review.keeps_treatment",
)
# One sentence a moderator reads for each score over its threshold; the score itself is the
# Reason's label, so the dashboard shows the figures beside it and the sentence stays translatable.
SCORE_MESSAGES = {
    "threat": N_("Reads as a threat."),
    "severe_toxicity": N_("Very hostile language."),
    "identity_attack": N_("Attacks people for who they are."),
    "insult": N_("Reads as an insult aimed at someone."),
}
# The model's own labels: a reason each when the score reaches the threshold the heads were
# trained with (the forum's policy has thresholds for Detoxify's six labels only).
MODEL_REASONS = {
    "crisis": (
        "crisis.model",
        N_("Possible crisis: the wording is close to posts about ending one's life or self-harm."),
    ),
    "medical_misinformation": (
        "medical_advice.model",
        N_(
            "Reads like medical advice that could be dangerous; needs a clinically trained moderator."
        ),
    ),
    "spam": ("spam.model", N_("Reads like advertising or spam.")),
}
# The crisis model alone on a post that is only kind words ("Thinking of you."): published, with a
# flag a moderator sees soon, in case it is a goodbye.
KIND_WORDS_CODE = "concern.kind_words"
KIND_WORDS_MESSAGE = N_(
    "Only kind words, but close to posts saying goodbye: published; a moderator should glance at it soon."
)
# The medical model alone on a reply that warns against changing treatment and points to the
# care team ("please don't stop your insulin, ring your DSN"): published with a low-priority flag.
KEEPS_TREATMENT_CODE = "review.keeps_treatment"
KEEPS_TREATMENT_MESSAGE = N_(
    "Talks about treatment, but tells the reader to keep it and ask their care team: published."
)
HOSTILITY_SUGGESTION = N_("Could you rephrase this so it's kind to the person you're replying to?")
MEDICAL_SUGGESTION = N_(
    "Share your own experience rather than telling others to change their treatment: "
    "their care team can advise them."
)


def priority_of(code: str) -> int:
    matches = [prefix for prefix in PRIORITY if code == prefix or code.startswith(prefix + ".")]
    return PRIORITY[max(matches, key=len)] if matches else 20


def _own_crisis(text: str) -> list[Reason]:
    """Crisis rules, less what they heard inside a sentence about someone else ("my mate keeps
    saying he wants to end it all" is worry about him: a concern flag, not the author's crisis)."""
    concern = crisis.concern_for_another(text)
    if not concern:
        return crisis.detect(text)
    others = [s for r in concern for s in r.spans]
    own = []
    for found in crisis.detect(text):
        spans = tuple(
            s for s in found.spans if not any(o.start <= s.start and s.end <= o.end for o in others)
        )
        if spans:
            own.append(Reason(found.code, found.message, spans, found.label))
    return [*own, *concern]


def detect_rules(text: str, context: AssessmentContext | None = None) -> list[Reason]:
    """Every rule detector, no ML: fast enough for the compose form on each keystroke pause."""
    context = context or AssessmentContext()
    return [
        *_own_crisis(text),
        *welsh.detect(text),
        *community.hostility(text),
        *identifiers.detect(text),
        *medical_advice.detect(text),
        *community.watched_words(text, context.policy.watched_words),
        *community.links_from_new_member(text, context.author_is_new_member),
        *community.repeated_text(text, context.recent_texts_by_author),
    ]


MENTION_CODE = "crisis.mention"
MENTION_SHARE = 0.5  # a bare mention counts when the crisis score reaches half its threshold
WEAK_SHARE = 0.4  # wording that is a crisis only in context counts from 40 % of the threshold


def _corroborated(rules: list[Reason], scored: Scored, scorer: Scorer) -> list[Reason]:
    """Rules, with a bare mention of suicide, self-harm or overdose kept only when nothing
    stronger fired and the model hears a crisis too ("potassium suicide on a Friday 😂" is a
    joke). A scorer without a crisis model keeps every mention: it cannot tell."""
    threshold = getattr(scorer, "thresholds", {}).get("crisis")
    if threshold is None:
        return rules
    weak = (MENTION_CODE, crisis.WEAK_CODE)
    stronger = any(r.code.startswith("crisis.") and r.code not in weak for r in rules)
    concern = any(r.code == crisis.CONCERN_CODE for r in rules)
    score = scored.scores.get("crisis", 0.0)
    kept = []
    for found in rules:
        if found.code == MENTION_CODE:
            if score < threshold * MENTION_SHARE or stronger or concern:
                continue
        elif found.code == crisis.WEAK_CODE and (score < threshold * WEAK_SHARE or concern):
            continue
        kept.append(found)
    return kept


def _model_reasons(
    scored: Scored, scorer: Scorer, rules: list[Reason], text: str = ""
) -> list[Reason]:
    thresholds = getattr(scorer, "thresholds", {})
    kind_words_only = crisis.only_kind_words(text) and not any(
        r.code.startswith("crisis.") for r in rules
    )
    # Worry about someone else explains the model's crisis score when no rule hears the author's
    # own crisis: the post is published with a high-priority flag instead (see PRIORITY).
    about_another = any(r.code == crisis.CONCERN_CODE for r in rules) and not any(
        r.code.startswith("crisis.") for r in rules
    )
    reasons = []
    for label, (code, message) in MODEL_REASONS.items():
        threshold = thresholds.get(label)
        if threshold is None or scored.scores.get(label, 0.0) < threshold:
            continue
        if label == "crisis" and about_another:
            continue
        if label == "crisis" and kind_words_only:
            reasons.append(Reason(KIND_WORDS_CODE, KIND_WORDS_MESSAGE))
            continue
        if label == "medical_misinformation" and medical_advice.keeps_treatment(text):
            reasons.append(Reason(KEEPS_TREATMENT_CODE, KEEPS_TREATMENT_MESSAGE))
            continue
        span = scored.evidence.get(label)
        reasons.append(Reason(code, message, (span,) if span else ()))
    return reasons


def _score_reasons(
    text: str,
    scores: dict[str, float],
    context: AssessmentContext,
    rules: list[Reason],
    scorer: Scorer,
) -> list[Reason]:
    policy = context.policy
    by_code = {r.code: r for r in rules}
    reasons: list[Reason] = []
    for label, message in SCORE_MESSAGES.items():
        if scores.get(label, 0.0) < policy.threshold(label):
            continue
        code = f"score.{label}"
        rule = by_code.get(code)
        reasons.append(Reason(code, message, rule.spans if rule else (), label))
    aimed = any(r.code.startswith(("score.", "crisis.")) for r in [*rules, *reasons])
    strong = [
        label
        for label in ("obscene", "toxicity")
        if scores.get(label, 0.0) >= policy.threshold(label)
    ]
    if strong and not aimed:
        spans: tuple[Span, ...] = ()
        finder = getattr(scorer, "offending_spans", None)
        if callable(finder):
            spans = tuple(Span(s.start, s.end, "venting.obscene_only") for s in finder(text))
        label = strong[0]
        held = policy.venting is VentingHandling.HOLD
        reasons.append(
            Reason(
                "venting.hold" if held else "venting.obscene_only",
                N_("Strong language not aimed at anyone: likely venting."),
                spans,
                label,
            )
        )
    return reasons


def _combine(
    text: str,
    scored: Scored,
    context: AssessmentContext,
    rules: list[Reason],
    scorer: Scorer,
) -> Assessment:
    scores = scored.scores
    rules = _corroborated(rules, scored, scorer)
    model_reasons = _model_reasons(scored, scorer, rules, text)
    score_reasons = _score_reasons(text, scores, context, rules + model_reasons, scorer)
    score_reasons += model_reasons
    merged_codes = {r.code for r in score_reasons}
    reasons = [r for r in rules if r.code not in merged_codes] + score_reasons
    reasons.sort(key=lambda r: -priority_of(r.code))
    codes = [r.code for r in reasons]
    if any(c.startswith("crisis.") for c in codes):
        route = Route.URGENT
    elif any(c not in PUBLISHING_CODES for c in codes):
        route = Route.HOLD
    else:
        route = Route.PUBLISH
    priority = max((priority_of(c) for c in codes), default=0)
    if route is Route.URGENT:
        priority = max(priority, 90)
    suggestions = [identifiers.SUGGESTIONS[c] for c in codes if c in identifiers.SUGGESTIONS]
    if any(c.startswith(("score.insult", "score.threat", "score.identity_attack")) for c in codes):
        suggestions.append(HOSTILITY_SUGGESTION)
    if any(c.startswith("medical_advice.") for c in codes):
        suggestions.append(MEDICAL_SUGGESTION)
    return Assessment(
        route=route,
        priority=priority,
        scores=scores,
        scorer_name=scorer.name,
        scorer_version=scorer.version,
        reasons=tuple(reasons),
        spans=tuple(sorted((s for r in reasons for s in r.spans), key=lambda s: (s.start, s.end))),
        review_flag=route is Route.PUBLISH and bool(codes),
        blocked="watched_word.block" in codes,
        needs_clinical_review=any(c.startswith("medical_advice.") for c in codes),
        suggestions=tuple(dict.fromkeys(suggestions)),
    )


def assess(
    text: str, context: AssessmentContext | None = None, *, scorer: Scorer | None = None
) -> Assessment:
    return assess_batch([text], [context or AssessmentContext()], scorer=scorer)[0]


def assess_batch(
    texts: Sequence[str], contexts: Sequence[AssessmentContext], *, scorer: Scorer | None = None
) -> list[Assessment]:
    """Assess many posts with one call to the scorer (what the worker does)."""
    if len(texts) != len(contexts):
        raise ValueError("assess_batch needs one context per text")
    scorer = scorer or default_scorer()
    details = getattr(scorer, "score_details", None)
    if callable(details):
        all_scored: list[Scored] = details(list(texts))
    else:
        all_scored = [Scored(s) for s in scorer.score_batch(list(texts))]
    return [
        _combine(text, scored, context, detect_rules(text, context), scorer)
        for text, scored, context in zip(texts, all_scored, contexts, strict=True)
    ]

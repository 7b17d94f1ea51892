"""Dangerous medical advice to others: stop or change prescribed treatment, miracle cures.

A member describing their own care ("my consultant stopped my tacrolimus") is shared
experience, which peer support is for; telling others to change theirs needs a clinician's eye.
"""

from __future__ import annotations

import re

from moderation.rules import reason
from moderation.types import N_, Reason

_TREATMENT = (
    r"(?:medication|medicines?|meds|tablets|pills|insulin|dose|doses|dosage|dialysis|treatment"
    r"|tacrolimus|ciclosporin|cyclosporine|mycophenolate|immunosuppressants?|anti-?rejection \w+|steroids?"
    r"|prednisolone|statins?|beta[- ]?blockers?|bisoprolol|ramipril|warfarin|apixaban|rivaroxaban"
    r"|clopidogrel|aspirin|metformin|blood thinners?|phosphate binders?)"
)
_CHANGE = r"(?:stop|quit|come off|get off|ditch|skip|drop|halve|double|triple|cut down|cut back|reduce|lower|up|increase|taper)"

TO_OTHERS = re.compile(
    rf"\b(?:you|u|everyone|everybody|people|y'all|yall|we all)\b[^.!?\n]{{0,30}}?"
    rf"\b(?:should|must|need to|needs to|have to|has to|ought to|better|can just|could just|just)\b"
    rf"[^.!?\n]{{0,15}}?\b{_CHANGE}\b(?:\s{{1,10}}taking)?(?:\s{{1,10}}(?:your|their|the|all|those|all your))?"
    rf"[^.!?\n]{{0,20}}?\b{_TREATMENT}\b",
    re.IGNORECASE,
)
IMPERATIVE = re.compile(
    rf"(?:^|[.!?\n]\s{{0,10}})(?P<advice>(?:just\s{{1,10}}|honestly\s{{1,10}}|seriously\s{{1,10}})?(?:{_CHANGE}|don't take|do not take|never take|throw away|bin)"
    rf"(?:\s{{1,10}}taking)?\s{{1,10}}(?:your|the|all your|those)\s{{1,10}}[^.!?\n]{{0,20}}?\b{_TREATMENT}\b)",
    re.IGNORECASE,
)
NO_NEED = re.compile(
    rf"\b(?:you|u)\s{{1,10}}(?:don't|dont|do not)\s{{1,10}}(?:really\s{{1,10}})?need\s{{1,10}}(?:your|the|any)\s{{1,10}}{_TREATMENT}\b",
    re.IGNORECASE,
)
MIRACLE = re.compile(
    r"\bmiracle (?:cure|treatment|remedy)\b"
    r"|\b(?:cured?|reversed?|heal(?:ed|s)?|fix(?:ed|es)?)\b[^.!?\n]{0,40}\b(?:kidney disease|ckd|diabetes|heart disease|kidneys?|heart)\b[^.!?\n]{0,60}\b(?:herbs?|herbal|supplements?|juic(?:e|ing)|detox|naturally|essential oils?|apple cider vinegar|cinnamon|keto)\b"
    r"|\b(?:herbs?|herbal|supplements?|juic(?:e|ing)|detox|essential oils?|apple cider vinegar|cinnamon)\b[^.!?\n]{0,60}\b(?:cured?|reversed?|heal(?:ed|s)?)\b[^.!?\n]{0,40}\b(?:kidney disease|ckd|diabetes|heart disease|kidneys?|heart)\b"
    r"|\b(?:ditch|bin|drop|forget) (?:the|your) (?:meds|medication|pills|insulin|tablets)\b",
    re.IGNORECASE,
)


# A reply that warns against changing treatment and sends the reader to their care team ("please
# don't stop your insulin, ring your DSN"): the opposite of dangerous advice, though it uses the
# same words, so the medical model alone does not hold it (see assess).
KEEP_TREATMENT = re.compile(
    r"\b(?:don't|dont|do not|never|wouldn't|wouldnt|would not|i'd not|id not|shouldn't|shouldnt|should not"
    r"|not to|careful (?:with|about)|before (?:you )?(?:try|trying|stop|stopping|change|changing|swap|swapping))"
    r"(?:\s{1,5}\w+){0,3}?\s{1,5}(?:stop|stopping|quit|come off|coming off|skip|skipping|ditch|bin|swap|swapping|change|changing"
    r"|double|doubling|halve|miss|drop|mess with|fiddle with|cut down|take|taking|try|trying|that|it|anything)\b",
    re.IGNORECASE,
)
CARE_TEAM = re.compile(
    r"\b(?:ring|call|phone|speak to|speak with|talk to|talk with|ask|asking|check with|checking with|contact|see|tell"
    r"|message|talking to|talk it through with|go through it with|keep)"
    r"\s{1,5}(?:your|the|a|ur|yr)\s{1,5}(?:\w+\s{1,5}){0,2}?(?:dsn|gp|doctor|doc|team|nurse|pharmacist|consultant|clinic"
    r"|specialist|unit|cardiologist|nephrologist|neurologist|oncologist|dietitian|prescriber|hospital|ward)s?\b"
    r"|\b(?:nhs )?111\b",
    re.IGNORECASE,
)


def keeps_treatment(text: str) -> bool:
    """Whether the post warns against changing treatment and points to the care team (and no
    rule hears advice to change it)."""
    return bool(KEEP_TREATMENT.search(text) and CARE_TEAM.search(text)) and not detect(text)


def detect(text: str) -> list[Reason]:
    advice = [
        *TO_OTHERS.finditer(text),
        *NO_NEED.finditer(text),
    ]
    reasons = [
        reason(
            "medical_advice.change_treatment",
            N_(
                "Tells others to stop or change prescribed treatment; needs a clinically trained moderator."
            ),
            sorted(advice, key=lambda m: m.start()),
        ),
        reason(
            "medical_advice.change_treatment",
            N_(
                "Tells others to stop or change prescribed treatment; needs a clinically trained moderator."
            ),
            IMPERATIVE.finditer(text),
            group="advice",
        ),
        reason(
            "medical_advice.miracle_cure",
            N_(
                "Promotes a 'miracle cure' or replacing prescribed treatment; needs a clinically trained moderator."
            ),
            MIRACLE.finditer(text),
        ),
    ]
    merged: dict[str, Reason] = {}
    for r in reasons:
        if r is None:
            continue
        if r.code in merged:
            prior = merged[r.code]
            merged[r.code] = Reason(r.code, prior.message, prior.spans + r.spans)
        else:
            merged[r.code] = r
    return list(merged.values())

"""Crisis language: suicidal ideation, self-harm, stopping treatment to die.

First person only, with negation handling ("I'm not going to hurt myself" does not fire), and
idioms left alone ("the pain is killing me", "I'm dying to know"). A false alarm costs a
moderator a minute; a miss can cost a life, so the patterns lean towards firing.
"""

from __future__ import annotations

import re

from moderation.rules import reason
from moderation.types import N_, Reason

SUICIDAL = re.compile(
    r"\b(?:"
    r"kill(?:ing)? myself|end(?:ing)? my (?:own )?life|take my (?:own )?life|end it all"
    r"|(?:want|wanna|going|plan(?:ning)?|ready) to (?:die|end it)"
    r"|(?:wish|hope) i (?:was|were|could be) dead|(?:wish|hope) i (?:don't|dont|didn't|didnt|never) wake up"
    r"|(?:don't|dont|do not) want to (?:be here|live|exist|wake up|go on|be alive)(?: any ?more)?"
    r"|(?:can't|cant|cannot) (?:go on|do this any ?more|carry on|keep going)(?: any ?more| like this)?"
    r"|no (?:reason|point) (?:to|in) (?:live|living|going on|carrying on|being here)"
    r"|(?:better off|be better) (?:dead|without me)|better off if i (?:was|were)n'?t (?:here|around|alive)"
    r"|(?:i'm|i am|im|i feel|feeling|felt|been|getting|got|so|really|very) (?:so |really |very |quite |pretty )?suicidal"
    r"|suicid(?:e|al) (?:thoughts|feelings|ideation|plan|note)(?: again| tonight| today)?"
    r"|not (?:be )?(?:here|around) (?:tomorrow|much longer|any ?more|by (?:christmas|the weekend|next week))"
    r"|(?:written|writing|wrote) (?:a |my )?(?:suicide |goodbye )?(?:note|letter)s? (?:to|for) (?:my|everyone)"
    # Slang and UK idiom for suicide, and means and plans said plainly.
    r"|kms|unalive (?:myself|me)|sewer ?slide|(?:top|off|neck) myself|do myself in|end things"
    r"|(?:jump|step|throw myself) (?:off|in front of) (?:a|the) (?:bridge|train|bus|building|car park|cliff)"
    r"|(?:bought|got|buying|getting) (?:the |some |a )?rope|(?:stockpil(?:e|ed|ing)|saving up|hoarding|been saving) (?:my |all my |up my )?(?:tablets|pills|meds|medication|insulin|tabs)"
    r"|how many (?:of my |of these |of them |)?(?:\w+ )?(?:tablets|pills|tabs|meds|units)[^.!?\n]{0,30}(?:would it take|to die|would kill|is fatal|is lethal|does it take)"
    r")\b",
    re.IGNORECASE,
)
SELF_HARM = re.compile(
    r"\b(?:"
    r"(?:cut|cutting|burn|burning|hurt|hurting|harm|harming|starve|starving) myself"
    r"|i (?:self[- ]?harm(?:ed)?|sh|cut|overdosed|od'?d)\b|(?:started|back to|relapsed into|urge to|urges to) (?:self[- ]?harm(?:ing)?|sh|cutting)"
    r"|(?:take|taking|took|swallow|swallowing|swallowed) (?:all|every one|the whole (?:box|packet|lot))(?: of)? (?:my |the )?(?:tablets|pills|meds|medication|insulin|tabs)"
    r"|(?:going to|gonna|want to|wanna|thinking of|planning to) (?:overdose|od)"
    r")\b",
    re.IGNORECASE,
)
# Bare mentions ("suicide", "self-harm", "overdose") fire only when the model also hears a crisis
# (see assess): on their own they are as often awareness posts and dark jokes.
MENTION = re.compile(
    r"\b(?:suicid(?:e|al)|self[- ]?harm(?:ing|ed)?|overdos(?:e|ing|ed))\b", re.IGNORECASE
)
# Stopping treatment as a way to die: dialysis, insulin, medication, with the intent said.
STOP_TREATMENT = re.compile(
    r"\b(?:stop|stopping|quit|quitting|skip|skipping|refuse|refusing|give up|giving up|come off|coming off)"
    r"\s{1,10}(?:my\s{1,10}|all\s{1,10}my\s{1,10}|the\s{1,10})?(?:dialysis|insulin|meds|medication|tablets|treatment|transplant meds|anti-?rejection meds)"
    r"[^.!?]{0,60}?\b(?:die|dying|dead|end it|let (?:it|me) go|be done|(?:not|don't|dont|won't|never) wake up|just go)\b",
    re.IGNORECASE,
)
BURDEN = re.compile(
    r"\b(?:everyone|everybody|my (?:family|kids|partner|wife|husband|mum|dad|parents)|they|the world)"
    r"(?: would| will|'d)? (?:be )?better off without me\b|\bi(?:'m| am) (?:just )?a burden(?: to (?:everyone|everybody|my \w+))?\b",
    re.IGNORECASE,
)
# Negation just before the phrase ("I'm not going to", "I would never", "I don't want to").
NEGATION_BEFORE = re.compile(
    r"\b(?:not|never|n't|no longer|wouldn't|won't|don't|didn't|isn't|aren't)\b(?:\s+\w+){0,3}\s*$",
    re.IGNORECASE,
)
NEGATION_REACH = 60  # characters looked back for a negation
# Phrases that already contain their negation; preceding negation words must not cancel them.
SELF_NEGATING = re.compile(r"^(?:don't|dont|do not|can't|cant|cannot|no)\b", re.IGNORECASE)
# Idioms that look alarming and are not ("die of embarrassment", "to die for").
IDIOMS = re.compile(
    r"\b(?:die|dying|died) (?:of|from) (?:embarrassment|laughter|laughing|boredom|shame|cringe)\b"
    r"|\bto die for\b|\bdying to (?:know|see|try|meet|hear|go)\b",
    re.IGNORECASE,
)
# Someone else's words or a past that is over: still fires (a human should look), but says so.
REPORTED = re.compile(
    r"\b(?:used to|years ago|when i was (?:younger|a teen)|in the past)\b", re.IGNORECASE
)


def _live(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    found = []
    for match in pattern.finditer(text):
        if IDIOMS.search(text[max(0, match.start() - 10) : match.end() + 20]):
            continue
        # The few words before the phrase, within its sentence (bounded: linear in the text).
        reach = max(0, match.start() - NEGATION_REACH)
        sentence_start = max(text.rfind(c, reach, match.start()) for c in ".!?\n") + 1
        before = text[max(sentence_start, reach) : match.start()]
        if not SELF_NEGATING.match(match.group(0)) and NEGATION_BEFORE.search(before):
            continue
        found.append(match)
    return found


def detect(text: str) -> list[Reason]:
    reasons = [
        reason(
            "crisis.suicidal_ideation",
            N_("Possible crisis: the post talks about wanting to die or end their life."),
            _live(text, SUICIDAL),
        ),
        reason(
            "crisis.burden",
            N_("Possible crisis: the author feels others would be better off without them."),
            _live(text, BURDEN),
        ),
        reason(
            "crisis.self_harm",
            N_("Possible crisis: the post mentions self-harm or an overdose."),
            _live(text, SELF_HARM),
        ),
        reason(
            "crisis.mention",
            N_("Possible crisis: the post mentions suicide, self-harm or an overdose."),
            _live(text, MENTION),
        ),
        reason(
            "crisis.stopping_treatment",
            N_("Possible crisis: the author talks about stopping treatment in order to die."),
            _live(text, STOP_TREATMENT),
        ),
    ]
    return [r for r in reasons if r is not None]

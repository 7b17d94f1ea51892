"""Crisis language in Welsh: the embedding model reads English only, so Welsh has rules of its own.

Welsh mutates the start of a word after certain words ("fy mywyd", my life, from "bywyd"; "i ladd",
to kill, from "lladd"; "yn faich", a burden, from "baich"), and the north and south say "want"
differently ("isio", "eisiau", "moyn"), so the patterns carry those forms. A negation shortly
before a phrase ("dw i ddim eisiau marw", I don't want to die) does not fire; phrases that carry
their own negation ("dim pwynt byw", no point living) do. Every repeat is bounded: linear time.
"""

from __future__ import annotations

import re

from moderation.rules import reason
from moderation.types import N_, Reason

_WANT = r"(?:eisiau|eisie|isio|isie|moyn|mo'yn|am)"
_MYSELF = r"fy\s{1,5}hun(?:an)?"
_LIFE = r"fy\s{1,5}(?:mywyd|mywyd\s{1,5}fy\s{1,5}hun)"
WELSH_CRISIS = re.compile(
    r"\b(?:"
    rf"{_WANT}\s{{1,5}}marw"  # want to die
    rf"|l?ladd\s{{1,5}}{_MYSELF}"  # kill myself ("i ladd fy hun")
    r"|hunan-?ladd(?:iad|ol)"  # suicide, suicidal
    rf"|(?:diwedd\s{{1,5}}ar|gorffen|diweddu|dod\s{{1,5}}(?:â|a)|rhoi\s{{1,5}}terfyn\s{{1,5}}ar)\s{{1,5}}{_LIFE}"
    rf"|{_LIFE}\s{{1,5}}i\s{{1,5}}ben"  # end my life
    r"|(?:ddim|dim)\s{1,5}(?:eisiau|eisie|isio|isie|moyn|mo'yn)\s{1,5}(?:byw|bod\s{1,5}yma|deffro)"
    r"|dim\s{1,5}(?:pwynt|pwrpas)(?:\s{1,5}mewn)?\s{1,5}(?:byw|bod\s{1,5}yma|cario\s{1,5}(?:ymlaen|mlaen)|mynd\s{1,5}(?:ymlaen|mlaen))"
    r"|(?:methu|alla\s{1,5}i\s{1,5}ddim|fedra\s{1,5}i\s{1,5}ddim|galla\s{1,5}i\s{1,5}ddim)\s{1,5}(?:mynd|cario|dal)\s{1,5}(?:ymlaen|mlaen|i\s{1,5}fynd)"
    r"|(?:gwell|well)(?:\s{1,5}(?:eu|ei)\s{1,5}(?:byd|fyd))?\s{1,5}(?:hebdda\s{1,5}i|hebddo\s{1,5}i|hebddof(?:\s{1,5}i)?|heb\s{1,5}fi)"
    r"|(?:dw\s{1,5}i'n|dwi'n|rydw\s{1,5}i'n|rwy'n|rwyf\s{1,5}i'n|wi'n|fi'n)\s{0,5}(?:\S+\s{1,5})?faich"  # I'm a burden
    r"|ffarwel\s{1,5}(?:i\s{1,5}bawb|am\s{1,5}byth)|hwyl\s{1,5}fawr\s{1,5}(?:i\s{1,5}bawb\s{1,5})?am\s{1,5}byth"
    r")\b",
    re.IGNORECASE,
)
WELSH_SELF_HARM = re.compile(
    r"\b(?:"
    r"hunan-?niweid(?:io|iol)"
    rf"|(?:n?iweidio|anafu|nhorri|torri|dorri|brifo|frifo)\s{{1,5}}{_MYSELF}"
    r"|gorddos"
    r"|(?:cymryd|gymryd|llyncu|lyncu)\s{1,5}(?:fy\s{1,5})?holl\s{1,5}(?:dabledi|bils|bilsen|feddyginiaeth|inswlin)"
    r")\b",
    re.IGNORECASE,
)
WELSH_STOP_TREATMENT = re.compile(
    r"\b(?:stopio|rhoi'r\s{1,5}gorau\s{1,5}i|peidio\s{1,5}(?:â|a)\s{1,5}chymryd|peidio\s{1,5}cymryd)"
    r"\s{1,5}(?:fy\s{1,5}|y\s{1,5}|'r\s{1,5})?(?:dialysis|inswlin|nhabledi|tabledi|meddyginiaeth|moddion|triniaeth|nhriniaeth)"
    r"[^.!?\n]{0,60}?\b(?:marw|farw|diwedd|i\s{1,5}ben)\b",
    re.IGNORECASE,
)
# "ddim" (not), "byth" (never), "na" (won't), shortly before: "dw i ddim eisiau marw".
NEGATION_BEFORE = re.compile(r"\b(?:ddim|dim|byth|nid|na|nad)\b(?:\s+\S+){0,2}\s*$", re.IGNORECASE)
SELF_NEGATING = re.compile(r"^(?:ddim|dim|methu|alla|fedra|galla)\b", re.IGNORECASE)
NEGATION_REACH = 40


def _live(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    found = []
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - NEGATION_REACH) : match.start()]
        sentence = re.split(r"[.!?\n]", before)[-1]
        if not SELF_NEGATING.match(match.group(0)) and NEGATION_BEFORE.search(sentence):
            continue
        found.append(match)
    return found


def detect(text: str) -> list[Reason]:
    reasons = [
        reason(
            "crisis.welsh",
            N_(
                "Possible crisis (in Welsh): the post talks about wanting to die, ending their "
                "life or self-harm."
            ),
            sorted(
                [
                    *_live(text, WELSH_CRISIS),
                    *_live(text, WELSH_SELF_HARM),
                    *_live(text, WELSH_STOP_TREATMENT),
                ],
                key=lambda m: m.start(),
            ),
        )
    ]
    return [r for r in reasons if r is not None]

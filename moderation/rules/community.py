"""Forum rules: watched words, links and repeated text, and hostility aimed at a person.

The profanity model hears swearing, not who it is aimed at. Venting ("this f***ing disease")
is not an attack; "you're pathetic" is, swear words or not. These patterns find the aim.
"""

from __future__ import annotations

import re

from moderation.rules import reason
from moderation.types import N_, Reason, Span, WatchedWord, WatchedWordAction

_YOU = r"(?:you|you're|youre|you are|ur|u r|u|your|ya|@\w{1,40})"
_INSULT = (
    r"(?:idiot|idiotic|stupid|pathetic|moron|moronic|loser|disgusting|worthless|useless|liar|a fake|fake"
    r"|attention[- ]seek(?:er|ing)|drama queen|selfish|lazy|ugly|fat|freak|waste of (?:space|oxygen)|a joke"
    r"|an embarrassment|clown|dumb|thick|brainless|ignorant|vile|scum|trash|rubbish person|coward"
    r"|a?hole|arsehole|asshole|dick|prick|twat|bitch|cunt|wanker|tosser|knob(?:head)?|dickhead)"
)
TARGETED_INSULT = re.compile(rf"\b{_YOU}\b[^.!?\n]{{0,25}}?\b{_INSULT}\b", re.IGNORECASE)
INSULT_WORD = re.compile(rf"\b{_INSULT}\b", re.IGNORECASE)
DISMISSIVE = re.compile(
    r"\b(?:shut up|stop (?:whining|moaning|whinging|crying|complaining)|nobody (?:cares|asked)|get over yourself"
    r"|grow up|go away|get lost|piss off|f\W{0,4}off|do one|take the hint"
    # Telling a member they are unwanted, without an insult word ("nobody wants you here").
    r"|(?:nobody|no one|no1|noone|nobody here|no one here) (?:here )?(?:wants|likes|likes|cares about|needs|invited|can stand|missed) (?:you|u|ya|yer)"
    r"|(?<!think )(?<!feel )(?<!feel like )(?:(?:you're|youre|you are|ur|u r|u are) not|you aren't|you arent|u aren't|u arent) (?:welcome|wanted)(?: here| on here| any ?more)?(?=[.!,]|$| and| so| just)"
    r"|(?:this (?:forum|group|place|site)|we) (?:was|were|would be|'d be) (?:fine|better|nicer) (?:before|without) (?:you|u)\b)\b",
    re.IGNORECASE,
)
_AIM_REACH = 100  # characters before an insult word where "you" / "@someone" is looked for


def _targeted_insults(text: str) -> list[re.Match[str]]:
    """Insults aimed at someone: found from each insult word, looking a bounded way back for
    whom it is aimed at, so the cost stays linear in the text's length."""
    found: dict[int, re.Match[str]] = {}
    covered = 0
    for word in INSULT_WORD.finditer(text):
        if word.end() <= covered:
            continue
        start = max(0, word.start() - _AIM_REACH)
        for match in TARGETED_INSULT.finditer(text, start, word.end()):
            if match.end() == word.end():
                found.setdefault(match.start(), match)
                covered = match.end()
                break
    return [*found.values(), *DISMISSIVE.finditer(text)]


THREAT = re.compile(
    r"\b(?:kill yourself|kys|go die|hope you die|you (?:should|deserve to|ought to) die"
    r"|i(?:'ll| will|'m going to| am going to|'m gonna) (?:hurt|find|kill|get|smash|batter) (?:you|u)"
    r"|watch your back|you'll regret"
    # Threats without a violent word: knowing where someone is, veiled "something could happen".
    r"|i (?:know|found out|have found out|know exactly) where (?:you|u|she|he|they|your \w+)(?:'re|'s| are| is)? ?(?:live|lives|work|works|park|parks|sleep|go|goes)"
    r"|(?:i've|ive|i have) got (?:your|ur|her|his|their) (?:address|home address|number|reg|car reg|details)"
    r"|(?:your|ur) (?:days are numbered|card is marked|time is coming)|(?:her|his|their) days are numbered"
    r"|(?:that|the|this) (?:nurse|doctor|receptionist|consultant|mod|moderator|gp|registrar|manager|woman|man|bloke|guy|lass)(?:'s)? days are numbered"
    r"|(?:i'll|ill|i will|i'm going to|im going to|i'm gonna|im gonna|gonna) (?:be waiting for (?:you|u)|pay (?:you|u|her|him) a visit|sort (?:you|u|her|him) out|make (?:you|u|her|him) pay|deal with (?:you|u) (?:myself|personally|properly)|come (?:round|for) (?:you|u|yours))"
    r"|(?:you|u)(?:'ll| will| are going to| r gonna| are gonna) (?:be sorry|pay for (?:this|that|it)|get what's coming|wish you (?:hadn't|never))"
    r"|(?:be a|it'd be a|would be a) (?:shame|pity) if (?:something|anything) (?:happened|were to happen)"
    r"|(?:something|anything) (?:bad |nasty )?(?:could|might|will) happen to (?:you|u|your|her|him)"
    r"|(?:taking|take) (?:some of )?(?:them|you lot|you|her|him) with me|people have been hurt for less"
    r"|(?:when|if|once) i (?:find|catch|get hold of|see) (?:you|u)\b(?! at| on| in| soon)"
    r"|(?:i'll|ill|i will|i'm going to|im going to|i'm gonna|im gonna|gonna) (?:find out who (?:you|u) (?:are|r)|track (?:you|u|them|her|him) down|come and find (?:you|u)"
    r"|(?:break|smash|punch|stab|lamp|deck|batter|bang out|knock out|kick in) (?:you|u|ya|your|ur|her|his|him))"
    r"|(?:i know|i've got|ive got|found|found out) (?:your|ur) (?:address|surname|real name|workplace|school|house|street|car)"
    r"|(?:shame|pity) if (?:anything|something|it) (?:happened|happens|got|went)|accidents (?:happen|can happen) to"
    r"|(?:you'll|youll|ull|you will|u will|u'll) (?:get hurt|need more than)"
    r")\b",
    re.IGNORECASE,
)
# Bounded repeats (URL and DNS label lengths) keep it linear in the text's length.
LINK = re.compile(
    r"\bhttps?://\S{1,2000}|\bwww\.\S{1,2000}"
    r"|(?<![\w-])[\w-]{1,63}\.(?:com|net|org|co\.uk|org\.uk|uk|io|info|biz|shop|xyz|ly|me)\b(?:/\S{0,2000})?",
    re.IGNORECASE,
)


def watched_words(text: str, words: tuple[WatchedWord, ...]) -> list[Reason]:
    reasons: list[Reason] = []
    for action in WatchedWordAction:
        phrases = sorted(
            {w.phrase.strip() for w in words if w.action is action and w.phrase.strip()},
            key=lambda p: (-len(p), p),
        )
        if not phrases:
            continue
        # One pass over the text for all of a forum's phrases, however many it watches.
        pattern = re.compile(
            rf"(?<!\w)(?:{'|'.join(re.escape(p) for p in phrases)})(?!\w)", re.IGNORECASE
        )
        spans = [
            Span(m.start(), m.end(), f"watched_word.{action.value}") for m in pattern.finditer(text)
        ]
        if spans:
            message = {
                "block": N_("Contains a watched word that is not allowed in this forum."),
                "hold": N_("Contains a watched word that is held for review in this forum."),
                "flag": N_(
                    "Contains a watched word that is flagged for a moderator's look in this forum."
                ),
            }[action.value]
            reasons.append(Reason(f"watched_word.{action.value}", message, tuple(spans)))
    return reasons


def links_from_new_member(text: str, is_new: bool) -> list[Reason]:
    if not is_new:
        return []
    found = reason(
        "spam.link_from_new_member", N_("A link from a new member."), LINK.finditer(text)
    )
    return [found] if found else []


_TOKEN = re.compile(r"\w+")
SHINGLE = 3  # words per shingle
REPEAT_SIMILARITY = 0.85  # Jaccard similarity of the two posts' shingles


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    size = min(SHINGLE, len(tokens))
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)} if size else set()


def repeated_text(text: str, recent: tuple[str, ...]) -> list[Reason]:
    """The same (or nearly the same) text the author posted recently: compared as sets of
    three-word shingles, which is linear in the texts' length (a character diff is quadratic)."""
    if sum(len(t) for t in _TOKEN.findall(text)) < 12:
        return []  # "thank you!" twice is kindness, not spam
    mine = _shingles(text)
    for earlier in recent:
        theirs = _shingles(earlier)
        union = len(mine | theirs)
        if union and len(mine & theirs) / union >= REPEAT_SIMILARITY:
            return [
                Reason(
                    "spam.repeated_text",
                    N_("The author posted the same text recently."),
                    (Span(0, len(text), "spam.repeated_text"),),
                )
            ]
    return []


def hostility(text: str) -> list[Reason]:
    reasons = [
        reason(
            "score.threat",
            N_("Reads as a threat or as telling someone to harm themselves."),
            THREAT.finditer(text),
        ),
        reason(
            "score.insult",
            N_("Reads as an insult aimed at another member."),
            sorted(_targeted_insults(text), key=lambda m: m.start()),
        ),
    ]
    return [r for r in reasons if r is not None]

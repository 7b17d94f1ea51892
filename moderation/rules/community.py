"""Forum rules: watched words, links and repeated text, and hostility aimed at a person.

The profanity model hears swearing, not who it is aimed at. Venting ("this f***ing disease")
is not an attack; "you're pathetic" is, swear words or not. These patterns find the aim.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from moderation.rules import reason
from moderation.types import N_, Reason, Span, WatchedWord, WatchedWordAction

_YOU = r"(?:you|you're|youre|you are|ur|u r|u|your|ya|@\w+)"
_INSULT = (
    r"(?:idiot|idiotic|stupid|pathetic|moron|moronic|loser|disgusting|worthless|useless|liar|a fake|fake"
    r"|attention[- ]seek(?:er|ing)|drama queen|selfish|lazy|ugly|fat|freak|waste of (?:space|oxygen)|a joke"
    r"|an embarrassment|clown|dumb|thick|brainless|ignorant|vile|scum|trash|rubbish person|coward"
    r"|a?hole|arsehole|asshole|dick|prick|twat|bitch|cunt|wanker|tosser|knob(?:head)?|dickhead)"
)
TARGETED_INSULT = re.compile(
    rf"\b{_YOU}\b[^.!?\n]{{0,25}}?\b{_INSULT}\b"
    r"|\b(?:shut up|stop (?:whining|moaning|whinging|crying|complaining)|nobody (?:cares|asked)|get over yourself"
    r"|grow up|go away|get lost|piss off|f\W*off|do one)\b",
    re.IGNORECASE,
)
THREAT = re.compile(
    r"\b(?:kill yourself|kys|go die|hope you die|you (?:should|deserve to|ought to) die"
    r"|i(?:'ll| will|'m going to| am going to|'m gonna) (?:hurt|find|kill|get|smash|batter) (?:you|u)"
    r"|watch your back|you'll regret)\b",
    re.IGNORECASE,
)
LINK = re.compile(
    r"\bhttps?://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|net|org|co\.uk|org\.uk|uk|io|info|biz|shop|xyz|ly|me)\b(?:/\S*)?",
    re.IGNORECASE,
)


def watched_words(text: str, words: tuple[WatchedWord, ...]) -> list[Reason]:
    reasons: list[Reason] = []
    for action in WatchedWordAction:
        spans: list[Span] = []
        phrases = [w.phrase for w in words if w.action is action and w.phrase.strip()]
        for phrase in phrases:
            pattern = re.compile(rf"(?<!\w){re.escape(phrase.strip())}(?!\w)", re.IGNORECASE)
            spans.extend(
                Span(m.start(), m.end(), f"watched_word.{action.value}")
                for m in pattern.finditer(text)
            )
        if spans:
            message = {
                "block": N_("Contains a watched word that is not allowed in this forum."),
                "hold": N_("Contains a watched word that is held for review in this forum."),
                "flag": N_(
                    "Contains a watched word that is flagged for a moderator's look in this forum."
                ),
            }[action.value]
            reasons.append(
                Reason(
                    f"watched_word.{action.value}",
                    message,
                    tuple(sorted(spans, key=lambda s: s.start)),
                )
            )
    return reasons


def links_from_new_member(text: str, is_new: bool) -> list[Reason]:
    if not is_new:
        return []
    found = reason(
        "spam.link_from_new_member", N_("A link from a new member."), LINK.finditer(text)
    )
    return [found] if found else []


def _normalise(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def repeated_text(text: str, recent: tuple[str, ...]) -> list[Reason]:
    """The same (or nearly the same) text the author posted recently."""
    mine = _normalise(text)
    if len(mine) < 15:
        return []  # "thank you!" twice is kindness, not spam
    for earlier in recent:
        other = _normalise(earlier)
        if mine == other or SequenceMatcher(None, mine, other).ratio() >= 0.92:
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
            TARGETED_INSULT.finditer(text),
        ),
    ]
    return [r for r in reasons if r is not None]

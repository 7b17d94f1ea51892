"""Every rule detector stays linear in its input: crafted 20,000-character posts finish quickly.

A regular expression that backtracks (an unbounded repeat that can fail late, from every start)
turns a long post into seconds or minutes of CPU; the worker would stall behind it. The budget
here is generous on purpose: a linear detector takes milliseconds, a quadratic one seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from moderation import WatchedWord, WatchedWordAction
from moderation.rules import community, crisis, identifiers, medical_advice, welsh

LENGTH = 20_000
BUDGET_SECONDS = 2.0


def repeated(piece: str) -> str:
    return (piece * (LENGTH // len(piece) + 1))[:LENGTH]


ADVERSARIAL = {
    "one long word": "a" * LENGTH,
    "dotted letters": repeated("a."),
    "at signs": repeated("a@"),
    "local-part characters": repeated("a.b+c-"),
    "digits": "9" * LENGTH,
    "hyphenated digits": repeated("1-"),
    "spaced digits": repeated("9 "),
    "newlines": "\n" * LENGTH,
    "spaces": " " * LENGTH,
    "emoji": repeated("😂"),
    "you, again and again": repeated("you you you "),
    "insults without a target": repeated("idiot stupid "),
    "crisis phrases without punctuation": repeated("kill myself "),
    "negations": repeated("not "),
    "treatment changes": repeated("you should stop "),
    "cure words": repeated("herbal cured "),
    "dates of birth": repeated("born on "),
    "hospital numbers": repeated("hospital number "),
    "links": repeated("www.a.com/"),
    "Welsh crisis words": repeated("dw i eisiau "),
}
RECENT = tuple(repeated(f"lorem ipsum dolor sit amet {n} ") for n in range(5))
WATCHED = tuple(WatchedWord(f"word{n}", WatchedWordAction.HOLD) for n in range(50))
DETECTORS: dict[str, Callable[[str], object]] = {
    "crisis": crisis.detect,
    "welsh crisis": welsh.detect,
    "hostility": community.hostility,
    "identifiers": identifiers.detect,
    "medical advice": medical_advice.detect,
    "links from a new member": lambda text: community.links_from_new_member(text, True),
    "watched words": lambda text: community.watched_words(text, WATCHED),
    "repeated text": lambda text: community.repeated_text(text, RECENT),
}


@pytest.mark.parametrize("detector", DETECTORS)
def test_each_detector_reads_crafted_20000_character_posts_in_linear_time(detector: str) -> None:
    detect = DETECTORS[detector]
    for name, text in ADVERSARIAL.items():
        started = time.process_time()
        detect(text)
        spent = time.process_time() - started
        assert spent < BUDGET_SECONDS, f"{detector} took {spent:.1f}s on {name!r}"


def test_a_repeated_long_post_is_still_recognised() -> None:
    long_post = repeated("Buy my kidney detox tea today, message me for prices. ")
    assert community.repeated_text(long_post + " Thanks!", (long_post,))
    assert (
        community.repeated_text(long_post, (repeated("Completely different words here. "),)) == []
    )

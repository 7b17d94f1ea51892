"""Crisis language reaches a human fast; idioms and negations do not raise false alarms."""

from __future__ import annotations

import pytest

import moderation
from moderation.rules import crisis

FIRES = [
    ("I can't do this anymore. Everyone would be better off without me.", "crisis.burden"),
    ("Honestly I don't want to be here anymore.", "crisis.suicidal_ideation"),
    (
        "I've been thinking about ending my life since the transplant failed.",
        "crisis.suicidal_ideation",
    ),
    (
        "I want to die, three sessions a week for the rest of my life is too much",
        "crisis.suicidal_ideation",
    ),
    ("I started cutting myself again last night", "crisis.self_harm"),
    ("Thinking of taking all my tablets at once tonight.", "crisis.self_harm"),
    (
        "I'm going to stop dialysis and just let it end, I'm ready to die",
        "crisis.stopping_treatment",
    ),
    ("I'm going to stop my insulin so I don't wake up", "crisis.stopping_treatment"),
    ("I'm just a burden to my family now.", "crisis.burden"),
    ("Feeling suicidal tonight and my partner is asleep.", "crisis.suicidal_ideation"),
    ("honestly I don't see the point anymore.", "crisis.suicidal_ideation"),
    ("cant see any point in living tbh", "crisis.suicidal_ideation"),
    ("I think everyone would be better off.", "crisis.burden"),
    ("my wife could move on if I was out of the way", "crisis.burden"),
    ("the kids would have a better life without me", "crisis.burden"),
    ("cant be arsed with living anymore", "crisis.suicidal_ideation"),
    ("nobody will have to worry about me soon", "crisis.suicidal_ideation"),
    ("everyones lives would be easier if i disappeared", "crisis.suicidal_ideation"),
    ("thinking of driving into a tree on the way home", "crisis.suicidal_ideation"),
    ("Letters done. Feel calm now.", "crisis.in_context"),
    ("Going for a drive tonight. Not coming back this time.", "crisis.in_context"),
]
DOES_NOT_FIRE = [
    "The pain is killing me today, anyone else get this after dialysis?",
    "I'm dying to know how your transplant assessment went!",
    "This dialysis schedule kills me, I never get a lie-in.",
    "I could murder a pizza after my fluid restriction day.",
    "I'm not going to kill myself, I just need to vent about the hospital.",
    "I would never hurt myself, but I do feel low.",
    "I don't want to die, I'm scared of the operation.",
    "Killing time in the waiting room again.",
    "I nearly died of embarrassment when my pump alarm went off in the lecture.",
    "My consultant stopped my tacrolimus last year and switched me to something else.",
    "I don't see the point of statins if my cholesterol is already fine?",
    "Everyone would be better off if the unit opened on Sundays.",
    "Thanks everyone for the tips.",
    "life would be easier if I just disappeared to a desert island for a week lol",
    "my husband won't have to worry about me for a week while I'm at mum's",
]


@pytest.mark.parametrize(("text", "code"), FIRES)
def test_crisis_language_is_detected_with_its_span(text: str, code: str) -> None:
    reasons = crisis.detect(text)
    assert code in {r.code for r in reasons}
    span = next(r for r in reasons if r.code == code).spans[0]
    assert 0 <= span.start < span.end <= len(text)


@pytest.mark.parametrize("text", DOES_NOT_FIRE)
def test_idioms_negations_and_other_peoples_care_do_not_fire(text: str) -> None:
    assert crisis.detect(text) == []


def test_a_crisis_post_routes_urgent_above_everything_else() -> None:
    assessment = moderation.assess("You're an idiot. Anyway I don't want to live anymore.")
    assert assessment.route is moderation.Route.URGENT
    assert assessment.priority >= 90
    assert assessment.reasons[0].code.startswith("crisis.")


@pytest.mark.parametrize(
    "text",
    ["Thanks everyone for the tips.", "cheers all for the advice x", "Thank you for the replies."],
)
def test_thanks_for_what_members_gave_count_as_kind_words(text: str) -> None:
    assert crisis.only_kind_words(text)


@pytest.mark.parametrize(
    "text",
    ["Thank you all for everything.", "Thanks for the advice. Goodbye everyone."],
)
def test_thanks_for_everything_or_with_a_farewell_do_not(text: str) -> None:
    assert not crisis.only_kind_words(text)


@pytest.mark.parametrize(
    ("text", "slip"),
    [
        ("i dont wnat to be alive anymre. evry day is worse", "wnat to be alive anymre"),
        ("gonna klil myslef tbh", "klil myslef"),
        ("i feel so suicidel tonight", "suicidel"),
        ("Everyone would be bettr off withuot me", "bettr off withuot me"),
    ],
)
def test_crisis_wording_with_a_slip_in_each_word_still_goes_urgent(text: str, slip: str) -> None:
    """A typo must not leave a clear crisis to the model's score near its threshold: the rules
    read each misspelt word as the word it is one slip from, and highlight the words as written."""
    reasons = crisis.detect(text)
    assert reasons
    assert any(slip in text[s.start : s.end] for r in reasons for s in r.spans)
    assert moderation.assess(text).route is moderation.Route.URGENT


@pytest.mark.parametrize(
    "text",
    [
        "I tried to live well after the transplant.",
        "Giving up crisps is killing me lol",
        "Sending love, my dad would be proud of you.",
        "Put the tablet box back in the fridge please",
    ],
)
def test_real_words_near_crisis_words_are_not_respelled(text: str) -> None:
    assert crisis.respell(text) is None
    assert not crisis.detect(text)

"""Dangerous medical advice, watched words, links, repeated text, hostility aimed at a person."""

from __future__ import annotations

import pytest

from moderation import WatchedWord, WatchedWordAction
from moderation.rules import community, medical_advice


@pytest.mark.parametrize(
    "text",
    [
        "You should stop taking your tacrolimus, it's poison.",
        "Just come off your insulin for a week and see how you feel.",
        "Honestly you need to double your dose of bisoprolol.",
        "You don't need your statins, cut sugar instead.",
        "Apple cider vinegar cured my kidney disease, ditch the meds.",
        "This herbal detox reversed my diabetes naturally.",
    ],
)
def test_telling_others_to_change_treatment_needs_a_clinician(text: str) -> None:
    assert medical_advice.detect(text), text


@pytest.mark.parametrize(
    "text",
    [
        "My consultant stopped my tacrolimus and I feel better.",
        "I stopped taking statins after talking it through with my GP.",
        "Ask your renal team before changing anything.",
        "My dose was doubled last month by the diabetes nurse.",
    ],
)
def test_sharing_my_own_care_is_peer_support(text: str) -> None:
    assert medical_advice.detect(text) == []


def test_watched_words_match_whole_words_with_their_action() -> None:
    words = (
        WatchedWord("miracle cure", WatchedWordAction.BLOCK),
        WatchedWord("mlm", WatchedWordAction.HOLD),
    )
    reasons = community.watched_words("A Miracle Cure from my MLM upline", words)
    assert {r.code for r in reasons} == {"watched_word.block", "watched_word.hold"}
    assert community.watched_words(
        "programming is not mlm-free", (words[1],)
    )  # punctuation is a boundary
    assert community.watched_words("helmlmet", (words[1],)) == []


def test_links_from_new_members_only() -> None:
    text = "Great supplements at www.cure-your-kidneys.shop and https://example.com/offer"
    reasons = community.links_from_new_member(text, is_new=True)
    assert reasons and len(reasons[0].spans) == 2
    assert community.links_from_new_member(text, is_new=False) == []


def test_the_same_text_again_is_spam_but_a_short_thanks_is_not() -> None:
    post = "Buy my diabetes reversal programme now, limited places!"
    assert community.repeated_text(post + "!!", (post,))
    assert community.repeated_text("Thank you!", ("Thank you!",)) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("You're pathetic, stop whining.", "score.insult"),
        ("@sam you are such an attention seeker", "score.insult"),
        ("Nobody cares about your kidneys", "score.insult"),
        ("Go die, seriously.", "score.threat"),
        ("kys", "score.threat"),
        ("I know where you live, Gaz. Think on.", "score.threat"),
        ("Be a shame if something happened to that nice car of yours", "score.threat"),
        ("That receptionist's days are numbered", "score.threat"),
        ("Keep it up and I'll pay you a visit, I've got your address", "score.threat"),
        ("@jen nobody here wants you, take the hint", "score.insult"),
        ("honestly you're not welcome here.", "score.insult"),
        ("this group was better before you turned up", "score.insult"),
        ("report me again and I'll find out who you are", "score.threat"),
        ("nice house. shame if anything happened to it", "score.threat"),
        ("I'll break your nose if you say that again", "score.threat"),
    ],
)
def test_hostility_aimed_at_a_person(text: str, code: str) -> None:
    assert code in {r.code for r in community.hostility(text)}


@pytest.mark.parametrize(
    "text",
    [
        "I'm so sick of this stupid disease",
        "My fistula is being a pain",
        "I feel useless on dialysis days",
        "I know where you're coming from, the first month is the worst",
        "Something good will happen to you soon, I can feel it",
        "You're so welcome here, ask anything",
        "Nobody wants to hear about my bowels lol",
        "I found your post really helpful",
    ],
)
def test_venting_about_oneself_is_not_hostility(text: str) -> None:
    assert community.hostility(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Please don't stop your insulin, ring your DSN, they can help with the hypos.",
        "I wouldn't come off the tacrolimus without talking to your renal team first.",
        "careful with that, check with your pharmacist before taking it with warfarin",
    ],
)
def test_a_reply_that_says_keep_your_treatment_and_ask_your_team_is_recognised(text: str) -> None:
    assert medical_advice.keeps_treatment(text)


@pytest.mark.parametrize(
    "text",
    [
        "Just stop your insulin for a week, don't tell your DSN.",
        "Don't listen to your GP, you don't need your statins.",
        "Please don't stop your insulin.",
    ],
)
def test_advice_to_change_treatment_or_no_care_team_is_not(text: str) -> None:
    assert not medical_advice.keeps_treatment(text)

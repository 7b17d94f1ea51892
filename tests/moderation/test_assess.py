"""assess(): one route, a priority and plain reasons for realistic forum posts."""

from __future__ import annotations

import moderation
from moderation import AssessmentContext, Policy, Route, VentingHandling


def test_a_supportive_reply_is_published_without_flags() -> None:
    a = moderation.assess(
        "Sending you strength. My first month on dialysis was hard too; it gets easier."
    )
    assert a.route is Route.PUBLISH and a.reasons == () and not a.review_flag and a.priority == 0


def test_venting_is_published_with_a_low_priority_flag() -> None:
    a = moderation.assess("I'm so fucking sick of this shit disease and the needles.")
    assert a.route is Route.PUBLISH and a.review_flag
    assert [r.code for r in a.reasons] == ["venting.obscene_only"]
    assert a.priority <= 10
    assert a.spans, "the strong words are highlighted for the moderator"


def test_a_forum_can_choose_to_hold_venting() -> None:
    context = AssessmentContext(policy=Policy(venting=VentingHandling.HOLD))
    a = moderation.assess("I'm so fucking sick of this shit disease.", context)
    assert a.route is Route.HOLD and a.reasons[0].code == "venting.hold"


def test_an_insult_aimed_at_someone_is_held_with_a_suggestion() -> None:
    a = moderation.assess("You're pathetic, stop whining, people have it way worse than you.")
    assert a.route is Route.HOLD and a.priority == 70
    assert a.reasons[0].code == "score.insult"
    assert any("kind" in s for s in a.suggestions)


def test_identifiers_and_medical_advice_are_held_and_explained() -> None:
    a = moderation.assess("My NHS number is 943 476 5919. You should stop taking your statins too.")
    assert a.route is Route.HOLD and a.needs_clinical_review
    assert {r.code for r in a.reasons} >= {
        "identifier.nhs_number",
        "medical_advice.change_treatment",
    }
    assert any("NHS number" in s for s in a.suggestions)


def test_thresholds_come_from_the_forum_policy() -> None:
    text = "This is crap."
    lenient = {**moderation.DEFAULT_THRESHOLDS, "obscene": 1.0, "toxicity": 1.0}
    assert moderation.assess(text).review_flag is True
    assert (
        moderation.assess(text, AssessmentContext(policy=Policy(thresholds=lenient))).review_flag
        is False
    )


def test_a_blocked_watched_word_marks_the_assessment_blocked() -> None:
    words = (moderation.WatchedWord("miracle cure", moderation.WatchedWordAction.BLOCK),)
    a = moderation.assess(
        "Try this miracle cure", AssessmentContext(policy=Policy(watched_words=words))
    )
    assert a.blocked and a.route is Route.HOLD


def test_batches_match_single_assessments_and_round_trip_as_json() -> None:
    texts = ["Thank you all.", "You're an idiot.", "I can't go on anymore."]
    batch = moderation.assess_batch(texts, [AssessmentContext()] * 3)
    assert [a.route for a in batch] == [moderation.assess(t).route for t in texts]
    for a in batch:
        assert moderation.Assessment.from_dict(a.to_dict()) == a


def test_scores_cover_every_label_with_the_scorer_version() -> None:
    a = moderation.assess("hello")
    assert set(a.scores) == {*moderation.LABELS, "crisis", "medical_misinformation", "spam"}
    assert a.scorer_name == "minilm" and "all-MiniLM-L6-v2" in a.scorer_version
    assert "heads:" in a.scorer_version and "alt-profanity-check" in a.scorer_version

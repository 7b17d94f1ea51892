"""Scorers: the offline default, and the real Detoxify path on a tiny checkpoint built here."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import moderation
from moderation.scorers import ScorerLoadError, load_scorer
from tests.moderation.tiny_detoxify import build


def test_an_unknown_scorer_is_refused_naming_the_setting() -> None:
    with pytest.raises(ScorerLoadError, match="HARBOUR_SCORER"):
        load_scorer("gpt-judge")


def test_the_profanity_scorer_ranks_swearing_above_support() -> None:
    scorer = load_scorer("profanity")
    calm, rude = scorer.score_batch(["Sending you strength today.", "fuck this shit"])
    assert rude["obscene"] > 0.8 > calm["obscene"]
    assert calm["threat"] == calm["insult"] == 0.0  # it cannot tell, so it says nothing


def test_the_profanity_scores_are_the_packages_own_computed_faster() -> None:
    """The calibrated ensemble is summed as one matrix product: the same probabilities."""
    from profanity_check import predict_prob

    texts = ["you absolute shit", "lovely day for it", "f*** dialysis", "", "a" * 3000]
    scorer = load_scorer("profanity")
    ours = [scores["obscene"] for scores in scorer.score_batch(texts)]
    assert ours == pytest.approx(list(predict_prob(texts)), abs=1e-12)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("detoxify")
    return build(tmp_path_factory.mktemp("detoxify") / "tiny")


@pytest.fixture(scope="session")
def rigged_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("detoxify")
    return build(
        tmp_path_factory.mktemp("detoxify") / "rigged",
        rigged_logits=[2.0, -3.0, 0.0, -1.0, 1.0, -2.0],
    )


@pytest.mark.detoxify
def test_detoxify_loads_a_local_checkpoint_offline_and_scores_every_label(
    tiny_checkpoint: tuple[Path, Path],
) -> None:
    checkpoint, folder = tiny_checkpoint
    scorer = load_scorer(
        "detoxify", detoxify_checkpoint=str(checkpoint), detoxify_model_dir=str(folder)
    )
    long_text = "you are pathetic " * 500  # far beyond the model's 64 positions: truncated
    scores = scorer.score_batch(["sending you strength", long_text, "dialysis again"])
    assert len(scores) == 3
    for row in scores:
        assert set(row) >= set(moderation.LABELS) and all(0.0 <= v <= 1.0 for v in row.values())
    assert "sha256:" in scorer.version and "detoxify" in scorer.version


@pytest.mark.detoxify
def test_a_rigged_checkpoint_gives_exactly_its_known_outputs(
    rigged_checkpoint: tuple[Path, Path],
) -> None:
    checkpoint, folder = rigged_checkpoint
    scorer = load_scorer(
        "detoxify", detoxify_checkpoint=str(checkpoint), detoxify_model_dir=str(folder)
    )
    (scores,) = scorer.score_batch(["anything at all"])
    sigmoid = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    expected = {
        "toxicity": sigmoid(2.0),
        "severe_toxicity": sigmoid(-3.0),
        "obscene": 0.5,
        "threat": sigmoid(-1.0),
        "insult": sigmoid(1.0),
        "identity_attack": sigmoid(-2.0),
    }
    assert {label: scores[label] for label in moderation.LABELS} == pytest.approx(
        expected, abs=1e-5
    )
    assert {"crisis", "medical_misinformation", "spam"} <= set(scores)  # the heads stay
    # Through assess(): insult 0.73 >= 0.60 and toxicity 0.88 >= 0.80 -> held, as an insult.
    a = moderation.assess("anything at all", scorer=scorer)
    assert a.route is moderation.Route.HOLD and "score.insult" in {r.code for r in a.reasons}


@pytest.mark.detoxify
def test_missing_detoxify_files_stop_start_up_with_the_setting_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ScorerLoadError, match="HARBOUR_DETOXIFY_CHECKPOINT"):
        load_scorer(
            "detoxify",
            detoxify_checkpoint=str(tmp_path / "missing.ckpt"),
            detoxify_model_dir=str(tmp_path),
        )

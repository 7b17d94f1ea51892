"""Evaluation on labelled CSV files and calibration to moderators' decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation import DEFAULT_THRESHOLDS, load_scorer
from moderation.evaluation import calibrate, evaluate, load_labelled_csv

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_labels_may_be_words_numbers_or_probabilities(tmp_path: Path) -> None:
    csv_file = tmp_path / "labelled.csv"
    csv_file.write_text(
        "text;label\nyou are vile;hateful\nthanks all;non-hateful\nidiot;0.9\nkind words;0\n"
    )
    texts, labels = load_labelled_csv(csv_file, "text", "label")
    assert texts == ["you are vile", "thanks all", "idiot", "kind words"]
    assert labels == [1, 0, 1, 0]
    with pytest.raises(ValueError, match="no column"):
        load_labelled_csv(csv_file, "comment", "label")


def test_evaluate_reports_roc_auc_and_precision_recall() -> None:
    texts = [
        "fuck you",
        "you piece of shit",
        "thank you so much",
        "sending love",
        "go to hell you idiot",
        "lovely",
    ]
    labels = [1, 1, 0, 0, 1, 0]
    report = evaluate(texts, labels, load_scorer("profanity"))
    toxicity = next(f for f in report.labels if f.label == "toxicity")
    assert toxicity.roc_auc is not None and toxicity.roc_auc > 0.8
    assert report.route_recall > 0.5
    assert "ROC-AUC" in report.format()


def test_calibration_suggests_thresholds_that_match_moderators_and_counts_flips() -> None:
    decisions = [
        ({"insult": s}, rejected)
        for s, rejected in [
            (0.9, True),
            (0.5, True),
            (0.45, True),
            (0.2, False),
            (0.1, False),
            (0.3, False),
        ]
    ]
    result = calibrate(decisions, current=DEFAULT_THRESHOLDS)
    change = next(c for c in result.changes if c.label == "insult")
    assert change.current == 0.60 and change.suggested < 0.45 and change.flips == 2
    assert change.f1_suggested > change.f1_current
    assert result.suggested["insult"] == change.suggested


@pytest.mark.skipif(
    not SHARED_DATA.exists(), reason="public evaluation data (../shared/data) not present"
)
def test_the_default_scorer_on_ethos_matches_its_published_figure() -> None:
    texts, labels = load_labelled_csv(
        SHARED_DATA / "ethos" / "Ethos_Dataset_Binary.csv", "comment", "isHate"
    )
    report = evaluate(texts, labels, load_scorer("profanity"))
    toxicity = next(f for f in report.labels if f.label == "toxicity")
    assert toxicity.roc_auc == pytest.approx(0.71, abs=0.02)

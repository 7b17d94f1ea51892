"""The heads: rebuilt bit-for-bit by training, calibrated, and measured on posts they never saw."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from moderation import dataset, training
from moderation.heads import EXTRA_LABELS, HEADS_FILE, NGRAMS_FILE, Heads
from moderation.scorers import EmbeddingScorer, load_scorer


@pytest.fixture(scope="module")
def scorer() -> EmbeddingScorer:
    loaded = load_scorer("minilm")
    assert isinstance(loaded, EmbeddingScorer)
    return loaded


def small_sample() -> list[dataset.Example]:
    """A few posts of every category (both splits), in the dataset's own stable order."""
    taken: dict[str, int] = {}
    sample = []
    for example in dataset.harbour_posts():
        if taken.get(example.category, 0) < 12:
            taken[example.category] = taken.get(example.category, 0) + 1
            sample.append(example)
    return sample


def test_training_rebuilds_the_same_files_bit_for_bit(
    scorer: EmbeddingScorer, tmp_path: Path
) -> None:
    sample = small_sample()
    first = training.train(scorer.embedder, sample, folder=tmp_path / "first")
    second = training.train(scorer.embedder, list(sample), folder=tmp_path / "second")
    for name in (HEADS_FILE.name, NGRAMS_FILE.name):
        assert (first.path / name).read_bytes() == (second.path / name).read_bytes()
    trained = Heads.load(first.path)
    assert set(trained.heads) == set(dataset.HEAD_LABELS)
    assert set(trained.thresholds) == set(EXTRA_LABELS)


def test_the_split_is_fixed_by_each_post_and_training_never_sees_the_test_posts() -> None:
    examples = dataset.all_examples()
    train, test, removed = dataset.training_and_test(examples)
    assert removed > 0
    assert {e.split for e in test} == {"test"}
    test_texts = {dataset.normalise(e.text) for e in test}
    assert not any(dataset.normalise(e.text) in test_texts for e in train)
    for example in examples[:200]:
        if example.category != "public":
            assert dataset.split_of(example.text) == example.split
    # Near-copies of a test post are left out of training, not moved into the test split.
    test_words = [dataset.words(e.text) for e in test if e.category != "public"]
    for example in train[:300]:
        if example.category == "public":
            continue
        mine = dataset.words(example.text)
        assert all(
            len(mine & theirs) / len(mine | theirs) < dataset.NEAR_DUPLICATE
            for theirs in test_words
            if mine | theirs
        )


def test_the_probe_posts_are_never_trained_on() -> None:
    """moderation/data/probes/ is measured with `harbour moderation evaluate`, never learnt."""
    probes = dataset.DATA / "probes" / "round4_fresh.csv"
    with probes.open(newline="", encoding="utf-8") as handle:
        probe_texts = {dataset.normalise(row["text"]) for row in csv.DictReader(handle)}
    assert len(probe_texts) == 96
    assert not probe_texts & {dataset.normalise(e.text) for e in dataset.all_examples()}


def test_the_committed_heads_cover_every_label_with_enough_examples() -> None:
    heads = Heads.load()
    assert set(heads.heads) == set(dataset.HEAD_LABELS)
    for label in EXTRA_LABELS:
        assert 0.0 < heads.thresholds[label] < 1.0
    counts = dataset.harbour_posts()
    for category in dataset.CATEGORIES:
        assert sum(e.category == category for e in counts) >= 200, category


def test_probabilities_mean_what_they_say_on_the_test_split(scorer: EmbeddingScorer) -> None:
    """A reliability check: posts scored around p are positive about p of the time. Measured on
    the Harbour test split, which the heads never saw (expected calibration error, 5 bins)."""
    test = [e for e in dataset.harbour_posts() if e.split == "test"]
    scores = scorer.score_batch([e.text for e in test])
    for label in ("crisis", "insult", "medical_misinformation", "spam"):
        predicted = np.array([s[label] for s in scores])
        truth = np.array([label in e.labels for e in test], dtype=float)
        bins = np.minimum((predicted * 5).astype(int), 4)
        error = sum(
            abs(predicted[bins == b].mean() - truth[bins == b].mean()) * (bins == b).mean()
            for b in range(5)
            if (bins == b).any()
        )
        assert error <= 0.08, f"{label}: expected calibration error {error:.3f}"

"""Measuring a scorer on labelled text, and fitting thresholds to moderators' decisions."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

from moderation.assess import assess_batch
from moderation.dataset import CATEGORIES, EXPECTED_ROUTE, GOALS
from moderation.heads import EXTRA_LABELS
from moderation.scorers import Scorer
from moderation.types import (
    DEFAULT_THRESHOLDS,
    LABELS,
    Assessment,
    AssessmentContext,
    Policy,
    Route,
)

POSITIVE_WORDS = {
    "1",
    "true",
    "yes",
    "hateful",
    "toxic",
    "hate",
    "offensive",
    "abusive",
    "positive",
}
NEGATIVE_WORDS = {
    "0",
    "false",
    "no",
    "non-hateful",
    "not hateful",
    "non-toxic",
    "neutral",
    "normal",
    "negative",
}


def read_label(value: str, positive_threshold: float = 0.5) -> int:
    """A 0/1 label from a word, a number or a probability."""
    word = value.strip().lower()
    if word in POSITIVE_WORDS:
        return 1
    if word in NEGATIVE_WORDS:
        return 0
    try:
        return int(float(word) >= positive_threshold)
    except ValueError as exc:
        raise ValueError(
            f"cannot read {value!r} as a label (use 0/1, a probability, hateful/non-hateful, "
            "or one of Harbour's categories)"
        ) from exc


def load_columns(
    path: str | Path,
    text_column: str,
    label_column: str,
    *,
    delimiter: str | None = None,
) -> tuple[list[str], list[str]]:
    """Texts and their raw labels from a CSV file; the delimiter is guessed when not given."""
    with open(path, newline="", encoding="utf-8") as handle:
        sample = handle.read(8192)
        handle.seek(0)
        try:
            found = delimiter or csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            found = ","
        reader = csv.DictReader(handle, delimiter=found)
        missing = {text_column, label_column} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: no column(s) {sorted(missing)}; found {reader.fieldnames}")
        texts, labels = [], []
        for row in reader:
            text = (row[text_column] or "").strip()
            if text:
                texts.append(text)
                labels.append((row[label_column] or "").strip())
    return texts, labels


def load_labelled_csv(
    path: str | Path,
    text_column: str,
    label_column: str,
    *,
    delimiter: str | None = None,
    positive_threshold: float = 0.5,
) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels from a CSV file; the delimiter is guessed when not given."""
    texts, values = load_columns(path, text_column, label_column, delimiter=delimiter)
    return texts, [read_label(v, positive_threshold) for v in values]


def are_categories(values: Sequence[str]) -> bool:
    return bool(values) and all(v in EXPECTED_ROUTE for v in values)


def route_is_right(category: str, route: Route) -> bool:
    expected = EXPECTED_ROUTE[category]
    if expected == "urgent":
        return route is Route.URGENT
    if expected == "held":
        return route is not Route.PUBLISH
    return route is Route.PUBLISH


@dataclass(frozen=True)
class CategoryFigures:
    category: str
    expected: str  # urgent, held or published
    posts: int
    right: int
    goal: float
    outcomes: dict[str, int]  # how many went publish / hold / urgent

    @property
    def share(self) -> float:
        return self.right / self.posts if self.posts else 0.0


@dataclass(frozen=True)
class CategoryReport:
    scorer: str
    categories: list[CategoryFigures]

    def format(self) -> str:
        lines = [
            f"scorer {self.scorer}",
            f"{'category':<24} {'should be':<10} {'posts':>5} {'right':>7} {'goal':>5}  "
            "published / held / urgent",
        ]
        for f in self.categories:
            met = "ok" if f.share >= f.goal else "BELOW"
            lines.append(
                f"{f.category:<24} {f.expected:<10} {f.posts:>5} {f.share:>7.1%} {f.goal:>5.0%}  "
                f"{f.outcomes.get('publish', 0)} / {f.outcomes.get('hold', 0)} / "
                f"{f.outcomes.get('urgent', 0)}  {met}"
            )
        return "\n".join(lines)


def assess_all(
    texts: Sequence[str],
    scorer: Scorer,
    thresholds: Mapping[str, float] | None = None,
    *,
    batch_size: int = 256,
) -> list[Assessment]:
    context = AssessmentContext(policy=Policy(thresholds=dict(thresholds or DEFAULT_THRESHOLDS)))
    assessments: list[Assessment] = []
    for start in range(0, len(texts), batch_size):
        chunk = texts[start : start + batch_size]
        assessments.extend(assess_batch(chunk, [context] * len(chunk), scorer=scorer))
    return assessments


def evaluate_categories(
    texts: Sequence[str],
    categories: Sequence[str],
    scorer: Scorer,
    thresholds: Mapping[str, float] | None = None,
) -> CategoryReport:
    """Per category, the share of posts the whole engine routes as it should."""
    assessments = assess_all(texts, scorer, thresholds)
    figures = []
    for category in CATEGORIES:
        routes = [a.route for a, c in zip(assessments, categories, strict=True) if c == category]
        if not routes:
            continue
        outcomes: dict[str, int] = {}
        for route in routes:
            outcomes[route.value] = outcomes.get(route.value, 0) + 1
        figures.append(
            CategoryFigures(
                category,
                EXPECTED_ROUTE[category],
                len(routes),
                sum(route_is_right(category, r) for r in routes),
                GOALS[category],
                outcomes,
            )
        )
    return CategoryReport(f"{scorer.name} ({scorer.version})", figures)


@dataclass(frozen=True)
class LabelFigures:
    label: str
    roc_auc: float | None  # None when the scorer gives this label no signal
    threshold: float
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class EvaluationReport:
    scorer: str
    examples: int
    positives: int
    labels: list[LabelFigures]
    # The whole engine (scores and rules): held or urgent counts as "flagged".
    route_precision: float
    route_recall: float
    route_f1: float

    def format(self) -> str:
        lines = [
            f"{self.examples} examples, {self.positives} labelled positive; scorer {self.scorer}",
            f"{'label':<16} {'ROC-AUC':>8} {'thresh':>7} {'prec':>6} {'recall':>6} {'F1':>6}",
        ]
        for f in self.labels:
            auc = f"{f.roc_auc:.3f}" if f.roc_auc is not None else "  n/a"
            lines.append(
                f"{f.label:<16} {auc:>8} {f.threshold:>7.2f} {f.precision:>6.2f} {f.recall:>6.2f} {f.f1:>6.2f}"
            )
        lines.append(
            f"{'engine (route)':<16} {'':>8} {'':>7} {self.route_precision:>6.2f} "
            f"{self.route_recall:>6.2f} {self.route_f1:>6.2f}"
        )
        return "\n".join(lines)


def _prf(truth: Sequence[int], predicted: Sequence[int]) -> tuple[float, float, float]:
    precision, recall, f1, _ = precision_recall_fscore_support(
        truth, predicted, average="binary", zero_division=0
    )
    return float(precision), float(recall), float(f1)


def evaluate(
    texts: Sequence[str],
    labels: Sequence[int],
    scorer: Scorer,
    thresholds: Mapping[str, float] | None = None,
    *,
    batch_size: int = 256,
) -> EvaluationReport:
    thresholds = dict(thresholds or DEFAULT_THRESHOLDS)
    assessments = assess_all(texts, scorer, thresholds, batch_size=batch_size)
    figures = []
    both_classes = 0 < sum(labels) < len(labels)
    for label in [*LABELS, *EXTRA_LABELS]:
        scores = [a.scores.get(label, 0.0) for a in assessments]
        has_signal = any(s > 0 for s in scores)
        if not has_signal:
            continue
        auc = float(roc_auc_score(labels, scores)) if both_classes else None
        threshold = thresholds.get(label, getattr(scorer, "thresholds", {}).get(label, 0.5))
        precision, recall, f1 = _prf(labels, [int(s >= threshold) for s in scores])
        figures.append(LabelFigures(label, auc, threshold, precision, recall, f1))
    flagged = [int(a.route is not Route.PUBLISH or a.review_flag) for a in assessments]
    route_precision, route_recall, route_f1 = _prf(labels, flagged)
    return EvaluationReport(
        scorer=f"{scorer.name} ({scorer.version})",
        examples=len(texts),
        positives=sum(labels),
        labels=figures,
        route_precision=route_precision,
        route_recall=route_recall,
        route_f1=route_f1,
    )


@dataclass(frozen=True)
class ThresholdChange:
    label: str
    current: float
    suggested: float
    flips: int  # decisions the new threshold would route differently from the current one
    f1_current: float
    f1_suggested: float


@dataclass(frozen=True)
class CalibrationResult:
    decisions: int
    rejected: int
    changes: list[ThresholdChange] = field(default_factory=list)

    @property
    def suggested(self) -> dict[str, float]:
        return {c.label: c.suggested for c in self.changes}

    def format(self) -> str:
        lines = [
            f"{self.decisions} moderator decisions ({self.rejected} rejected) on scored posts",
            f"{'label':<16} {'current':>8} {'suggested':>9} {'F1 now':>7} {'F1 then':>7} {'flips':>6}",
        ]
        for c in self.changes:
            lines.append(
                f"{c.label:<16} {c.current:>8.2f} {c.suggested:>9.2f} {c.f1_current:>7.2f} "
                f"{c.f1_suggested:>7.2f} {c.flips:>6}"
            )
        return "\n".join(lines)


CANDIDATES = [round(x / 100, 2) for x in range(5, 100, 5)]


def calibrate(
    decisions: Sequence[tuple[Mapping[str, float], bool]],
    current: Mapping[str, float] | None = None,
) -> CalibrationResult:
    """Per label, the threshold that best separates posts moderators rejected from those they
    approved (highest F1; ties keep the current value), and how many decisions it would flip."""
    current = dict(current or DEFAULT_THRESHOLDS)
    truth = [int(rejected) for _scores, rejected in decisions]
    changes = []
    for label in LABELS:
        scores = [float(s.get(label, 0.0)) for s, _rejected in decisions]
        if not any(scores):
            continue
        now = current.get(label, DEFAULT_THRESHOLDS[label])
        f1_now = _prf(truth, [int(s >= now) for s in scores])[2]
        best, best_f1 = now, f1_now
        for candidate in CANDIDATES:
            f1 = _prf(truth, [int(s >= candidate) for s in scores])[2]
            if f1 > best_f1 + 1e-9:
                best, best_f1 = candidate, f1
        flips = sum(1 for s in scores if (s >= now) != (s >= best))
        changes.append(ThresholdChange(label, now, best, flips, f1_now, best_f1))
    return CalibrationResult(decisions=len(decisions), rejected=sum(truth), changes=changes)

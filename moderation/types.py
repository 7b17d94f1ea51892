"""The library's vocabulary: labels, routes, reasons with spans, policy and the assessment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Detoxify's label set; every scorer reports all six (0.0 where it cannot tell).
LABELS: tuple[str, ...] = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "threat",
    "insult",
    "identity_attack",
)
# What mature forums ran with Detoxify.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "toxicity": 0.80,
    "severe_toxicity": 0.30,
    "obscene": 0.80,
    "threat": 0.60,
    "insult": 0.60,
    "identity_attack": 0.60,
}


def N_(message: str) -> str:
    """Mark text a member may read, so the app's translation catalogue picks it up."""
    return message


class Route(StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"
    URGENT = "urgent"


class WatchedWordAction(StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    FLAG = "flag"


class VentingHandling(StrEnum):
    PUBLISH_AND_FLAG = "publish_and_flag"
    HOLD = "hold"


@dataclass(frozen=True)
class Span:
    """Character offsets [start, end) into the assessed text."""

    start: int
    end: int
    reason_code: str


@dataclass(frozen=True)
class Reason:
    code: str  # stable, e.g. "crisis.suicidal_ideation", "identifier.nhs_number", "score.insult"
    message: str  # one plain-English sentence for a moderator
    spans: tuple[Span, ...] = ()
    label: str | None = None  # the score label behind it, if any


@dataclass(frozen=True)
class WatchedWord:
    phrase: str
    action: WatchedWordAction


@dataclass(frozen=True)
class Policy:
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    venting: VentingHandling = VentingHandling.PUBLISH_AND_FLAG
    watched_words: tuple[WatchedWord, ...] = ()

    def threshold(self, label: str) -> float:
        return float(self.thresholds.get(label, DEFAULT_THRESHOLDS[label]))


@dataclass(frozen=True)
class AssessmentContext:
    policy: Policy = field(default_factory=Policy)
    author_is_new_member: bool = False  # links from new members are held
    recent_texts_by_author: tuple[str, ...] = ()  # for "the same text posted repeatedly"


@dataclass(frozen=True)
class Assessment:
    route: Route
    priority: int  # 0..100: higher is seen sooner; URGENT is always >= 90
    scores: Mapping[str, float]
    scorer_name: str
    scorer_version: str
    reasons: tuple[Reason, ...]
    spans: tuple[Span, ...]
    review_flag: bool  # published, but queued for a low-priority human look
    blocked: bool  # a watched word set to block: the app refuses the submission
    needs_clinical_review: bool  # dangerous medical advice
    suggestions: tuple[str, ...]  # plain-English advice for the author

    def to_dict(self) -> dict[str, Any]:
        return {
            "route": self.route.value,
            "priority": self.priority,
            "scores": dict(self.scores),
            "scorer_name": self.scorer_name,
            "scorer_version": self.scorer_version,
            "reasons": [
                {
                    "code": r.code,
                    "message": r.message,
                    "label": r.label,
                    "spans": [[s.start, s.end, s.reason_code] for s in r.spans],
                }
                for r in self.reasons
            ],
            "spans": [[s.start, s.end, s.reason_code] for s in self.spans],
            "review_flag": self.review_flag,
            "blocked": self.blocked,
            "needs_clinical_review": self.needs_clinical_review,
            "suggestions": list(self.suggestions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assessment:
        return cls(
            route=Route(data["route"]),
            priority=int(data["priority"]),
            scores=dict(data["scores"]),
            scorer_name=data["scorer_name"],
            scorer_version=data["scorer_version"],
            reasons=tuple(
                Reason(
                    code=r["code"],
                    message=r["message"],
                    label=r.get("label"),
                    spans=tuple(Span(int(a), int(b), str(c)) for a, b, c in r["spans"]),
                )
                for r in data["reasons"]
            ),
            spans=tuple(Span(int(a), int(b), str(c)) for a, b, c in data["spans"]),
            review_flag=bool(data["review_flag"]),
            blocked=bool(data["blocked"]),
            needs_clinical_review=bool(data["needs_clinical_review"]),
            suggestions=tuple(data["suggestions"]),
        )

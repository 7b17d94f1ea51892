"""Harbour's moderation engine: a library that never imports the web app.

    assessment = moderation.assess("I can't go on.", AssessmentContext(policy=Policy()))
    assessment.route      # Route.URGENT
    assessment.reasons    # plain-English reasons with character spans to highlight

Scorers give calibrated probabilities per label (Detoxify's label set); rule detectors find
crisis language, personal identifiers, dangerous medical advice, watched words and spam;
`assess` combines them into a route (publish / hold / urgent), a queue priority and reasons.
Scores rank and hold posts for humans: nothing here ever deletes what someone wrote.
"""

from moderation.assess import assess, assess_batch, detect_rules
from moderation.scorers import Scorer, ScorerLoadError, default_scorer, load_scorer
from moderation.types import (
    DEFAULT_THRESHOLDS,
    LABELS,
    Assessment,
    AssessmentContext,
    Policy,
    Reason,
    Route,
    Span,
    VentingHandling,
    WatchedWord,
    WatchedWordAction,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LABELS",
    "Assessment",
    "AssessmentContext",
    "Policy",
    "Reason",
    "Route",
    "Scorer",
    "ScorerLoadError",
    "Span",
    "VentingHandling",
    "WatchedWord",
    "WatchedWordAction",
    "assess",
    "assess_batch",
    "default_scorer",
    "detect_rules",
    "load_scorer",
]

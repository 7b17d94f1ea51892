"""Scorers: calibrated probabilities per label, from a named backend.

A backend that fails to load raises ScorerLoadError naming the setting to fix; nothing ever falls
back silently to another model.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from moderation.types import LABELS, Span

if TYPE_CHECKING:
    from moderation.embedding import Embedder
    from moderation.heads import Heads


class ScorerLoadError(Exception):
    """The configured scorer cannot be used; the message says which setting to fix."""


@runtime_checkable
class Scorer(Protocol):
    name: str
    version: str

    def score_batch(self, texts: Sequence[str]) -> list[dict[str, float]]: ...


@dataclass(frozen=True)
class Scored:
    """A text's scores, and for the model's own labels the part of the text that scored highest
    (the sentence window closest to, say, posts about ending one's life) to highlight."""

    scores: dict[str, float]
    evidence: dict[str, Span] = field(default_factory=dict)


def _all_labels(**known: float) -> dict[str, float]:
    scores = dict.fromkeys(LABELS, 0.0)
    scores.update(known)
    return scores


_WORD = re.compile(r"[A-Za-z*@$!][A-Za-z*@$!'-]*")


class ProfanityScorer:
    """alt-profanity-check's bundled calibrated model: offline, fast, profanity only.

    It recognises swearing, not hostility without swear words, so it fills `toxicity` and
    `obscene`; the rule detectors cover insults aimed at people.
    """

    name = "profanity"

    def __init__(self) -> None:
        try:
            from profanity_check import profanity_check
        except ImportError as exc:  # pragma: no cover - it is a core dependency
            raise ScorerLoadError(
                "HARBOUR_SCORER=profanity: the alt-profanity-check package is not installed"
            ) from exc
        import numpy as np

        # Its model is a sigmoid-calibrated ensemble of linear SVMs; scikit-learn's
        # predict_proba spends ~4 ms a call walking it. The same sums as one matrix product:
        # p = mean over members of 1 / (1 + exp(a * (x.w + b) + c)).
        self._vectoriser = profanity_check.vectorizer
        members = profanity_check.model.calibrated_classifiers_
        self._weights = np.stack([m.estimator.coef_[0] for m in members], axis=1)
        self._intercepts = np.array([m.estimator.intercept_[0] for m in members])
        self._slopes = np.array([m.calibrators[0].a_ for m in members])
        self._offsets = np.array([m.calibrators[0].b_ for m in members])
        self.version = f"alt-profanity-check {metadata.version('alt-profanity-check')}"

    def _predict(self, texts: Sequence[str]) -> Any:
        import numpy as np

        margins = self._vectoriser.transform(list(texts)) @ self._weights + self._intercepts
        return (1.0 / (1.0 + np.exp(self._slopes * margins + self._offsets))).mean(axis=1)

    def score_batch(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        probabilities = self._predict(texts)
        return [_all_labels(toxicity=float(p), obscene=float(p)) for p in probabilities]

    def offending_spans(self, text: str, threshold: float = 0.5) -> list[Span]:
        """The words the model itself finds profane, to highlight for a moderator."""
        words = list(_WORD.finditer(text))
        if not words:
            return []
        probabilities = self._predict([m.group(0) for m in words])
        return [
            Span(m.start(), m.end(), "score.obscene")
            for m, p in zip(words, probabilities, strict=True)
            if p >= threshold
        ]


class DetoxifyScorer:
    """The real Detoxify model, loaded offline from a local checkpoint and Hugging Face folder."""

    name = "detoxify"

    def __init__(self, checkpoint: str | None, model_dir: str | None, device: str = "cpu") -> None:
        if not checkpoint or not Path(checkpoint).is_file():
            raise ScorerLoadError(
                f"HARBOUR_SCORER=detoxify: checkpoint file {checkpoint!r} not found "
                "(set HARBOUR_DETOXIFY_CHECKPOINT to the .ckpt file)"
            )
        if not model_dir or not (Path(model_dir) / "config.json").is_file():
            raise ScorerLoadError(
                f"HARBOUR_SCORER=detoxify: Hugging Face folder {model_dir!r} has no config.json "
                "(set HARBOUR_DETOXIFY_MODEL_DIR to the model's config and tokenizer folder)"
            )
        # Never reach for the hub: weights cannot be downloaded where Harbour runs.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            from detoxify import detoxify as detoxify_module
        except ImportError as exc:
            raise ScorerLoadError(
                "HARBOUR_SCORER=detoxify needs the optional extra: pip install 'harbour[detoxify]'"
            ) from exc
        self._torch = torch
        try:
            loaded = torch.load(checkpoint, map_location=device, weights_only=False)
            args = dict(loaded["config"]["arch"]["args"])
            # Detoxify asks the hub for `model_type` unless it is a local path: point it home.
            args["model_type"] = str(model_dir)
            self.model, self.tokenizer = detoxify_module.get_model_and_tokenizer(
                **args, state_dict=loaded["state_dict"], huggingface_config_path=str(model_dir)
            )
            classes = loaded["config"]["dataset"]["args"]["classes"]
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise ScorerLoadError(
                f"HARBOUR_SCORER=detoxify: could not load {checkpoint}: {exc} "
                "(check HARBOUR_DETOXIFY_CHECKPOINT and HARBOUR_DETOXIFY_MODEL_DIR)"
            ) from exc
        renamed = {
            "toxic": "toxicity",
            "identity_hate": "identity_attack",
            "severe_toxic": "severe_toxicity",
        }
        self.class_names = [renamed.get(c, c) for c in classes]
        self.device = device
        self.model.to(device)
        self.model.eval()
        self.max_length = int(getattr(self.model.config, "max_position_embeddings", 512))
        digest = hashlib.sha256(Path(checkpoint).read_bytes()).hexdigest()[:12]
        self.version = (
            f"{Path(checkpoint).name} sha256:{digest} detoxify {metadata.version('detoxify')}"
        )
        self._lock = threading.Lock()

    def score_batch(self, texts: Sequence[str], batch_size: int = 16) -> list[dict[str, float]]:
        results: list[dict[str, float]] = []
        for start in range(0, len(texts), batch_size):
            chunk = list(texts[start : start + batch_size])
            inputs = self.tokenizer(
                chunk,
                return_tensors="pt",
                truncation=True,
                padding=True,
                max_length=self.max_length,
            ).to(self.device)
            with self._lock, self._torch.no_grad():
                logits = self.model(**inputs)[0]
            probabilities = self._torch.sigmoid(logits).cpu().tolist()
            for row in probabilities:
                known = {
                    name: float(p)
                    for name, p in zip(self.class_names, row, strict=True)
                    if name in LABELS
                }
                results.append(_all_labels(**known))
        return results


class EmbeddingScorer:
    """The default: all-MiniLM-L6-v2 sentence embeddings (onnxruntime, int8) and calibrated heads
    for Detoxify's labels plus crisis, medical misinformation and spam; `obscene` comes from the
    profanity model, which hears swearing word by word.

    Crisis is scored on the whole post and on each sentence window, and the highest counts, so a
    crisis sentence inside a long post is not averaged away.
    """

    name = "minilm"

    def __init__(
        self,
        embedding_model: str | None = None,
        model_cache_dir: str | None = None,
        *,
        threads: int = 1,
        heads_folder: Path | None = None,
    ) -> None:
        from moderation.embedding import Embedder, EmbeddingModelError
        from moderation.heads import MODEL_DIR, Heads, HeadsError

        try:
            self.embedder: Embedder = Embedder(embedding_model, model_cache_dir, threads=threads)
            self.heads: Heads = Heads.load(heads_folder or MODEL_DIR)
        except (EmbeddingModelError, HeadsError) as exc:
            raise ScorerLoadError(f"HARBOUR_SCORER=minilm: {exc}") from exc
        self.profanity = ProfanityScorer()
        self.thresholds: Mapping[str, float] = self.heads.thresholds
        self.version = (
            f"{self.embedder.version} heads:{self.heads.version} + {self.profanity.version}"
        )

    def score_details(self, texts: Sequence[str]) -> list[Scored]:
        if not texts:
            return []
        import numpy as np

        from moderation.heads import ngram_features

        embedded = self.embedder.embed(texts)
        predictions = self.heads.predict(
            np.stack([e.vector for e in embedded]), ngram_features(texts)
        )
        swearing = self.profanity.score_batch(texts)
        crisis_head = self.heads.heads.get("crisis")
        window_crisis: list[np.ndarray] = []
        if crisis_head is not None:
            # Every sentence window of every post in one pass: the highest counts for crisis, and
            # it is the one highlighted.
            window_texts = [
                text[w.start : w.end]
                for text, item in zip(texts, embedded, strict=True)
                for w in item.windows
            ]
            by_window = crisis_head.probability(
                np.concatenate([e.window_vectors for e in embedded]),
                ngram_features(window_texts),
            )
            bounds = np.cumsum([0, *(len(e.windows) for e in embedded)])
            window_crisis = [by_window[a:b] for a, b in pairwise(bounds)]
        results = []
        for index, item in enumerate(embedded):
            scores = _all_labels(obscene=swearing[index]["obscene"])
            scores.update({label: float(p[index]) for label, p in predictions.items()})
            evidence: dict[str, Span] = {}
            if window_crisis:
                own = window_crisis[index]
                best = int(own.argmax())
                if len(item.windows) > 1:
                    scores["crisis"] = max(scores["crisis"], float(own[best]))
                window = item.windows[best]
                evidence["crisis"] = Span(window.start, window.end, "crisis.model")
            results.append(Scored(scores, evidence))
        return results

    def score_batch(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [s.scores for s in self.score_details(texts)]

    def offending_spans(self, text: str, threshold: float = 0.5) -> list[Span]:
        return self.profanity.offending_spans(text, threshold)


class WithHeads:
    """Detoxify's six labels, with the embedding heads' crisis, medical and spam labels beside
    them (Detoxify knows nothing of those)."""

    def __init__(self, base: DetoxifyScorer, heads: EmbeddingScorer) -> None:
        self.base, self.heads = base, heads
        self.name = base.name
        self.version = f"{base.version} + {heads.embedder.version} heads:{heads.heads.version}"
        self.thresholds = heads.thresholds

    def score_details(self, texts: Sequence[str]) -> list[Scored]:
        extra = self.heads.score_details(texts)
        results = []
        for own, theirs in zip(self.base.score_batch(texts), extra, strict=True):
            scores = dict(theirs.scores)
            scores.update({label: own[label] for label in LABELS})
            results.append(Scored(scores, theirs.evidence))
        return results

    def score_batch(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [s.scores for s in self.score_details(texts)]


_cache: dict[tuple[Any, ...], Scorer] = {}
_cache_lock = threading.Lock()


def load_scorer(
    name: str,
    *,
    detoxify_checkpoint: str | None = None,
    detoxify_model_dir: str | None = None,
    device: str = "cpu",
    embedding_model: str | None = None,
    model_cache_dir: str | None = None,
    threads: int = 1,
) -> Scorer:
    """The scorer called `name`, loaded once per process."""
    key = (
        name,
        detoxify_checkpoint,
        detoxify_model_dir,
        device,
        embedding_model,
        model_cache_dir,
        threads,
    )
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        scorer: Scorer
        if name == "minilm":
            scorer = EmbeddingScorer(embedding_model, model_cache_dir, threads=threads)
        elif name == "profanity":
            scorer = ProfanityScorer()
        elif name == "detoxify":
            heads = _cache.get(
                ("minilm", None, None, "cpu", embedding_model, model_cache_dir, threads)
            )
            scorer = WithHeads(
                DetoxifyScorer(detoxify_checkpoint, detoxify_model_dir, device),
                heads
                if isinstance(heads, EmbeddingScorer)
                else EmbeddingScorer(embedding_model, model_cache_dir, threads=threads),
            )
        else:
            raise ScorerLoadError(
                f"HARBOUR_SCORER={name!r} is not a scorer Harbour knows; "
                "use 'minilm' (the default), 'detoxify' or 'profanity'"
            )
        _cache[key] = scorer
        return scorer


def default_scorer() -> Scorer:
    return load_scorer("minilm")

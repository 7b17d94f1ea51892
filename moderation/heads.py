"""Classification heads: one calibrated linear model per label, on two views of a post.

Each head adds two logistic regressions, each standardised on the training posts:
- one on the post's 384-number MiniLM sentence embedding (what the post means), and
- one on hashed word and character n-grams (how it is written: slang, typos, "kms", "tabs"),
then a Platt calibration (a, b) fitted on out-of-fold scores turns the sum into a probability
that means what it says on posts like the training set: p = sigmoid(a * margin + b).

Stored in `moderation/model/`: `heads.json` (embedding weights, biases, calibration, thresholds,
reviewable) and `heads-ngrams.npy` (the n-gram weights as int8 with one scale per head, 128 KB).
`harbour moderation train` rebuilds both bit-for-bit from `moderation/data/`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent / "model"
HEADS_FILE = MODEL_DIR / "heads.json"
NGRAMS_FILE = MODEL_DIR / "heads-ngrams.npy"
# Labels that are not Detoxify's: the forum's policy has no threshold for them, so the heads file
# carries one each, chosen at training time (see training.py and MODEL_CARD.md).
EXTRA_LABELS = ("crisis", "medical_misinformation", "spam")
NGRAM_BITS = 13  # 8,192 hashed features for words (1-2) and as many for characters (3-5)
MAX_NGRAM_CHARS = 20_000  # longer texts are read up to here by the n-gram view (linear, capped)


class HeadsError(Exception):
    """The heads files are missing or unreadable."""


@lru_cache(maxsize=1)
def _vectorisers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    words = HashingVectorizer(
        ngram_range=(1, 2), n_features=2**NGRAM_BITS, alternate_sign=False, norm="l2"
    )
    characters = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        n_features=2**NGRAM_BITS,
        alternate_sign=False,
        norm="l2",
    )
    return words, characters


def ngram_features(texts: Sequence[str]) -> Any:
    """Hashed word (1-2) and character (3-5, within words) n-grams, L2-normalised: a sparse
    (n, 16384) matrix. Stateless, so nothing but the weights needs storing."""
    from scipy.sparse import hstack

    capped = [t[:MAX_NGRAM_CHARS] for t in texts]
    words, characters = _vectorisers()
    return hstack([words.transform(capped), characters.transform(capped)]).tocsr()


@dataclass(frozen=True)
class Head:
    label: str
    weights: np.ndarray  # on the embedding, already divided by its training spread
    ngram_weights: np.ndarray  # on the n-grams, likewise
    bias: float
    platt_a: float
    platt_b: float

    def margin(self, vectors: np.ndarray, ngrams: Any) -> np.ndarray:
        return np.asarray(vectors @ self.weights + ngrams @ self.ngram_weights + self.bias)

    def probability(self, vectors: np.ndarray, ngrams: Any) -> np.ndarray:
        margin = self.margin(vectors, ngrams)
        return np.asarray(1.0 / (1.0 + np.exp(-(self.platt_a * margin + self.platt_b))))


@dataclass(frozen=True)
class Heads:
    heads: Mapping[str, Head]
    thresholds: Mapping[str, float]
    version: str  # the files' SHA-256 prefix, stored beside every assessment

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> Heads:
        try:
            raw = (folder / HEADS_FILE.name).read_bytes()
            ngram_raw = (folder / NGRAMS_FILE.name).read_bytes()
            data = json.loads(raw)
            quantised = np.load(folder / NGRAMS_FILE.name, allow_pickle=False)
            heads = {}
            for row, (label, head) in enumerate(data["heads"].items()):
                heads[label] = Head(
                    label,
                    np.asarray(head["weights"], dtype=np.float32),
                    quantised[row].astype(np.float32) * float(head["ngram_scale"]),
                    float(head["bias"]),
                    float(head["platt"][0]),
                    float(head["platt"][1]),
                )
            thresholds = {label: float(t) for label, t in data["thresholds"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise HeadsError(
                f"cannot read the classification heads in {folder}: {exc} "
                "(rebuild them with `harbour moderation train`)"
            ) from exc
        version = hashlib.sha256(raw + ngram_raw).hexdigest()[:12]
        return cls(heads, thresholds, version)

    def predict(self, vectors: np.ndarray, ngrams: Any) -> dict[str, np.ndarray]:
        """Each head's probabilities for (n, 384) embeddings and their (n, 16384) n-grams."""
        return {label: head.probability(vectors, ngrams) for label, head in self.heads.items()}

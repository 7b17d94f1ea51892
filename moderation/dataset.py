"""The labelled posts the heads learn from: categories, their labels, and the fixed test split.

Everything is read from `moderation/data/` (see its DATASHEET.md): posts written for Harbour
(`written/`, plus the engine's own additions in `added/`), and two public sets copied in with their
licences (`public/`). A post's split depends only on its own text (a hash), so it never moves when
posts are added; a training post too close to a test post (the same words, near enough) is left
out of training, so the test split measures posts the heads have not seen.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
CATEGORIES = (
    "crisis",
    "hostile",
    "identity_attack",
    "threat",
    "medical_misinformation",
    "spam",
    "venting",
    "supportive",
    "question",
    "benign_alarming",
)
# The labels each category teaches (every other label learns it as a negative). The six
# Detoxify labels keep their meaning, so the forums' thresholds do too: `toxicity` is hostility
# of any kind. `obscene` is left to the profanity model: swearing is a word-level matter.
CATEGORY_LABELS: dict[str, frozenset[str]] = {
    "crisis": frozenset({"crisis"}),
    "hostile": frozenset({"toxicity", "insult"}),
    "identity_attack": frozenset({"toxicity", "insult", "identity_attack"}),
    "threat": frozenset({"toxicity", "threat"}),
    "medical_misinformation": frozenset({"medical_misinformation"}),
    "spam": frozenset({"spam"}),
    "venting": frozenset(),
    "supportive": frozenset(),
    "question": frozenset(),
    "benign_alarming": frozenset(),
}
# No head for `severe_toxicity`: its forum threshold (0.30) presumes Detoxify's rare, extreme
# scale, and threats and identity attacks have heads of their own; the scorer reports 0.0 for it.
HEAD_LABELS = (
    "toxicity",
    "threat",
    "insult",
    "identity_attack",
    "crisis",
    "medical_misinformation",
    "spam",
)
# What should happen to each category's posts: the goals the bench checks.
EXPECTED_ROUTE = {
    "crisis": "urgent",
    "hostile": "held",
    "identity_attack": "held",
    "threat": "held",
    "medical_misinformation": "held",
    "spam": "held",
    "venting": "published",
    "supportive": "published",
    "question": "published",
    "benign_alarming": "published",
}
GOALS = {
    "crisis": 0.98,
    "hostile": 0.90,
    "identity_attack": 0.90,
    "threat": 0.90,
    "medical_misinformation": 0.90,
    "spam": 0.90,
    "venting": 0.95,
    "benign_alarming": 0.95,
    "supportive": 0.97,
    "question": 0.97,
}
TEST_SHARE = 5  # one post in five is in the test split
NEAR_DUPLICATE = 0.6  # word-set Jaccard at or above this to a test post: left out of training
PUBLIC_WEIGHT = 0.5  # public sets teach hostility in general; Harbour's own posts count double
_WORDS = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Example:
    text: str
    category: str  # one of CATEGORIES, or "public"
    labels: frozenset[str]
    source: str  # written, added, hatecheck, ethos
    split: str  # train or test
    weight: float = 1.0
    subtype: str = ""
    condition: str = ""
    voice: str = ""
    group: str = ""  # public sets: the template or text the split was drawn by
    round: int = 1  # Harbour's posts: 1 for the first files, N for `*_rN.csv` (written later)


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _bucket(key: str, buckets: int) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % buckets


def split_of(text: str) -> str:
    """The fixed split of a Harbour post: by the hash of its normalised text."""
    return "test" if _bucket(normalise(text), TEST_SHARE) == 0 else "train"


def words(text: str) -> frozenset[str]:
    return frozenset(_WORDS.findall(text.lower()))


_ROUND = re.compile(r"_r(\d+)$")


def round_of(path: Path) -> int:
    """Which round of writing a file belongs to: `crisis.csv` is round 1, `crisis_r3.csv` round 3."""
    found = _ROUND.search(path.stem)
    return int(found.group(1)) if found else 1


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def harbour_posts(folders: Iterable[str] = ("written", "added")) -> list[Example]:
    """Harbour's own labelled posts, in a stable order (by file, then by row)."""
    examples: list[Example] = []
    seen: set[str] = set()
    for folder in folders:
        for path in sorted((DATA / folder).glob("*.csv")):
            for row in _read_rows(path):
                text = (row.get("text") or "").strip()
                category = (row.get("category") or "").strip()
                if not text or category not in CATEGORY_LABELS or normalise(text) in seen:
                    continue
                seen.add(normalise(text))
                examples.append(
                    Example(
                        text=text,
                        category=category,
                        labels=CATEGORY_LABELS[category],
                        source=folder,
                        split=split_of(text),
                        subtype=row.get("subtype", ""),
                        condition=row.get("condition", ""),
                        voice=row.get("voice", ""),
                        round=round_of(path),
                    )
                )
    return examples


def hatecheck() -> list[Example]:
    """HateCheck (CC BY 4.0), split by template so no template is on both sides."""
    path = DATA / "public" / "hatecheck" / "test_suite_cases.csv"
    if not path.is_file():
        return []
    examples = []
    for row in _read_rows(path):
        hateful = row["label_gold"] == "hateful"
        template = row["templ_id"]
        examples.append(
            Example(
                text=row["test_case"].strip(),
                category="public",
                labels=frozenset({"toxicity", "identity_attack"}) if hateful else frozenset(),
                source="hatecheck",
                split="test" if _bucket(f"hatecheck:{template}", 3) == 0 else "train",
                weight=PUBLIC_WEIGHT,
                subtype=row["functionality"],
                group=template,
            )
        )
    return examples


def ethos() -> list[Example]:
    """ETHOS binary (GPL-3.0): isHate >= 0.5 is hateful; split by the text's hash."""
    path = DATA / "public" / "ethos" / "Ethos_Dataset_Binary.csv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    examples = []
    for row in rows:
        text = row["comment"].strip()
        hateful = float(row["isHate"]) >= 0.5
        examples.append(
            Example(
                text=text,
                category="public",
                labels=frozenset({"toxicity", "identity_attack"}) if hateful else frozenset(),
                source="ethos",
                split="test" if _bucket(f"ethos:{normalise(text)}", 3) == 0 else "train",
                weight=PUBLIC_WEIGHT,
                group=normalise(text),
            )
        )
    return examples


def near_duplicates_of_test(examples: Sequence[Example]) -> set[int]:
    """Indexes of training examples whose words nearly match a test example of the same source
    family (Harbour's posts, or one public set): they would leak the test split into training."""
    leaking: set[int] = set()
    families: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        family = "harbour" if example.category != "public" else example.source
        families.setdefault(family, []).append(index)
    for indexes in families.values():
        test = [words(examples[i].text) for i in indexes if examples[i].split == "test"]
        test_texts = {normalise(examples[i].text) for i in indexes if examples[i].split == "test"}
        by_word: dict[str, list[int]] = {}
        for position, test_words in enumerate(test):
            for word in test_words:
                by_word.setdefault(word, []).append(position)
        for index in indexes:
            example = examples[index]
            if example.split != "train":
                continue
            mine = words(example.text)
            overlap: dict[int, int] = {}
            for word in mine:
                for position in by_word.get(word, ()):
                    overlap[position] = overlap.get(position, 0) + 1
            for position, shared in overlap.items():
                theirs = test[position]
                union = len(mine) + len(theirs) - shared
                if union and shared / union >= NEAR_DUPLICATE:
                    leaking.add(index)
                    break
            else:
                if normalise(example.text) in test_texts:
                    leaking.add(index)
    return leaking


def all_examples(*, public: bool = True) -> list[Example]:
    return [*harbour_posts(), *(hatecheck() + ethos() if public else [])]


def training_and_test(
    examples: Sequence[Example],
) -> tuple[list[Example], list[Example], int]:
    """The training examples (near-duplicates of test posts removed), the test examples, and
    how many were removed."""
    leaking = near_duplicates_of_test(examples)
    train = [e for i, e in enumerate(examples) if e.split == "train" and i not in leaking]
    test = [e for e in examples if e.split == "test"]
    return train, test, len(leaking)

"""Moderation engine figures: speed of one assessment, batch throughput, and quality on public data."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import moderation
from moderation.evaluation import evaluate, load_labelled_csv

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SAMPLE_POSTS = [
    "Sending you strength. My first month on dialysis was hard too, it does get easier.",
    "I'm so sick of this fucking disease and the needles.",
    "You're pathetic, stop whining, people have it way worse than you.",
    "My NHS number is 943 476 5919 if the unit needs it.",
    "You should stop taking your tacrolimus, it's poison.",
    "I can't do this anymore. Everyone would be better off without me.",
    "Frozen grapes help me with the fluid limit in summer.",
    "Carb counting is exhausting some days but the sensor helps.",
]


def latency(scorer: moderation.Scorer, rounds: int = 300) -> list[float]:
    durations = []
    for n in range(rounds):
        text = SAMPLE_POSTS[n % len(SAMPLE_POSTS)]
        started = time.perf_counter()
        moderation.assess(text, scorer=scorer)
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def throughput(scorer: moderation.Scorer, posts: int = 2000, batch: int = 64) -> float:
    texts = [SAMPLE_POSTS[n % len(SAMPLE_POSTS)] for n in range(posts)]
    contexts = [moderation.AssessmentContext()] * batch
    started = time.perf_counter()
    for start in range(0, posts, batch):
        chunk = texts[start : start + batch]
        moderation.assess_batch(chunk, contexts[: len(chunk)], scorer=scorer)
    return posts / (time.perf_counter() - started)


def detoxify_tiny() -> moderation.Scorer | None:
    try:
        from tests.moderation.tiny_detoxify import build
    except ImportError:  # the optional extra is not installed
        return None
    checkpoint, folder = build(Path(tempfile.mkdtemp()) / "tiny")
    return moderation.load_scorer(
        "detoxify", detoxify_checkpoint=str(checkpoint), detoxify_model_dir=str(folder)
    )


def report() -> None:
    profanity = moderation.load_scorer("profanity")
    moderation.assess("warm up", scorer=profanity)
    single = sorted(latency(profanity))
    p99 = single[round(0.99 * (len(single) - 1))]
    print("\n== Moderation engine speed (default 'profanity' backend, one process)")
    print(
        f"  one assessment                 p50 {statistics.median(single):6.2f} ms   p99 {p99:6.2f} ms"
    )
    print(f"  batched assessments            {throughput(profanity):8.0f} posts/s")
    tiny = detoxify_tiny()
    if tiny is not None:
        print(
            f"  Detoxify path, tiny checkpoint {throughput(tiny, posts=512, batch=16):8.0f} posts/s"
            "   (architecture timing only: 2 layers, hidden 32; real weights are far slower)"
        )
    if not SHARED_DATA.exists():
        print("\n(../shared/data is absent: evaluation on public labelled sets skipped)")
        return
    sets = [
        (
            "HateCheck",
            SHARED_DATA / "hatecheck" / "test_suite_cases.csv",
            "test_case",
            "label_gold",
        ),
        ("ETHOS", SHARED_DATA / "ethos" / "Ethos_Dataset_Binary.csv", "comment", "isHate"),
    ]
    for name, path, text_column, label_column in sets:
        texts, labels = load_labelled_csv(path, text_column, label_column)
        print(f"\n== Evaluation on {name} (default thresholds)")
        print("  " + evaluate(texts, labels, profanity).format().replace("\n", "\n  "))

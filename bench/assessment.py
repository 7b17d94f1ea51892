"""Moderation engine figures: speed, start-up, memory and quality, today's scorer beside the new.

"Today" is the profanity scorer the engine ran before the embedding model (README "Evaluation" and
"Performance"); both run here in the same process on the same machine. Timings on one core use
the thread's CPU time as well as the wall clock: the 2-core machine is shared, and CPU time is
what the post itself cost.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import moderation
from moderation import dataset
from moderation.evaluation import evaluate, evaluate_categories, load_labelled_csv

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
POST_1000 = (
    "Three years on dialysis now and some days I honestly don't know how I keep going. "
    "The unit is lovely, the nurses know my name and my kids' names, but the fluid limit is "
    "killing me in this heat and I'm sick of being a pincushion. My fistula is holding up. "
    "Had my transplant assessment last month and they said my bloods look okay but I need to "
    "lose some weight first, which is hard when you can't eat half the things on the planet. "
    "Does anyone have tips for low potassium snacks that actually taste of something? Frozen "
    "grapes only get you so far. Also, how do you all deal with the tiredness after a session? "
    "I'm twenty-six and feel about ninety. Thanks for reading this far, this forum helps, "
    "sending love to everyone waiting for the call. "
)[:1000]
GOALS = {
    "worker posts/s (2 cores)": 200,
    "1,000-char assessment p95 ms (1 core)": 40,
    "start-up added s": 3,
    "memory added MB": 300,
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _forget(scorer: moderation.Scorer) -> None:
    embedder = getattr(scorer, "embedder", None)
    if embedder is not None:
        embedder.forget()


def one_post(
    scorer: moderation.Scorer, rounds: int = 120, *, seen: bool = False
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds for one assessment of a 1,000-character post the model
    has not read before (its window cache emptied each time), or, with `seen`, of the post
    sent after its compose check (every window cached)."""
    wall, cpu = [], []
    for _ in range(rounds):
        if not seen:
            _forget(scorer)
        started, started_cpu = time.perf_counter(), time.thread_time()
        moderation.assess(POST_1000, scorer=scorer)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def worker_rate(
    scorer: moderation.Scorer, texts: list[str], batch: int = 32
) -> tuple[float, float]:
    """Posts per second by the wall clock, and per CPU-second of this process (all threads):
    the second is what a core the worker has to itself would do, however busy the machine."""
    contexts = [moderation.AssessmentContext()] * batch
    _forget(scorer)
    started, started_cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        moderation.assess_batch(chunk, contexts[: len(chunk)], scorer=scorer)
    wall = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    return len(texts) / wall, len(texts) / cpu


LOAD_PROBE = """
import json, time, resource
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() / 2**20
import moderation
from moderation.scorers import load_scorer
before, started, started_cpu = rss(), time.perf_counter(), time.process_time()
scorer = load_scorer({name!r})
moderation.assess('warm up the first call', scorer=scorer)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": time.process_time() - started_cpu,
                   "mb": rss() - before}}))
"""


def load_cost(name: str) -> dict[str, float]:
    """Start-up time and resident memory a fresh process adds by loading the scorer."""
    out = subprocess.run(
        [sys.executable, "-c", LOAD_PROBE.format(name=name)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def torch_float_ms(rounds: int = 20) -> float | None:
    """The float model under torch for the same 1,000-character post (one thread), if torch is
    installed: the alternative runtime the int8 ONNX graph was chosen over."""
    try:
        import torch
        from transformers import AutoTokenizer, BertModel
    except ImportError:
        return None
    from moderation import embedding

    folder = Path(tempfile.mkdtemp())
    embedding.locate(None).extract_to(folder)
    torch.set_num_threads(1)
    model = BertModel.from_pretrained(str(folder), add_pooling_layer=False).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    times = []
    with torch.no_grad():
        for _ in range(rounds):
            started = time.thread_time()
            batch = tokenizer([POST_1000], truncation=True, max_length=256, return_tensors="pt")
            model(**batch)
            times.append((time.thread_time() - started) * 1000)
    return statistics.median(times)


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
    today = moderation.load_scorer("profanity")
    new = moderation.load_scorer("minilm")
    test = [e for e in dataset.harbour_posts() if e.split == "test"]
    texts = [e.text for e in test]
    for scorer in (today, new):
        moderation.assess("warm up", scorer=scorer)

    print("\n== Moderation engine speed (one process; 'today' = the profanity scorer)")
    rows = []
    for name, scorer in (("today (profanity)", today), ("minilm (int8 ONNX)", new)):
        wall, cpu = one_post(scorer)
        rows.append((name, wall, cpu))
        print(
            f"  {name:<20} one 1,000-char assessment, 1 core: CPU p50 {statistics.median(cpu):6.1f} ms "
            f"p95 {percentile(cpu, 0.95):6.1f} ms | wall p50 {statistics.median(wall):6.1f} ms "
            f"p95 {percentile(wall, 0.95):6.1f} ms"
        )
    wall, cpu = one_post(new, seen=True)
    print(
        f"  {'minilm, sent after its compose check':<20} (windows cached): CPU p50 "
        f"{statistics.median(cpu):6.1f} ms p95 {percentile(cpu, 0.95):6.1f} ms"
    )
    worker_texts = (texts * 2)[:1000]
    for name, scorer in (("today (profanity)", today), ("minilm", new)):
        wall, per_cpu = worker_rate(scorer, worker_texts)
        print(
            f"  {name:<20} worker, batches of 32: {per_cpu:6.0f} posts per CPU-second, so "
            f"{2 * per_cpu:6.0f} posts/s on 2 cores (two worker processes); wall clock here "
            f"{wall:6.0f} posts/s"
        )
    print(
        f"  (goal >= {GOALS['worker posts/s (2 cores)']} posts/s on 2 cores; the test split's posts; "
        f"load average {os.getloadavg()[0]:.1f} on this shared 2-core machine)"
    )
    float_ms = torch_float_ms()
    if float_ms is not None:
        print(
            f"  the same post on torch (float, 1 thread): CPU p50 {float_ms:6.1f} ms "
            "(the int8 graph keeps cosine >= 0.99 to it; see tests/moderation/test_embedding.py)"
        )
    costs = {name: load_cost(name) for name in ("profanity", "minilm")}
    for name, cost in costs.items():
        print(
            f"  start-up + first assessment, {name:<9} CPU {cost['cpu']:5.2f} s (wall {cost['seconds']:5.2f} s), "
            f"resident memory {cost['mb']:6.0f} MB"
        )
    print(
        f"  the new scorer adds CPU {costs['minilm']['cpu'] - costs['profanity']['cpu']:5.2f} s to start-up "
        f"and {costs['minilm']['mb'] - costs['profanity']['mb']:5.0f} MB of memory to today's"
    )
    print(
        f"  goals: start-up added <= {GOALS['start-up added s']} s, memory added <= "
        f"{GOALS['memory added MB']} MB, p95 <= {GOALS['1,000-char assessment p95 ms (1 core)']} ms"
    )
    tiny = detoxify_tiny()
    if tiny is not None:
        print(
            f"  Detoxify path, tiny checkpoint {worker_rate(tiny, worker_texts[:256], 16)[0]:7.0f} posts/s"
            "   (architecture timing only: 2 layers, hidden 32; real weights are far slower)"
        )

    # Round 1 is the fixed test split the first figures were measured on; round 2 is the later
    # posts' own test split (same rule), written by another writer: the closer check.
    for round_ in sorted({e.round for e in test}):
        part = [e for e in test if e.round == round_]
        if not part:
            continue
        print(
            f"\n== Whole engine on Harbour's round-{round_} test split ({len(part)} posts the "
            "heads never saw)"
        )
        part_texts, categories = [e.text for e in part], [e.category for e in part]
        for name, scorer in (("today", today), ("minilm", new)):
            table = evaluate_categories(part_texts, categories, scorer).format()
            print(f"  {name}:\n    " + table.replace("\n", "\n    "))

    sets = [
        (
            "HateCheck",
            "hatecheck",
            SHARED_DATA / "hatecheck" / "test_suite_cases.csv",
            "test_case",
            "label_gold",
        ),
        ("ETHOS", "ethos", SHARED_DATA / "ethos" / "Ethos_Dataset_Binary.csv", "comment", "isHate"),
    ]
    everything = dataset.all_examples()
    for name, source, path, text_column, label_column in sets:
        unseen = [e for e in everything if e.source == source and e.split == "test"]
        if unseen:
            report_new = evaluate(
                [e.text for e in unseen], [int(bool(e.labels)) for e in unseen], new
            )
            print(
                f"\n== {name}, the part the heads never saw ({len(unseen)} cases; split by "
                f"{'template' if source == 'hatecheck' else 'comment'})"
            )
            print("  " + report_new.format().replace("\n", "\n  "))
        if path.exists():
            texts_all, labels_all = load_labelled_csv(path, text_column, label_column)
            print(f"  today (profanity) on the whole of {name}:")
            print("  " + evaluate(texts_all, labels_all, today).format().replace("\n", "\n  "))

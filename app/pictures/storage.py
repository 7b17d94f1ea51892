"""Where picture files live: one interface, a store on local disk by default or any
S3-compatible store (AWS, MinIO, Ceph, Garage…) by setting.

A file's key is the SHA-256 of its re-encoded content, so the same picture is kept once and a
key can never point at different bytes.
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

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


class S3Store:
    """Objects in one bucket under a prefix, written with boto3 (the `s3` extra)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _key(self, key: str) -> str:
        if not KEY.match(key):
            raise ValueError("not a picture key")
        return f"{self.prefix}{key[:2]}/{key}"

    def put(self, key: str, content: bytes) -> None:
        # A key is the content's hash, so writing it again changes nothing: no need to look first.
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=content,
            ContentType="image/png" if key.endswith(".png") else "image/jpeg",
        )

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return bytes(response["Body"].read())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))  # no error when absent


@lru_cache(maxsize=4)
def _s3_client(
    endpoint_url: str | None,
    region: str | None,
    access_key_id: str | None,
    secret_access_key: str | None,
) -> Any:
    """One client per configuration: boto3 clients are thread-safe and slow to make."""
    import boto3  # the optional `s3` extra; only a store set to "s3" needs it
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
    )


def store_for(settings: Settings) -> PictureStore:
    if settings.picture_store == "s3":
        assert settings.picture_s3_bucket  # checked when the settings were read
        client = _s3_client(
            settings.picture_s3_endpoint_url,
            settings.picture_s3_region,
            settings.picture_s3_access_key_id,
            settings.picture_s3_secret_access_key,
        )
        return S3Store(client, settings.picture_s3_bucket, settings.picture_s3_prefix)
    return DiskStore(
        Path(settings.picture_dir) if settings.picture_dir else PROJECT_ROOT / "var" / "pictures"
    )

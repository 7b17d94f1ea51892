"""The S3-compatible picture store, against a real S3-compatible server on this machine (moto's
server, spoken to over HTTP by boto3 exactly as AWS, MinIO or Garage would be)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.forums.models import Visibility
from app.pictures.models import PostPicture
from app.pictures.storage import DiskStore, S3Store, store_for
from tests.conftest import Browser
from tests.factories import ForumFactory
from tests.pictures import images
from tests.pictures.test_pictures import ALT, regular_writer, reply_with

moto_server = pytest.importorskip("moto.server", reason="the dev extra brings moto[server]")
boto3 = pytest.importorskip("boto3", reason="the s3 extra brings boto3")

BUCKET = "harbour-pictures"
KEY = "ab" + "0" * 62 + ".jpg"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def settings(settings: Settings, s3_endpoint: str) -> Settings:
    """This module's app keeps its pictures in the bucket."""
    configured = settings.model_copy(
        update={
            "picture_store": "s3",
            "picture_s3_bucket": BUCKET,
            "picture_s3_endpoint_url": s3_endpoint,
            "picture_s3_region": "eu-west-2",
            "picture_s3_access_key_id": "harbour-test",
            "picture_s3_secret_access_key": "harbour-test-secret",
        }
    )
    client = _client(configured)
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
    return configured


def _client(settings: Settings):  # type: ignore[no-untyped-def]
    store = store_for(settings)
    assert isinstance(store, S3Store)
    return store.client


def _objects(settings: Settings) -> list[str]:
    listed = _client(settings).list_objects_v2(Bucket=BUCKET)
    return sorted(o["Key"] for o in listed.get("Contents", []))


@pytest.mark.once
@pytest.mark.parametrize("kind", ["disk", "s3"])
def test_both_stores_keep_return_and_delete_a_picture_by_its_key(
    kind: str, settings: Settings, tmp_path: Path
) -> None:
    store = DiskStore(tmp_path / "disk") if kind == "disk" else store_for(settings)
    assert isinstance(store, DiskStore if kind == "disk" else S3Store)
    assert store.get(KEY) is None
    store.put(KEY, b"first")
    store.put(KEY, b"first")  # the same picture again: kept once
    assert store.get(KEY) == b"first"
    store.delete(KEY)
    store.delete(KEY)  # already gone: nothing to do
    assert store.get(KEY) is None
    with pytest.raises(ValueError):
        store.put("../../etc/passwd", b"x")  # only keys Harbour made reach the store


@pytest.mark.once
def test_the_s3_store_keeps_files_under_its_prefix_with_their_type(settings: Settings) -> None:
    store_for(settings).put(KEY, b"jpeg bytes")
    key = f"pictures/ab/{KEY}"
    assert key in _objects(settings)
    assert _client(settings).head_object(Bucket=BUCKET, Key=key)["ContentType"] == "image/jpeg"
    store_for(settings).delete(KEY)


def test_a_members_picture_goes_to_the_bucket_is_served_from_it_and_leaves_with_the_account(
    make_browser: Callable[[], Browser], settings: Settings, db: Session
) -> None:
    forum = ForumFactory(visibility=Visibility.MEMBERS_ONLY)
    before = _objects(settings)
    writer, thread = regular_writer(make_browser, forum)
    sent = reply_with(
        writer,
        forum,
        thread.id,
        {"picture_1": ("IMG_0001.jpg", images.photo(800, 600), "image/jpeg")},
        alt_1=ALT,
    )
    assert sent.status_code == 303, sent.text
    picture = db.scalars(select(PostPicture)).one()
    stored = f"pictures/{picture.storage_key[:2]}/{picture.storage_key}"
    assert _objects(settings) == sorted({*before, stored})
    served = writer.get(f"/pictures/{picture.id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert b"PhoneMaker" not in served.content
    assert served.content == store_for(settings).get(picture.storage_key)
    writer.post("/account/delete", {"posts": "keep", "confirm": "delete my account"})
    assert db.scalars(select(PostPicture)).all() == []
    assert _objects(settings) == before

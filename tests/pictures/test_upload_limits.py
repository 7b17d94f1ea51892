"""The upload limits hold while the body streams in: a request that sends no Content-Length
(chunked) or one that understates it is stopped at the limit with the clear 413 page, and
nothing it carried is kept; a picture over its own limit is never read, decoded or stored."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.forums.models import Forum, Visibility
from app.models import Post
from app.pictures.models import PostPicture
from tests.conftest import Browser, LiveServer, csrf_token_in
from tests.factories import PASSWORD, ForumFactory
from tests.pictures import images
from tests.pictures.test_pictures import ALT, TEXT, regular, regular_writer, stored_files

BOUNDARY = "harbour-test-boundary"
MB = 1024 * 1024


def multipart(fields: dict[str, str], picture: Iterator[bytes]) -> Iterator[bytes]:
    """A compose form as a browser sends it, the picture's bytes produced as they are sent."""
    for name, value in fields.items():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
        'name="picture_1"; filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()
    yield from picture
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def megabytes(count: int) -> Iterator[bytes]:
    chunk = b"\xff\xd8" + b"\0" * (MB - 2)
    for _ in range(count):
        yield chunk


@pytest.fixture
def forum() -> Forum:
    return ForumFactory(visibility=Visibility.MEMBERS_ONLY)


def nothing_kept(db: Session, settings: Settings) -> bool:
    return (
        db.scalars(select(PostPicture)).all() == []
        and db.scalars(select(Post).where(Post.body_source == TEXT)).all() == []
        and stored_files(settings) == []
    )


def test_a_chunked_upload_over_the_limit_is_stopped_over_real_http_and_nothing_is_kept(
    live_server: LiveServer, db: Session, settings: Settings, forum: Forum
) -> None:
    from tests.factories import thread_with_opening_post

    thread = thread_with_opening_post(forum, regular(forum, email="kai@example.org"))
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        token = csrf_token_in(client.get("/login"))
        signed_in = client.post(
            "/login", data={"email": "kai@example.org", "password": PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code in (200, 303), signed_in.text
        page = client.get(f"/f/{forum.slug}/t/{thread.id}")
        fields = {"csrf_token": csrf_token_in(page), "body": TEXT, "alt_1": ALT}
        answer = client.post(
            f"/f/{forum.slug}/t/{thread.id}/reply",
            content=multipart(fields, megabytes(100)),  # a generator: sent chunked
            headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
    assert answer.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413
    assert "larger than 25 MB, so nothing was saved" in answer.text
    assert re.search(r"<title>[^<]+</title>", answer.text)  # the site's page, not a bare error
    assert nothing_kept(db, settings)


def test_a_body_longer_than_its_content_length_says_is_stopped_at_the_limit(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    page = writer.get(f"/f/{forum.slug}/t/{thread.id}")
    fields = {"csrf_token": csrf_token_in(page), "body": TEXT, "alt_1": ALT}
    answer = writer.client.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        content=b"".join(multipart(fields, megabytes(30))),
        headers={
            "content-type": f"multipart/form-data; boundary={BOUNDARY}",
            "content-length": "2048",  # understated: the first check lets it in
        },
    )
    assert answer.status_code == 413
    assert "larger than 25 MB, so nothing was saved" in answer.text
    assert nothing_kept(db, settings)


def test_pictures_over_their_limits_are_explained_and_never_decoded_or_stored(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    # A real photo, but larger than one picture may be: refused by its size alone.
    over = images.photo(300, 200) + b"\0" * (9 * MB)
    answer = writer.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": TEXT, "alt_1": ALT, "alt_2": ALT, "alt_3": ALT},
        files={"picture_1": ("big.jpg", over, "image/jpeg")},
        follow_redirects=False,
    )
    assert answer.status_code == 422
    assert "Picture 1 is 9 MB; the limit is 8 MB for each picture." in answer.text
    assert "Ready to post" not in answer.text
    # Three pictures each within the limit, together over the post's 20 MB.
    seven = images.photo(300, 200) + b"\0" * (7 * MB)
    answer = writer.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": TEXT, "alt_1": ALT, "alt_2": ALT, "alt_3": ALT},
        files={f"picture_{n}": (f"{n}.jpg", seven, "image/jpeg") for n in (1, 2, 3)},
        follow_redirects=False,
    )
    assert answer.status_code == 422
    assert "These pictures add up to 21 MB; one post can take 20 MB." in answer.text
    assert TEXT in answer.text
    assert nothing_kept(db, settings)

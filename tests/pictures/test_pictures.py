"""Pictures on posts: attached with alt text, re-encoded, served only to readers, held for a
moderator when the member is new or the forum pre-moderated, refused clearly when hostile, and
gone with the account."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.forums.models import Forum, ModerationMode, Visibility
from app.models import MembershipRole, Post, PostStatus, Thread, User
from app.moderation_queue.models import ReviewItem
from app.pictures.models import PostPicture
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post
from tests.pictures import images

ALT = "My new insulin pump clipped to a belt"
TEXT = "This is how I wear my pump at work now."


def regular(forum: Forum, **user: object) -> User:
    """A member with a few published posts in the forum: past their first posts."""
    member = member_of(forum, **user)
    thread = thread_with_opening_post(forum, member)
    for _ in range(3):
        PostFactory(thread=thread, author=member)
    return member


def regular_writer(make_browser: Callable[[], Browser], forum: Forum) -> tuple[Browser, Thread]:
    """Kai, a regular of the forum, signed in, and a thread of theirs to reply in."""
    thread = thread_with_opening_post(forum, regular(forum, email="kai@example.org"))
    writer = make_browser()
    writer.sign_in("kai@example.org")
    return writer, thread


def reply_with(
    browser: Browser,
    forum: Forum,
    thread_id: int,
    files: dict[str, tuple[str, bytes, str]],
    **fields: str,
):  # type: ignore[no-untyped-def]
    return browser.post(
        f"/f/{forum.slug}/t/{thread_id}/reply",
        {"body": TEXT, **fields},
        files=files,
        follow_redirects=False,
    )


def stored_files(settings: Settings) -> list[Path]:
    root = Path(settings.picture_dir or "")
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def forum() -> Forum:
    return ForumFactory(visibility=Visibility.MEMBERS_ONLY)


def test_a_picture_is_attached_with_its_description_and_shown_re_encoded(
    make_browser: Callable[[], Browser], db: Session, forum: Forum
) -> None:
    kai = regular(forum, email="kai@example.org", handle="kai")
    thread = thread_with_opening_post(forum, kai, title="Pumps at work")
    writer = make_browser()
    writer.sign_in("kai@example.org")
    original = images.photo(3000, 1000)
    assert b"PhoneMaker" in original
    sent = reply_with(
        writer, forum, thread.id, {"picture_1": ("IMG_0001.jpg", original, "image/jpeg")}, alt_1=ALT
    )
    assert sent.status_code == 303, sent.text
    picture = db.scalars(select(PostPicture)).one()
    page = writer.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert (
        f'<img src="/pictures/{picture.id}" alt="{ALT}" width="2048" height="683" loading="lazy">'
        in page
    )
    served = writer.get(f"/pictures/{picture.id}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert b"PhoneMaker" not in served.content
    shown = Image.open(io.BytesIO(served.content))
    assert shown.size == (2048, 683)  # bounded: the longer side is at most 2048 pixels
    assert dict(shown.getexif()) == {}  # no camera, no GPS


@pytest.mark.parametrize(
    ("filename", "content", "declared", "expected"),
    [
        ("IMG_0002.heic", images.heic(), "image/heic", "image/jpeg"),
        ("sticker.png", images.transparent_png(), "image/png", "image/png"),
        ("photo.webp", images.photo(400, 300, fmt="WEBP"), "image/webp", "image/jpeg"),
    ],
)
def test_phone_formats_are_taken_and_served_in_a_type_every_browser_shows(
    make_browser: Callable[[], Browser],
    db: Session,
    forum: Forum,
    filename: str,
    content: bytes,
    declared: str,
    expected: str,
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    sent = reply_with(
        writer, forum, thread.id, {"picture_1": (filename, content, declared)}, alt_1=ALT
    )
    assert sent.status_code == 303, sent.text
    picture = db.scalars(select(PostPicture)).one()
    assert writer.get(f"/pictures/{picture.id}").headers["content-type"] == expected


def test_a_picture_is_served_only_to_people_who_may_read_its_post(
    make_browser: Callable[[], Browser], db: Session, forum: Forum
) -> None:
    kai = regular(forum, email="kai@example.org")
    member_of(forum, email="sam@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="mod@example.org")
    member_of(ForumFactory(), email="outsider@example.org")
    thread = thread_with_opening_post(forum, kai)
    writer = make_browser()
    writer.sign_in("kai@example.org")
    reply_with(
        writer, forum, thread.id, {"picture_1": ("a.jpg", images.photo(), "image/jpeg")}, alt_1=ALT
    )
    picture = db.scalars(select(PostPicture)).one()
    url = f"/pictures/{picture.id}"
    visitors = {who: make_browser() for who in ("sam", "mod", "outsider", "anonymous")}
    for who, browser in visitors.items():
        if who != "anonymous":
            browser.sign_in(f"{who}@example.org")
    assert visitors["sam"].get(url).status_code == 200
    assert visitors["outsider"].get(url).status_code == 404
    assert visitors["anonymous"].get(url).status_code == 404
    # Held, it is seen by its author and the forum's moderators only.
    post = db.get(Post, picture.post_id)
    assert post is not None
    post.status = PostStatus.HELD
    db.commit()
    assert visitors["sam"].get(url).status_code == 404
    assert visitors["mod"].get(url).status_code == 200
    assert writer.get(url).status_code == 200


HOSTILE = {
    "svg-with-script": ("drawing.svg", images.SVG_WITH_SCRIPT, "image/svg+xml"),
    "text-named-jpg": ("photo.jpg", b"#!/bin/sh\nrm -rf /\n" * 50, "image/jpeg"),
    "truncated": ("cut.jpg", images.photo()[:3000], "image/jpeg"),
    "decompression-bomb": ("bomb.png", images.decompression_bomb(), "image/png"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_or_broken_file_is_refused_clearly_keeping_the_text_and_storing_nothing(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, forum: Forum, case: str
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    answer = reply_with(writer, forum, thread.id, {"picture_1": HOSTILE[case]}, alt_1=ALT)
    assert answer.status_code == 422
    expected = (
        "too many pixels" if case == "decompression-bomb" else "isn&#39;t a picture we can use"
    )
    assert expected in answer.text
    assert '<a href="#picture_1">' in answer.text  # the error summary links to the field
    assert TEXT in answer.text and ALT in answer.text  # nothing typed is lost
    assert db.scalars(select(PostPicture)).all() == []
    assert db.scalars(select(Post).where(Post.body_source == TEXT)).all() == []
    assert stored_files(settings) == []


def test_a_polyglots_hidden_payload_is_not_kept(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    polyglot = images.photo(300, 200) + images.POLYGLOT_PAYLOAD
    reply_with(
        writer, forum, thread.id, {"picture_1": ("a.jpg", polyglot, "image/jpeg")}, alt_1=ALT
    )
    (stored,) = stored_files(settings)
    assert b"<script>" not in stored.read_bytes() and b"PK\x03\x04" not in stored.read_bytes()


def test_size_limits_per_picture_and_per_request_are_explained(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    big = b"\xff\xd8" + b"\0" * (9 * 1024 * 1024)
    answer = reply_with(
        writer, forum, thread.id, {"picture_1": ("big.jpg", big, "image/jpeg")}, alt_1=ALT
    )
    assert answer.status_code == 422
    assert "Picture 1 is 9 MB; the limit is 8 MB for each picture." in answer.text
    assert TEXT in answer.text
    huge = b"\0" * (100 * 1024 * 1024)
    answer = reply_with(
        writer, forum, thread.id, {"picture_1": ("huge.jpg", huge, "image/jpeg")}, alt_1=ALT
    )
    assert answer.status_code == 413
    assert "larger than 25 MB, so nothing was saved" in answer.text
    assert db.scalars(select(PostPicture)).all() == [] and stored_files(settings) == []


def test_a_description_is_asked_for_and_the_chosen_picture_is_kept_meanwhile(
    make_browser: Callable[[], Browser], db: Session, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    answer = reply_with(
        writer, forum, thread.id, {"picture_1": ("a.jpg", images.photo(), "image/jpeg")}
    )
    assert answer.status_code == 422
    assert "Describe picture 1 in a few words" in answer.text
    assert '<a href="#alt_1">' in answer.text
    assert "Ready to post (2048 × 683 pixels)." in answer.text
    kept = answer.text.split('name="kept_1" value="')[1].split('"')[0]
    forged = reply_with(writer, forum, thread.id, {}, kept_1=kept.replace(":", ":1", 1), alt_1=ALT)
    assert forged.status_code == 303 and db.scalars(select(PostPicture)).all() == []
    sent = reply_with(writer, forum, thread.id, {}, kept_1=kept, alt_1=ALT)
    assert sent.status_code == 303
    picture = db.scalars(select(PostPicture)).one()
    assert picture.alt_text == ALT and (picture.width, picture.height) == (2048, 683)


def test_a_new_members_pictures_wait_for_a_moderator_blurred_on_the_item_card(
    make_browser: Callable[[], Browser], db: Session, forum: Forum
) -> None:
    newcomer = member_of(forum, email="new@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="mod@example.org")
    thread = thread_with_opening_post(forum, regular(forum))
    writer, moderator = make_browser(), make_browser()
    writer.sign_in("new@example.org")
    moderator.sign_in("mod@example.org")
    reply_with(
        writer, forum, thread.id, {"picture_1": ("a.jpg", images.photo(), "image/jpeg")}, alt_1=ALT
    )
    post = db.scalars(select(Post).where(Post.author_id == newcomer.id)).one()
    assert post.status is PostStatus.HELD
    item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
    assert "pictures.first_posts" in item.reason_codes
    card = moderator.get(f"/moderation/items/{item.id}").text
    assert "first posts are looked at by a moderator before they appear" in card
    assert '<details class="picture-reveal"><summary>' in card and f'alt="{ALT}"' in card
    moderator.post("/moderation/wellbeing/pictures")  # the moderator's own choice: no blurring
    card = moderator.get(f"/moderation/items/{item.id}").text
    assert "picture-reveal" not in card and f'alt="{ALT}"' in card
    # One blur setting: the wellbeing page's switch is off now too.
    assert (
        'name="blur_distressing" value="true" checked'
        not in moderator.get("/moderation/wellbeing").text
    )
    # The same member's text-only post is not held for pictures.
    writer.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": "Has anyone tried the new sensor? Mine arrived today."},
    )
    text_only = db.scalars(
        select(Post).where(Post.author_id == newcomer.id, Post.id != post.id)
    ).one()
    assert text_only.status is PostStatus.PUBLISHED


def test_every_picture_in_a_pre_moderated_forum_waits(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    writer, thread = regular_writer(make_browser, forum)
    reply_with(
        writer, forum, thread.id, {"picture_1": ("a.jpg", images.photo(), "image/jpeg")}, alt_1=ALT
    )
    picture = db.scalars(select(PostPicture)).one()
    assert db.get(Post, picture.post_id).status is PostStatus.HELD  # type: ignore[union-attr]


def test_pictures_are_in_the_export_and_go_with_the_account(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    reply_with(
        writer, forum, thread.id, {"picture_1": ("a.jpg", images.photo(), "image/jpeg")}, alt_1=ALT
    )
    (stored,) = stored_files(settings)
    exported = writer.get("/account/export.json").json()
    (with_picture,) = [p for p in exported["posts"] if p["pictures"]]
    (picture,) = with_picture["pictures"]
    assert picture["alt_text"] == ALT and picture["data_url"].startswith("data:image/jpeg;base64,")
    writer.post("/account/delete", {"posts": "keep", "confirm": "delete my account"})
    assert db.scalars(select(PostPicture)).all() == []
    assert not stored.exists()


def test_markdown_image_syntax_says_how_pictures_are_added(
    make_browser: Callable[[], Browser], db: Session, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    writer.post(
        f"/f/{forum.slug}/t/{thread.id}/reply",
        {"body": "Here: ![my pump](https://example.org/p.jpg)"},
    )
    page = writer.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert (
        "my pump: Pictures are attached with the “Add pictures” button, not written in the text."
        in page
    )

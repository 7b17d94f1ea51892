"""Pictures on edit: the author of a post keeps, removes, re-describes or adds pictures, with the
same limits and descriptions as a new post, under the same moderation rules (a new member's new
picture waits for a moderator; the published version stays meanwhile)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.forums.models import Forum, MembershipRole, ModerationMode, Visibility
from app.models import Post, PostStatus
from app.moderation_queue.models import ReviewItem
from app.pictures.models import PostPicture
from app.posts.models import EditStatus, PostEdit
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post
from tests.pictures import images
from tests.pictures.test_pictures import ALT, TEXT, regular_writer, reply_with, stored_files

CALM = "Evening slots at the dialysis unit really helped me."
PUMP, SENSOR = images.photo(400, 300), images.transparent_png()


@pytest.fixture
def forum() -> Forum:
    return ForumFactory(visibility=Visibility.MEMBERS_ONLY)


def kept_tokens(page: str) -> dict[int, str]:
    return {int(n): t for n, t in re.findall(r'name="kept_(\d)" value="([^"]+)"', page)}


def opening(db: Session, thread: object) -> Post:
    return db.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id)  # type: ignore[attr-defined]
    ).first()  # type: ignore[return-value]


def shown(db: Session, post_id: int) -> list[tuple[str, str]]:
    rows = db.scalars(
        select(PostPicture)
        .where(PostPicture.post_id == post_id, PostPicture.edit_id.is_(None))
        .order_by(PostPicture.position)
    )
    return [(p.content_type, p.alt_text) for p in rows]


def test_an_author_keeps_one_picture_re_described_removes_another_and_adds_a_third(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    sent = reply_with(
        writer,
        forum,
        thread.id,
        {
            "picture_1": ("pump.jpg", PUMP, "image/jpeg"),
            "picture_2": ("sensor.png", SENSOR, "image/png"),
        },
        alt_1=ALT,
        alt_2="A sensor sticker",
    )
    post = db.get(Post, int(sent.headers["location"].rsplit("/", 1)[1]))
    assert post is not None and post.status is PostStatus.PUBLISHED
    assert len(stored_files(settings)) == 2
    form = writer.get(f"/posts/{post.id}/edit").text
    assert 'enctype="multipart/form-data"' in form
    tokens = kept_tokens(form)
    assert sorted(tokens) == [1, 2]
    assert f'value="{ALT}"' in form  # each description, ready to change
    assert form.count('class="picture-thumb"') == 2 and "On your post now." in form
    assert 'name="picture_3"' in form and 'name="picture_4"' in form  # room for two more
    edited = writer.post(
        f"/posts/{post.id}/edit",
        {
            "body": TEXT,
            "kept_1": tokens[1],
            "alt_1": "My insulin pump on a belt clip",
            "kept_2": tokens[2],
            "drop_2": "1",
            "alt_2": "A sensor sticker",
            "alt_3": "The new sensor on my arm",
        },
        files={"picture_3": ("arm.jpg", images.photo(300, 500), "image/jpeg")},
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    assert db.scalars(select(PostEdit.status)).one() is EditStatus.APPLIED
    assert shown(db, post.id) == [
        ("image/jpeg", "My insulin pump on a belt clip"),
        ("image/jpeg", "The new sensor on my arm"),
    ]
    page = writer.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert 'alt="The new sensor on my arm"' in page and 'alt="A sensor sticker"' not in page
    assert len(stored_files(settings)) == 2  # the removed picture's file is gone


def test_an_edit_keeps_the_limits_and_asks_for_descriptions_keeping_what_was_typed(
    make_browser: Callable[[], Browser], db: Session, settings: Settings, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    post = PostFactory(thread=thread, author=opening(db, thread).author, body_source="Before.")
    answer = writer.post(
        f"/posts/{post.id}/edit",
        {"body": TEXT},
        files={
            "picture_1": ("pump.jpg", PUMP, "image/jpeg"),
            "picture_2": ("drawing.svg", images.SVG_WITH_SCRIPT, "image/svg+xml"),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 422
    assert '<a href="#alt_1">' in answer.text and '<a href="#picture_2">' in answer.text
    assert "isn&#39;t a picture we can use" in answer.text
    assert TEXT in answer.text and "Ready to post (400 × 300 pixels)." in answer.text
    db.refresh(post)
    assert post.body_source == "Before." and db.scalars(select(PostPicture)).all() == []
    kept = kept_tokens(answer.text)[1]
    sent = writer.post(f"/posts/{post.id}/edit", {"body": TEXT, "kept_1": kept, "alt_1": ALT})
    assert sent.status_code == 200
    assert shown(db, post.id) == [("image/jpeg", ALT)]


def test_a_new_members_added_picture_waits_for_a_moderator_and_the_published_version_stays(
    make_browser: Callable[[], Browser], db: Session, forum: Forum
) -> None:
    newcomer = member_of(forum, email="new@example.org")
    member_of(forum, MembershipRole.MODERATOR, email="mod@example.org")
    post = opening(db, thread_with_opening_post(forum, newcomer))
    writer, moderator = make_browser(), make_browser()
    writer.sign_in("new@example.org")
    moderator.sign_in("mod@example.org")
    writer.post(
        f"/posts/{post.id}/edit",
        {"body": CALM, "alt_1": ALT},
        files={"picture_1": ("pump.jpg", PUMP, "image/jpeg")},
    )
    db.refresh(post)
    assert post.status is PostStatus.PUBLISHED and shown(db, post.id) == []
    edit = db.scalars(select(PostEdit)).one()
    assert edit.status is EditStatus.PENDING and edit.replaces_pictures
    item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
    assert {"pictures.first_posts", "edit.pending"} <= set(item.reason_codes)
    others = make_browser()
    member_of(forum, email="reader@example.org")
    others.sign_in("reader@example.org")
    waiting = db.scalars(select(PostPicture).where(PostPicture.edit_id == edit.id)).one()
    assert others.get(f"/pictures/{waiting.id}").status_code == 404  # not shown to readers yet
    card = moderator.get(f"/moderation/items/{item.id}").text
    assert f'alt="{ALT}"' in card and "picture-reveal" in card  # blurred until clicked
    moderator.post(f"/moderation/items/{item.id}/decide", {"action": "approve"})
    assert shown(db, post.id) == [("image/jpeg", ALT)]
    assert others.get(f"/pictures/{waiting.id}").status_code == 200
    # Describing the same picture differently brings nothing new to look at: applied at once.
    tokens = kept_tokens(writer.get(f"/posts/{post.id}/edit").text)
    writer.post(
        f"/posts/{post.id}/edit",
        {"body": CALM, "kept_1": tokens[1], "alt_1": "My pump, clipped on"},
    )
    assert shown(db, post.id) == [("image/jpeg", "My pump, clipped on")]


def test_a_rejected_edits_pictures_are_dropped_with_their_files(
    make_browser: Callable[[], Browser], db: Session, settings: Settings
) -> None:
    forum = ForumFactory(moderation_mode=ModerationMode.PRE_MODERATE)
    writer, thread = regular_writer(make_browser, forum)
    member_of(forum, MembershipRole.MODERATOR, email="mod@example.org")
    moderator = make_browser()
    moderator.sign_in("mod@example.org")
    post = opening(db, thread)
    writer.post(
        f"/posts/{post.id}/edit",
        {"body": CALM, "alt_1": ALT},
        files={"picture_1": ("pump.jpg", PUMP, "image/jpeg")},
    )
    assert db.scalars(select(PostEdit.status)).one() is EditStatus.PENDING  # every edit waits
    assert len(stored_files(settings)) == 1
    item = db.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
    moderator.post(
        f"/moderation/items/{item.id}/decide",
        {"action": "reject", "reason": "It shares personal details that could identify someone."},
    )
    assert db.scalars(select(PostPicture)).all() == [] and stored_files(settings) == []


def test_editing_a_held_post_changes_its_pictures_at_once_and_it_still_waits(
    make_browser: Callable[[], Browser], db: Session, forum: Forum
) -> None:
    writer, thread = regular_writer(make_browser, forum)
    held = PostFactory(
        thread=thread,
        author=opening(db, thread).author,
        status=PostStatus.HELD,
        published_at=None,
    )
    writer.post(
        f"/posts/{held.id}/edit",
        {"body": held.body_source, "alt_1": ALT},
        files={"picture_1": ("pump.jpg", PUMP, "image/jpeg")},
    )
    db.refresh(held)
    assert held.status is PostStatus.HELD and shown(db, held.id) == [("image/jpeg", ALT)]

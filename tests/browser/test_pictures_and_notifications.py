"""In Chromium, with and without JavaScript: attaching a picture with its description, changing
pictures when editing (on a 320 px phone, with axe), and notifications that are read once opened."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.config import Settings
from app.forums.models import JoinPolicy
from app.pictures.models import PostPicture
from app.pictures.processing import reencode
from app.pictures.storage import store_for
from tests.browser.test_accessibility import check, scrolls_sideways
from tests.browser.test_member_flow import sign_in
from tests.conftest import LiveServer
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post
from tests.pictures import images
from tests.pictures.test_pictures import regular

pytestmark = pytest.mark.browser

ALT = "A sensor on my upper arm"


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_member_attaches_a_picture_and_is_asked_to_describe_it(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    forum = ForumFactory(slug="diabetes")
    kai = regular(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai, title="Sensors")
    page = new_page(javascript=javascript)
    sign_in(page, live_server, "kai@example.org")
    page.goto(f"{live_server.url}/f/diabetes/t/{thread.id}")
    page.get_by_label("Your reply").fill("This is where mine sits.")
    page.get_by_text("Add pictures (up to 4)").click()
    photo = {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": images.photo(800, 600)}
    page.locator("#picture_1").set_input_files(photo)
    page.get_by_role("button", name="Post reply").click()

    # No description yet: the summary links to the field, and the picture is kept meanwhile.
    page.get_by_role("link", name="Describe picture 1 in a few words").click()
    assert (
        page.locator("#alt_1").evaluate("e => e === document.activeElement") if javascript else True
    )
    page.get_by_text("Ready to post (800 × 600 pixels).").wait_for()
    assert page.get_by_label("Your reply").input_value() == "This is where mine sits."
    page.locator("#alt_1").fill(ALT)
    page.get_by_role("button", name="Post reply").click()

    shown = page.locator("article.post", has_text="This is where mine sits.").get_by_role(
        "img", name=ALT
    )
    shown.wait_for()
    assert (shown.get_attribute("width"), shown.get_attribute("height")) == ("800", "600")
    assert shown.get_attribute("loading") == "lazy"
    picture = db.scalars(select(PostPicture)).one()
    served = page.request.get(f"{live_server.url}/pictures/{picture.id}")
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"


def unread_after_reading(page: Any, server: LiveServer, expected: int) -> int:
    """The unread notifications listed, once the read recorded after the last response is in
    (it is written just after the page was sent, so the next page may come first)."""
    for _ in range(50):
        page.goto(f"{server.url}/notifications")
        count: int = page.locator("li.unread").count()
        if count == expected:
            break
        time.sleep(0.1)
    return count


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_notification_is_read_once_opened_or_its_thread_read(
    live_server: LiveServer, new_page: Callable[..., Any], db: Session, javascript: bool
) -> None:
    forum = ForumFactory(slug="kidney")
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="sam@example.org", handle="sam")
    first = thread_with_opening_post(forum, kai, title="Night hypos")
    second = thread_with_opening_post(forum, kai, title="Clinic letters")
    author, sam = new_page(javascript=javascript), new_page()
    sign_in(author, live_server, "kai@example.org")
    sign_in(sam, live_server, "sam@example.org")
    for thread, body in ((first, "A sensor alarm changed my nights."), (second, "Thank you @kai")):
        sam.goto(f"{live_server.url}/f/kidney/t/{thread.id}")
        sam.get_by_label("Your reply").fill(body)
        sam.get_by_role("button", name="Post reply").click()
        sam.get_by_text("Your reply has been posted.").wait_for()

    author.goto(f"{live_server.url}/")
    author.get_by_role("link", name="Notifications 2 new").click()
    author.get_by_role("link", name="sam replied in “Night hypos”").click()
    author.get_by_role("heading", name="Night hypos").wait_for()
    assert unread_after_reading(author, live_server, expected=1) == 1
    author.get_by_role("link", name="Notifications 1 new").wait_for()

    # Reading the other thread straight from the forum reads its notification too.
    author.goto(f"{live_server.url}/f/kidney/t/{second.id}")
    author.get_by_role("link", name="@kai").wait_for()  # the mention links to the profile
    assert unread_after_reading(author, live_server, expected=0) == 0


def with_picture(post: Any, settings: Settings, alt: str) -> None:
    """Arrange: the post shows a picture, as Harbour would have stored it."""
    picture = reencode(images.photo(640, 480), max_pixels=10**8, max_side=2048)
    key = f"{picture.sha256}.{picture.extension}"
    store_for(settings).put(key, picture.content)
    db = object_session(post)
    assert db is not None
    db.add(
        PostPicture(
            post_id=post.id,
            storage_key=key,
            content_type=picture.content_type,
            width=picture.width,
            height=picture.height,
            byte_size=len(picture.content),
            alt_text=alt,
        )
    )
    db.commit()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_on_a_320px_phone_a_member_swaps_a_picture_when_editing_and_the_pages_pass_axe(
    live_server: LiveServer,
    new_page: Callable[..., Any],
    db: Session,
    settings: Settings,
    javascript: bool,
) -> None:
    forum = ForumFactory(slug="diabetes")
    kai = regular(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai, title="Sensors")
    post = PostFactory(thread=thread, author=kai, body_source="Where my sensor sits.")
    with_picture(post, settings, "An old sensor on my arm")
    ForumFactory(slug="transplant", join_policy=JoinPolicy.APPROVAL_REQUIRED)
    page = new_page(javascript=javascript)
    page.set_viewport_size({"width": 320, "height": 720})
    sign_in(page, live_server, "kai@example.org")
    if javascript:  # axe and the width are measured in the page, so with JavaScript on only
        problems = []
        for url in (f"/posts/{post.id}/edit", "/f/transplant", "/search?q=haemodialisis"):
            problems += check(page, live_server.url + url) + scrolls_sideways(page, url, 320)
        assert problems == []
        assert "Did you mean" in page.content()  # the search page checked was the suggestion

    page.goto(f"{live_server.url}/posts/{post.id}/edit")
    assert (
        page.get_by_role("img", name="An old sensor on my arm").get_attribute("loading") == "lazy"
    )
    page.get_by_label("Remove this picture").check()
    photo = {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": images.photo(600, 800)}
    page.locator("#picture_2").set_input_files(photo)
    page.locator("#alt_2").fill(ALT)
    page.get_by_role("button", name="Save changes").click()
    shown = page.locator("article.post", has_text="Where my sensor sits.").get_by_role(
        "img", name=ALT
    )
    shown.wait_for()
    assert (shown.get_attribute("width"), shown.get_attribute("height")) == ("600", "800")
    assert page.get_by_role("img", name="An old sensor on my arm").count() == 0
    if javascript:
        assert scrolls_sideways(page, "thread with a picture", 320) == []

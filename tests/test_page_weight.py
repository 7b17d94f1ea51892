"""Fast on a poor connection: member pages under 50 KB of HTML, CSS and JS; static files cached for a year."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from app.pictures.models import PostPicture
from tests.conftest import Browser
from tests.factories import ForumFactory, PostFactory, member_of, thread_with_opening_post

BUDGET = 50 * 1024
LONG_POST = "I've been on dialysis for two years now and the evening slots changed everything. " * 6


def transferred(browser: Browser, url: str) -> tuple[int, str]:
    response = browser.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    return response.num_bytes_downloaded, response.text


def test_member_pages_fit_the_budget_with_their_css_and_js(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    for _ in range(20):
        PostFactory(thread=thread, author=kai, body_source=LONG_POST)
    browser.sign_in("kai@example.org")
    for url in ("/", f"/f/{forum.slug}", f"/f/{forum.slug}/t/{thread.id}", "/account"):
        size, html = transferred(browser, url)
        for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=\w+)"', html):
            asset_size, _ = transferred(browser, asset)
            size += asset_size
        assert size < BUDGET, f"{url}: {size} bytes"


def test_static_files_have_content_hashes_and_a_year_long_cache(
    browser: Browser, db: Session
) -> None:
    html = browser.get("/").text
    css = re.search(r'href="(/static/css/harbour\.css\?v=\w{12})"', html)
    assert css
    response = browser.get(css.group(1))
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "accept-language" not in response.headers.get("vary", "").lower()  # one copy for all
    assert "@font-face" not in response.text  # no web fonts to download


def test_a_thread_full_of_pictures_fits_the_budget_its_pictures_lazy_and_sized(
    browser: Browser, db: Session
) -> None:
    """Pictures are not counted (they load lazily, below the fold, as the reader scrolls), but
    the page that shows them is: each is one sized, lazy <img>, never inlined."""
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    for n in range(20):
        post = PostFactory(thread=thread, author=kai, body_source=LONG_POST)
        for position in range(4 if n % 2 else 0):
            db.add(
                PostPicture(
                    post_id=post.id,
                    position=position,
                    storage_key=f"{n:02d}{position:062d}.jpg",
                    content_type="image/jpeg",
                    width=2048,
                    height=1536,
                    byte_size=400_000,
                    alt_text="A photo of my dialysis chair and the view from the window " * 2,
                )
            )
    db.commit()
    browser.sign_in("kai@example.org")
    url = f"/f/{forum.slug}/t/{thread.id}"
    size, html = transferred(browser, url)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=\w+)"', html):
        size += transferred(browser, asset)[0]
    assert size < BUDGET, f"{url}: {size} bytes"
    shown = re.findall(r"<img src=\"/pictures/\d+\"[^>]*>", html)
    assert len(shown) == 36  # nine posts of four on the first page; the tenth is on page two
    assert all('width="2048" height="1536" loading="lazy"' in img for img in shown)
    assert "data:image" not in html

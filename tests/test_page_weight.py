"""Fast on a poor connection: member pages under 50 KB of HTML, CSS and JS; static files cached for a year."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

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

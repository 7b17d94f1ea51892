"""Browser tests: Playwright driving Debian's Chromium against a real server over real HTTP."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return os.environ.get("HARBOUR_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: object) -> Iterator[object]:
    """A fresh browser context (own cookies) per call, like a different person's phone."""
    contexts = []

    def _new_page(javascript: bool = True) -> object:
        context = chromium.new_context(java_script_enabled=javascript)  # type: ignore[attr-defined]
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()

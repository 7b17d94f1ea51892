"""The timing comparison the enumeration tests rely on (tests/timing.py) catches a real leak:
measuring again when a busy machine disturbs a measurement must not let one through."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.conftest import Browser
from tests.timing import assert_answer_times_match


def test_an_answer_that_does_twice_the_work_is_caught(app: FastAPI, browser: Browser) -> None:
    def twice(n: int) -> None:  # say, a second lookup made only for a registered address
        browser.get("/privacy")
        browser.get("/privacy")

    def once(n: int) -> None:
        browser.get("/privacy")

    with pytest.raises(AssertionError, match="in each of 3"):
        assert_answer_times_match(app, twice, once, rounds=10)


def test_the_same_work_measures_the_same(app: FastAPI, browser: Browser) -> None:
    def page(n: int) -> None:
        browser.get("/privacy")

    assert_answer_times_match(app, page, page, rounds=6)

"""Comparing how long two kinds of request take, side by side, as someone probing would."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from passlib.hash import argon2

from app.accounts.passwords import password_context


@contextmanager
def production_password_cost() -> Iterator[None]:
    """Hash at argon2's production cost while timing, as a prober of a real server would see it.
    The suite's cheap hash (app/accounts/passwords.py) would make a few inserts look like a leak,
    and hide a real one: an answer that skips the hash."""
    saved = password_context.to_dict()
    password_context.update(
        argon2__memory_cost=argon2.memory_cost,
        argon2__time_cost=argon2.default_rounds,
        argon2__parallelism=argon2.parallelism,
    )
    try:
        yield
    finally:
        password_context.load(saved)


def answer_time_ratio(
    app: FastAPI,
    known: Callable[[int], object],
    unknown: Callable[[int], object],
    rounds: int = 20,
    first: int = 0,
) -> float:
    """The ratio of the fastest `known(n)` and `unknown(n)` answers, interleaved, for n from
    `first`: what the work itself costs. Other programs on the machine only ever add time, so
    the fastest of many rounds is the steadiest measure of it. Rate limits are reset before
    each request (they are not what is measured)."""
    unknown(first - 1)  # the first request compiles templates
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(first, first + rounds):
        for name, send in (("known", known), ("unknown", unknown)):
            app.state.limiter.reset()
            started = time.perf_counter()
            send(n)
            timings[name].append(time.perf_counter() - started)
    return min(timings["known"]) / min(timings["unknown"])


def assert_answer_times_match(
    app: FastAPI,
    known: Callable[[int], object],
    unknown: Callable[[int], object],
    rounds: int = 20,
    within: tuple[float, float] = (0.67, 1.5),
    attempts: int = 3,
) -> None:
    """Known and unknown answers take as long as each other, within `within`.

    A busy machine (two cores shared by the whole suite, and by others) can slow every round of
    one kind of request in a measurement, so a measurement outside the bounds is taken again,
    with fresh n, up to `attempts` times; it passes once one is inside. That does not hide a
    real difference in the work: the fastest of many rounds measures the work, and the work is
    the same each time, so a leak shows in every attempt (tests/test_timing.py checks that one
    is caught)."""
    low, high = within
    ratios = []
    for attempt in range(attempts):
        ratio = answer_time_ratio(app, known, unknown, rounds, first=attempt * (rounds + 1))
        if low < ratio < high:
            return
        ratios.append(ratio)
    raise AssertionError(
        f"known/unknown answer time ratio outside {low}-{high} in each of {attempts} "
        f"measurements: {', '.join(f'{r:.2f}' for r in ratios)}"
    )

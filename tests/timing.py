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
    app: FastAPI, known: Callable[[int], object], unknown: Callable[[int], object], rounds: int = 20
) -> float:
    """The ratio of the fastest `known(n)` and `unknown(n)` answers, interleaved: what the work
    itself costs. Other programs on the machine only ever add time, so the fastest of many rounds
    is the steadiest measure of it. Rate limits are reset before
    each request (they are not what is measured)."""
    unknown(-1)  # the first request compiles templates
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(rounds):
        for name, send in (("known", known), ("unknown", unknown)):
            app.state.limiter.reset()
            started = time.perf_counter()
            send(n)
            timings[name].append(time.perf_counter() - started)
    return min(timings["known"]) / min(timings["unknown"])

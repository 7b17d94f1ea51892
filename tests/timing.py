"""Comparing how long two kinds of request take, side by side, as someone probing would."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import FastAPI


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

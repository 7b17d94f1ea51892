"""Comparing how long two kinds of request take, side by side, as someone probing would."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from fastapi import FastAPI


def answer_time_ratio(
    app: FastAPI, known: Callable[[int], object], unknown: Callable[[int], object], rounds: int = 20
) -> float:
    """The ratio of the lower quartiles of `known(n)` and `unknown(n)` timings, interleaved: what
    the work costs, less the noise of other programs on the machine. Rate limits are reset before
    each request (they are not what is measured)."""
    unknown(-1)  # the first request compiles templates
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(rounds):
        for name, send in (("known", known), ("unknown", unknown)):
            app.state.limiter.reset()
            started = time.perf_counter()
            send(n)
            timings[name].append(time.perf_counter() - started)
    return statistics.quantiles(timings["known"])[0] / statistics.quantiles(timings["unknown"])[0]

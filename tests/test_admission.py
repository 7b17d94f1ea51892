"""Requests that write take turns: a few at work, the rest queue in order for a bounded time."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from app.admission import WriteTurns
from app.db import DatabaseBusy

T = TypeVar("T")


def run(scenario: Coroutine[Any, Any, T]) -> T:
    """Its own event loop in its own thread: the browser tests' Playwright keeps a loop running
    in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario).result()


def test_writers_beyond_the_limit_wait_in_order_without_a_thread() -> None:
    async def scenario() -> list[str]:
        turns = WriteTurns(limit=2, wait_seconds=5, queue_limit=10)
        done: list[str] = []

        finish_first = asyncio.Event()

        async def write(name: str, hold: asyncio.Event | None) -> None:
            await turns.acquire()
            try:
                if hold is not None:
                    await hold.wait()
                done.append(name)
            finally:
                turns.release()

        async def settle() -> None:
            for _ in range(10):  # let every task run up to where it waits
                await asyncio.sleep(0)

        first = [asyncio.create_task(write(n, finish_first)) for n in ("a", "b")]
        await settle()
        assert turns.active == 2
        queued = [asyncio.create_task(write(n, None)) for n in ("c", "d", "e")]
        await settle()
        assert turns.waiting == 3
        finish_first.set()
        await asyncio.gather(*first, *queued)
        assert turns.active == 0 and turns.waiting == 0
        return done

    done = run(scenario())
    assert done[2:] == ["c", "d", "e"]  # first come, first served


def test_a_writer_gives_up_after_the_bounded_wait_and_the_queue_is_bounded() -> None:
    async def scenario() -> None:
        turns = WriteTurns(limit=1, wait_seconds=0.05, queue_limit=1)
        await turns.acquire()
        waiter = asyncio.create_task(turns.acquire())
        await asyncio.sleep(0)
        with pytest.raises(DatabaseBusy):
            await turns.acquire()  # the queue is full: refused at once
        with pytest.raises(DatabaseBusy) as waited:
            await waiter  # waited its bounded time
        assert waited.value.retry_after == 1
        turns.release()
        assert turns.active == 0
        await turns.acquire()  # the slot is free again: nobody left it taken
        turns.release()

    run(scenario())

"""The time, from one place: tests advance it (escalations, lapsed claims, undo windows,
follow-ups) instead of sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ManualClock:
    """A clock that stands still until told to move (tests)."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


_clock: Clock = SystemClock()


def now() -> datetime:
    return _clock.now()


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Run with another clock (everything that asks `app.db.utcnow` sees it), then restore."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous

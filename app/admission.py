"""Bounded concurrency for requests that write.

SQLite takes one writer at a time, and every request that waits for a lock holds one of the
server's worker threads. Without a bound, a crowd of writers fills the thread pool with lock
waiters and everyone, readers included, waits until their requests time out. So each process lets
only a few unsafe requests (POST, PUT, PATCH, DELETE) run at once; the rest wait their turn in the
event loop, in order, holding no thread, for a bounded time. A request that does not get a turn in
time is answered 503 with Retry-After and its text given back (app/errors.py), never a long hang.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import DatabaseBusy
from app.security import SAFE_METHODS

logger = logging.getLogger(__name__)


class WriteTurns:
    """A first-come, first-served semaphore with a bounded wait and a bounded queue."""

    def __init__(self, limit: int, wait_seconds: float, queue_limit: int) -> None:
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.queue_limit = queue_limit
        self.active = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for f in self._waiting if not f.done())

    async def acquire(self) -> None:
        if self.active < self.limit and not self.waiting:
            self.active += 1
            return
        if self.waiting >= self.queue_limit:
            raise DatabaseBusy(retry_after=max(1, round(self.wait_seconds)))
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await asyncio.wait_for(turn, self.wait_seconds)
        except BaseException as exc:
            if turn.done() and not turn.cancelled():
                self.release()  # handed a turn at the very moment it gave up: pass it on
            else:
                turn.cancel()
            if isinstance(exc, TimeoutError):
                raise DatabaseBusy(retry_after=max(1, round(self.wait_seconds))) from None
            raise  # the client went away

    def release(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the turn passes straight on; `active` stays the same
                return
        self.active -= 1


async def write_turn(request: Request) -> AsyncIterator[None]:
    """App-wide dependency: an unsafe request works only in its turn."""
    if request.method in SAFE_METHODS:
        yield
        return
    turns: WriteTurns = request.app.state.write_turns
    await turns.acquire()
    try:
        yield
    finally:
        turns.release()


class RetryReadOnDisconnect:
    """Pure ASGI: a read (GET, HEAD) that failed because the database dropped its connection
    (a restart, a failover) is run once more before anything was sent. Pooled connections are also
    checked before use (pre-ping), so the app serves again at once instead of failing requests
    until every stale connection has been tried."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        started = False

        async def send_once_started(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, send_once_started)
        except DBAPIError as exc:
            if started or not exc.connection_invalidated:
                raise
            logger.warning("database connection dropped during %s; retrying once", scope["path"])
            await self.app(scope, receive, send)

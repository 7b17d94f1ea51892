"""Rate limits (login, registration, posting) on the `limits` library: memory or Redis storage."""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class RateLimited(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


@dataclass
class RateLimiter:
    limiter: MovingWindowRateLimiter

    @classmethod
    def from_storage_uri(cls, uri: str) -> RateLimiter:
        return cls(MovingWindowRateLimiter(storage_from_string(uri)))

    def hit(self, limit: str, *keys: str, message: str) -> None:
        """Count one attempt against `limit` for `keys`; raise RateLimited once it is exceeded."""
        item: RateLimitItem = parse(limit)
        if not self.limiter.hit(item, *keys):
            reset_at, _remaining = self.limiter.get_window_stats(item, *keys)
            raise RateLimited(max(1, int(reset_at - time.time())), message)

    def reset(self) -> None:
        self.limiter.storage.reset()

    # Growing delays: after `free` failures, each further failure makes the next attempt wait
    # twice as long (1 s, 2 s, 4 s… up to `longest`). An attacker is slowed to a crawl; nobody
    # is locked out, and a success clears the slate.
    def wait_left(self, *keys: str) -> int:
        """Seconds before these keys may try again (0: now)."""
        storage = self.limiter.storage
        key = ":".join(("wait", *keys))
        if not storage.get(key):
            return 0
        return max(1, int(storage.get_expiry(key) - time.time() + 0.999))

    def failed(self, *keys: str, free: int, longest: int, memory: int = 24 * 3600) -> None:
        storage = self.limiter.storage
        failures = storage.incr(":".join(("failures", *keys)), memory)
        if failures > free:
            delay = min(longest, 2 ** (failures - free - 1))
            wait_key = ":".join(("wait", *keys))
            storage.clear(wait_key)  # a fresh expiry: the wait counts from this failure
            storage.incr(wait_key, delay)

    def succeeded(self, *keys: str) -> None:
        storage = self.limiter.storage
        storage.clear(":".join(("failures", *keys)))
        storage.clear(":".join(("wait", *keys)))

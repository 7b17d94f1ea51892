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

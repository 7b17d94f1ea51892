"""Time as the application reads it: one clock on `app.state`, so tests move time instead of sleeping.

Account security leans on time (reset links last 30 minutes, a sign-in code lasts 30 seconds,
re-authentication lasts a few minutes); every such rule asks the clock, never `datetime.now`.
"""

from __future__ import annotations

from datetime import datetime

from app.db import utcnow


class Clock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return utcnow()

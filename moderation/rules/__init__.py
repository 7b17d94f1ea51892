"""Rule detectors: each returns Reasons with character spans and a stable reason code."""

from __future__ import annotations

import re
from collections.abc import Iterable

from moderation.types import Reason, Span


def spans_of(matches: Iterable[re.Match[str]], code: str, group: int | str = 0) -> tuple[Span, ...]:
    return tuple(Span(m.start(group), m.end(group), code) for m in matches)


def reason(
    code: str, message: str, matches: Iterable[re.Match[str]], group: int | str = 0
) -> Reason | None:
    """A Reason for these matches, or None when there are none."""
    spans = spans_of(matches, code, group)
    return Reason(code=code, message=message, spans=spans) if spans else None

"""Mark the parts of a post that triggered a reason, escaping everything else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape


def merged_spans(reasons: Iterable[Mapping[str, Any]], length: int) -> list[tuple[int, int]]:
    spans = sorted(
        (max(0, int(start)), min(length, int(end)))
        for reason in reasons
        for start, end in reason.get("spans", [])
        if int(end) > int(start)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, reasons: Iterable[Mapping[str, Any]]) -> Markup:
    pieces: list[str] = []
    cursor = 0
    for start, end in merged_spans(reasons, len(text)):
        pieces.append(escape(text[cursor:start]))
        pieces.append(Markup("<mark>{}</mark>").format(text[start:end]))
        cursor = end
    pieces.append(escape(text[cursor:]))
    return Markup("").join(pieces)

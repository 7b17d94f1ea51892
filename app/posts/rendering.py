"""Markdown to safe HTML, once, when a post is written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape

from app.i18n import _

# CommonMark with raw HTML switched off: whatever a member types as HTML is shown as text.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("strikethrough")


def _image_note(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Markdown image syntax is not how pictures are added: say so where it was, instead of the
    text silently vanishing (the sanitiser allows no <img> in a post's text)."""
    alt = tokens[idx].content
    note = _("Pictures are attached with the “Add pictures” button, not written in the text.")
    shown = f"{alt}: {note}" if alt.strip() else note
    return f"<em>[{escape(shown)}]</em>"


_markdown.add_render_rule("image", _image_note)

# Headings are left out on purpose: a post's "# Title" must not break the page's heading outline.
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "hr",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}


def render_markdown(source: str) -> str:
    html = _markdown.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )

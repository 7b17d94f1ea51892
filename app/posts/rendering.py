"""Markdown to safe HTML, once, when a post is written."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import escape

from app.i18n import _

# CommonMark with raw HTML switched off: whatever a member types as HTML is shown as text.
# @handle (as handles are made); notifications/fanout.py tells the members mentioned.
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_][A-Za-z0-9_.-]{2,29})")

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("strikethrough")


def _image_note(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Markdown image syntax is not how pictures are added: say so where it was, instead of the
    text silently vanishing (the sanitiser allows no <img> in a post's text)."""
    alt = tokens[idx].content
    note = _("Pictures are attached with the “Add pictures” button, not written in the text.")
    shown = f"{alt}: {note}" if alt.strip() else note
    return f"<em>[{escape(shown)}]</em>"


_markdown.add_render_rule("image", _image_note)


def _link_mentions(state: StateCore) -> None:
    """@handle becomes a link to the member's profile (not inside a link or code)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type != "text" or in_link or "@" not in token.content:
                children.append(token)
                continue
            position = 0
            for match in MENTION.finditer(token.content):
                handle = match.group(1).rstrip(".-")  # "@sam." ends a sentence
                end = match.start() + 1 + len(handle)
                children.append(_text(token.content[position : match.start()]))
                link = Token("link_open", "a", 1)
                link.attrs = {"href": f"/members/{handle}"}
                children += [
                    link,
                    _text(token.content[match.start() : end]),
                    Token("link_close", "a", -1),
                ]
                position = end
            children.append(_text(token.content[position:]))
        block.children = [c for c in children if c.type != "text" or c.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_markdown.core.ruler.push("mentions", _link_mentions)

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

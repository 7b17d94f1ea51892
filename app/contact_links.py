"""Tap-to-call: crisis numbers become `tel:` and `sms:` links wherever they are shown.

A member in crisis on a phone should reach Samaritans with one tap, not by copying digits.
Contacts are free text an admin writes ("116 123", "Text SHOUT to 85258"), so the links are made
when the text is shown.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# "Text SHOUT to 85258": a keyword sent by text message to a short number.
_TEXT_KEYWORD = re.compile(r"\btext\s+([A-Za-z0-9]+)\s+to\s+(\+?\d[\d ]*\d)", re.IGNORECASE)
# A phone number or short code: 3 digits or more, perhaps spaced, perhaps international.
_NUMBER = re.compile(r"(?<![\w+])(\+?\d[\d ]{1,18}\d)(?!\w)")


def _digits(number: str) -> str:
    return number.replace(" ", "")


def sms_href(number: str, keyword: str) -> str:
    # "?&body=" is the form both Android (?body=) and iOS (&body=) messaging apps accept.
    return f"sms:{_digits(number)}?&body={keyword}"


def contact_links(contact: object) -> Markup:
    """`{{ resource.contact|contact_links }}`: the same text, with its numbers made tappable."""
    text = str(contact)
    texted = _TEXT_KEYWORD.search(text)
    if texted:
        keyword, number = texted.group(1), texted.group(2)
        link = Markup('<a href="{}">{}</a>').format(sms_href(number, keyword), texted.group(0))
        return escape(text[: texted.start()]) + link + escape(text[texted.end() :])
    out = Markup()
    position = 0
    for match in _NUMBER.finditer(text):
        out += escape(text[position : match.start()])
        out += Markup('<a href="tel:{}">{}</a>').format(_digits(match.group(1)), match.group(1))
        position = match.end()
    return out + escape(text[position:])

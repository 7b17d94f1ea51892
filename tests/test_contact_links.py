"""Tap-to-call: every crisis number shown is a tel: or sms: link."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.contact_links import contact_links
from tests.conftest import Browser
from tests.factories import ForumFactory


def test_a_phone_number_or_short_code_becomes_a_tel_link() -> None:
    assert contact_links("116 123") == '<a href="tel:116123">116 123</a>'
    assert contact_links("999") == '<a href="tel:999">999</a>'
    assert (
        contact_links("Call 0800 123 4567 (free)")
        == 'Call <a href="tel:08001234567">0800 123 4567</a> (free)'
    )
    assert contact_links("+44 20 7946 0018") == '<a href="tel:+442079460018">+44 20 7946 0018</a>'


def test_a_text_keyword_becomes_an_sms_link_with_the_message_filled_in() -> None:
    assert (
        contact_links("Text SHOUT to 85258")
        == '<a href="sms:85258?&amp;body=SHOUT">Text SHOUT to 85258</a>'
    )


def test_text_without_a_number_is_left_alone_and_escaped() -> None:
    assert contact_links("Ask at reception") == "Ask at reception"
    assert contact_links("<b>1</b> & co") == "&lt;b&gt;1&lt;/b&gt; &amp; co"


def test_the_footer_on_every_page_has_tap_to_call_numbers(browser: Browser, db: Session) -> None:
    ForumFactory()
    page = browser.get("/").text
    for href in ("tel:116123", "sms:85258?&amp;body=SHOUT", "tel:111", "tel:999"):
        assert f'href="{href}"' in page

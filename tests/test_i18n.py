"""Translatable interface: English complete, Welsh started for the main member pages."""

from __future__ import annotations

from babel.messages.pofile import read_po
from sqlalchemy.orm import Session

from app.config import PROJECT_ROOT
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of, thread_with_opening_post


def test_english_by_default_and_welsh_when_chosen(browser: Browser, db: Session) -> None:
    ForumFactory(name="Living with type 1 diabetes")
    english = browser.get("/").text
    assert (
        '<html lang="en-GB">' in english
        and "Skip to main content" in english
        and "Our forums" in english
    )
    welsh = browser.post("/language", {"language": "cy", "back": "/"}).text
    assert '<html lang="cy">' in welsh
    assert "Neidio i&#39;r prif gynnwys" in welsh or "Neidio i'r prif gynnwys" in welsh
    assert "Ein fforymau" in welsh and "Aelodau yn unig" in welsh
    assert "y Samariaid ar 116 123" in welsh  # the crisis line is there in Welsh too


def test_the_browser_language_is_honoured_until_a_member_chooses(
    browser: Browser, db: Session
) -> None:
    UserFactory(email="kai@example.org")
    page = browser.get("/login", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).text
    assert "Mewngofnodi" in page and "Cyfeiriad e-bost" in page
    assert browser.post("/language", {"language": "fr"}).status_code == 422


def test_every_welsh_message_in_the_catalogue_is_translated() -> None:
    path = PROJECT_ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="cy")
    missing = [m.id for m in catalog if m.id and not m.string]
    assert missing == []


def test_the_thread_page_speaks_welsh_too(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    browser.post("/language", {"language": "cy"})
    page = browser.get(f"/f/{forum.slug}/t/{thread.id}").text
    assert "Dilyn yr edefyn hwn" in page and "Anfon ateb" in page and "Eich ateb" in page

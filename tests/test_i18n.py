"""Translatable interface: English and Welsh complete, in templates and in Python."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from babel.dates import format_datetime
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import User
from app.config import PROJECT_ROOT
from app.forums.models import MembershipRole
from app.moderation_queue.models import DecisionAction, SanctionKind
from app.notifications.models import Notification
from app.posts.models import PostStatus
from app.templating import code_label
from tests.conftest import Browser
from tests.factories import ForumFactory, UserFactory, member_of, thread_with_opening_post

WELSH = {"Accept-Language": "cy"}
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+(?::[^}]*)?\}|<[^>]+>")


def _welsh_catalogue() -> list[Message]:
    path = PROJECT_ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return [m for m in read_po(handle, locale="cy") if m.id]


def test_english_by_default_and_welsh_when_chosen(browser: Browser, db: Session) -> None:
    ForumFactory(name="Living with type 1 diabetes")
    english = browser.get("/")
    assert english.headers["content-language"] == "en-GB"
    assert (
        '<html lang="en-GB">' in english.text
        and "Skip to main content" in english.text
        and "Our forums" in english.text
    )
    welsh = browser.post("/language", {"language": "cy", "back": "/"})
    assert welsh.headers["content-language"] == "cy" and '<html lang="cy">' in welsh.text
    assert "Neidio i&#39;r prif gynnwys" in welsh.text or "Neidio i'r prif gynnwys" in welsh.text
    assert "Ein fforymau" in welsh.text and "Aelodau yn unig" in welsh.text
    assert "y Samariaid ar 116 123" in welsh.text  # the crisis line is there in Welsh too


def test_the_browser_language_is_honoured_until_a_member_chooses(
    browser: Browser, db: Session
) -> None:
    UserFactory(email="kai@example.org")
    page = browser.get("/login", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).text
    assert "Mewngofnodi" in page and "Cyfeiriad e-bost" in page
    assert browser.post("/language", {"language": "fr"}).status_code == 422


def test_every_message_has_welsh_that_keeps_its_placeholders() -> None:
    messages = _welsh_catalogue()
    # The next test proves every template and Python message is catalogued; this one checks the Welsh.
    assert len(messages) > 500
    untranslated = [m.id for m in messages if not all(m.string) or not m.string]
    assert untranslated == []
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == wanted, message.id


def test_the_catalogue_holds_every_message_in_the_code() -> None:
    """Walks every template and Python file itself, so a folder the extractor skipped (or a
    catalogue not refreshed with `make translations`) shows up here."""
    catalogued = {m.id for m in _welsh_catalogue()}
    sources = [
        *(("jinja2", p) for p in (PROJECT_ROOT / "templates").rglob("*.html")),
        *(
            ("python", p)
            for folder in ("app", "moderation")
            for p in (PROJECT_ROOT / folder).rglob("*.py")
        ),
    ]
    missing = []
    for method, path in sources:
        options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"} if method == "jinja2" else {}
        for _line, message, _comments, _context in extract_from_file(method, path, options=options):
            msgid = message if isinstance(message, str) else tuple(message[:2])
            if msgid not in catalogued:
                missing.append(f"{path.relative_to(PROJECT_ROOT)}: {msgid!r}")
    assert len(sources) > 100 and missing == []


def test_the_thread_page_speaks_welsh_too(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org")
    thread = thread_with_opening_post(forum, kai)
    browser.sign_in("kai@example.org")
    browser.post("/language", {"language": "cy"})
    page = browser.get(f"/f/{forum.slug}/t/{thread.id}").text
    # (its author watches the thread they started)
    assert "Peidio â dilyn yr edefyn hwn" in page and "Anfon ateb" in page and "Eich ateb" in page


def test_errors_and_form_messages_made_in_python_follow_the_reader(
    browser: Browser, db: Session
) -> None:
    missing = browser.get("/f/no-such-forum", headers=WELSH)
    assert missing.status_code == 404
    assert "Does dim fforwm yn y cyfeiriad hwn." in missing.text
    refused = browser.post(
        "/register",
        {"handle": "x", "email": "not-an-email", "password": "password"},
        headers=WELSH,
    )
    assert refused.status_code == 422
    assert "Rhowch gyfeiriad e-bost fel enw@example.org." in refused.text
    assert "Mae'r cyfrinair hwnnw" in refused.text or "Mae&#39;r cyfrinair hwnnw" in refused.text
    api = browser.get("/f/no-such-forum", headers={"Accept": "application/json"})
    assert api.json()["detail"] == "There is no forum at this address."


def test_a_notification_is_worded_in_each_readers_language(
    make_browser: Callable[[], Browser], db: Session
) -> None:
    forum = ForumFactory()
    kai = member_of(forum, email="kai@example.org", handle="kai")
    member_of(forum, email="sam@example.org", handle="sam")
    thread = thread_with_opening_post(forum, kai, title="Fluid limits")
    sam, author = make_browser(), make_browser()
    sam.sign_in("sam@example.org")
    sam.post(f"/f/{forum.slug}/t/{thread.id}/reply", {"body": "Ice lollies helped me."})
    author.sign_in("kai@example.org")
    assert "sam replied in “Fluid limits”." in author.get("/notifications").text
    author.post("/language", {"language": "cy"})
    assert "Atebodd sam yn “Fluid limits”." in author.get("/notifications").text
    stored = db.scalars(select(Notification).join(User, User.id == Notification.user_id)).one()
    assert stored.text == "sam replied in “Fluid limits”." and stored.facts == {
        "handle": "sam",
        "title": "Fluid limits",
    }


def test_dates_are_written_in_the_readers_language() -> None:
    moment = datetime(2026, 3, 3, 14, 5, tzinfo=UTC)
    with i18n.language("en"):
        assert i18n.format_when(moment) == "3 Mar 2026, 14:05"
        assert i18n.weekday_name(0) == "Mon"
    with i18n.language("cy"):
        assert i18n.format_when(moment) == "3 Maw 2026, 14:05"
        assert i18n.weekday_name(0) == "Llun"
    for language, locale in i18n.LANGUAGE_TAGS.items():
        with i18n.language(language):
            for month in range(1, 13):
                day = datetime(2026, month, 9, 7, 30, tzinfo=UTC)
                expected = format_datetime(day, "d MMM y, HH:mm", locale=locale.replace("-", "_"))
                assert i18n.format_when(day) == expected  # Babel's pattern, assembled faster


def test_a_welsh_reader_confirms_account_deletion_in_welsh(browser: Browser, db: Session) -> None:
    kai = UserFactory(email="kai@example.org", handle="kai")
    browser.sign_in("kai@example.org")
    browser.post("/language", {"language": "cy"})
    form = browser.get("/account/delete").text
    assert "Teipiwch “dileu fy nghyfrif” i gadarnhau" in form
    wrong = browser.post("/account/delete", {"posts": "keep", "confirm": "delete it"})
    assert wrong.status_code == 422 and "Does dim wedi" in wrong.text
    done = browser.post("/account/delete", {"posts": "keep", "confirm": "dileu fy nghyfrif"})
    assert done.status_code == 200 and "Mae'ch cyfrif wedi" in done.text
    db.expire_all()
    deleted = db.get(User, kai.id)
    assert deleted is not None and deleted.deleted_at is not None


def _welsh_draft_check(browser: Browser, draft: str) -> str:
    """The advice a Welsh-reading member gets on a draft reply."""
    forum = ForumFactory()
    member_of(forum, email="kai@example.org")
    browser.sign_in("kai@example.org")
    browser.post("/language", {"language": "cy"})
    return browser.post(f"/f/{forum.slug}/draft-check", {"body": draft, "form_id": "reply"}).text


def test_the_compose_check_advises_in_welsh(browser: Browser, db: Session) -> None:
    advice = _welsh_draft_check(browser, "Ring me on 07700 900123 if you want to chat")
    assert "Mae'n cynnwys rhywbeth sy'n edrych fel rhif ffôn." in advice


def test_a_moderator_can_work_in_welsh(browser: Browser, db: Session) -> None:
    forum = ForumFactory()
    member_of(forum, MembershipRole.MODERATOR, email="rowan@example.org")
    browser.sign_in("rowan@example.org")
    browser.post("/language", {"language": "cy"})
    page = browser.get("/moderation").text
    assert "Ciw adolygu" in page and "Llwybrau byr bysellfwrdd" in page


def test_a_welsh_reader_in_crisis_is_answered_in_welsh(browser: Browser, db: Session) -> None:
    advice = _welsh_draft_check(browser, "I want to end my life, I can't do this any more")
    assert "Does dim rhaid i chi wynebu hyn ar eich pen eich hun" in advice
    assert "Ble i gael help nawr" in advice  # the landmark's name, for screen readers


def test_stored_codes_read_as_words_in_the_readers_language() -> None:
    with i18n.language("en"):
        assert code_label(DecisionAction.EDIT_APPROVE) == "edited and approved"
        assert code_label("some_new_code") == "some new code"  # never a bare code with underscores
    with i18n.language("cy"):
        assert code_label(PostStatus.HELD) == "yn aros am adolygiad"
        assert code_label(SanctionKind.BAN) == "gwaharddiad"

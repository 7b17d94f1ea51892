"""Interface text in English (complete) and Welsh (started for the main member pages).

Catalogues live in translations/<lang>/LC_MESSAGES/messages.po (Babel); they are compiled in memory
at start-up, so no binary files are kept in the repository. `LanguageMiddleware` picks each
request's language, so text made in Python (errors, notices, form messages) and in templates
comes out in the same language. Text kept in module-level tables is marked with `N_` for the
catalogue and translated with `_` where it is shown.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names, get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import PROJECT_ROOT

LANGUAGES = {"en": "English", "cy": "Cymraeg"}
LANGUAGE_TAGS = {"en": "en-GB", "cy": "cy"}
LANGUAGE_COOKIE = "harbour_lang"
_language: ContextVar[str] = ContextVar("language", default="en")


@cache
def translations(language: str) -> NullTranslations:
    po = PROJECT_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def language_of(connection: HTTPConnection) -> str:
    """The member's choice (a cookie) or else their browser's preference; English by default."""
    chosen = connection.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    accepted = connection.headers.get("accept-language", "").lower()
    return "cy" if accepted.startswith("cy") else "en"


def activate(language: str) -> None:
    _language.set(language if language in LANGUAGES else "en")


def current_language() -> str:
    return _language.get()


def gettext(message: str) -> str:
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark text for the catalogue where it is defined; `_` translates it where it is shown."""
    return message


def _locale(language: str | None = None) -> str:
    """Babel's name for the language being read (or `language`)."""
    return LANGUAGE_TAGS[language or _language.get()].replace("-", "_")


@cache
def _month_abbreviations(language: str) -> Mapping[int, str]:
    return get_month_names("abbreviated", locale=_locale(language))


def format_when(value: datetime | None) -> str:
    """A date and time in the reader's language, e.g. "3 Mar 2026, 14:05" (Babel's "d MMM y,
    HH:mm", assembled directly: a thread page shows dozens of these)."""
    if value is None:
        return ""
    month = _month_abbreviations(_language.get())[value.month]
    return f"{value.day} {month} {value.year}, {value.hour:02d}:{value.minute:02d}"


def format_day(value: date) -> str:
    """A day of the month, e.g. "3 Mar"."""
    return format_date(value, "d MMM", locale=_locale())


def format_long_date(value: date) -> str:
    """A date in full, e.g. "3 March 2026"."""
    return format_date(value, "d MMMM y", locale=_locale())


def weekday_name(day: int) -> str:
    """Monday is 0, as in Python."""
    return get_day_names("abbreviated", locale=_locale())[int(day)]


class LanguageMiddleware:
    """Pure ASGI: choose the request's language before anything else runs, and say which it was."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)  # files are the same in every language
            return
        language = language_of(HTTPConnection(scope))
        activate(language)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-language", LANGUAGE_TAGS[language])
                headers.add_vary_header("Accept-Language")
            await send(message)

        await self.app(scope, receive, send_with_language)


@contextmanager
def language(code: str) -> Iterator[None]:
    """Text made inside is in `code` (e.g. English for what is stored), whoever is reading."""
    token = _language.set(code)
    try:
        yield
    finally:
        _language.reset(token)


LOCAL_TIMEZONE = "Europe/London"


def format_local(value: datetime | str | None) -> str:
    """A moment (a datetime or ISO text, as stored in UTC) as UK local time in the reader's
    language, e.g. "3 Jul 2026, 15:05" in summer for 14:05 UTC."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_when(moment.astimezone(ZoneInfo(LOCAL_TIMEZONE)))

"""Interface text in English (complete) and Welsh (started for the main member pages).

Catalogues live in translations/<lang>/LC_MESSAGES/messages.po (Babel); they are compiled in memory
at start-up, so no binary files are kept in the repository.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from fastapi import Request

from app.config import PROJECT_ROOT

LANGUAGES = {"en": "English", "cy": "Cymraeg"}
LANGUAGE_COOKIE = "harbour_lang"
_current: ContextVar[NullTranslations | None] = ContextVar("translations", default=None)
_ENGLISH = NullTranslations()


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


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    accepted = request.headers.get("accept-language", "").lower()
    return "cy" if accepted.startswith("cy") else "en"


def activate(language: str) -> None:
    _current.set(translations(language))


def gettext(message: str) -> str:
    return (_current.get() or _ENGLISH).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return (_current.get() or _ENGLISH).ngettext(singular, plural, n)

"""Message catalogs: one gettext domain, ``dondoc``, Vietnamese (default) and English.

Every message has a symbolic id (``report.saved``) and a context naming the part of the
program that says it (``handlers``, ``scheduler``, ``web``…). Its text in each language lives in
``bot/locale/<lang>/LC_MESSAGES/dondoc.po``, read with Babel at first use, so there is no build
step and translators use the usual gettext tools (docs/operations.md, "Translations").
A message a language lacks falls back to Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

DOMAIN = "dondoc"
SOURCE_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")
"""The languages the chat, the web pages and the command line speak."""
LOCALE_DIR = Path(__file__).parent / "locale"


def catalog_path(lang: str) -> Path:
    """Where the .po file of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> Mapping[tuple[str, str], str]:
    """(context, message id) → ``str.format`` template, for every translated message of
    ``lang`` (fuzzy entries do not count, as in gettext); empty for a language without a file."""
    path = catalog_path(lang)
    if not path.is_file():
        return {}
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang, domain=DOMAIN)
    return {
        (message.context or "", str(message.id)): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }


class Catalog:
    """The messages of one context, e.g. ``Catalog("handlers")``."""

    def __init__(self, context: str) -> None:
        self.context = context

    def template(self, key: str, lang: str | None = SOURCE_LANGUAGE) -> str:
        """The text of ``key`` in ``lang`` (Vietnamese when that language lacks it)."""
        found = translations(lang or SOURCE_LANGUAGE).get((self.context, key))
        if found is not None:
            return found
        try:
            return translations(SOURCE_LANGUAGE)[(self.context, key)]
        except KeyError:
            raise KeyError(f"no message {key!r} in context {self.context!r}") from None

    def t(self, key: str, lang: str | None = SOURCE_LANGUAGE, /, **params: object) -> str:
        template = self.template(key, lang)
        return template.format(**params) if params else template


def format_date(day: dt.date | None, lang: str | None = "vi") -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates; '—' when there is none."""
    if day is None:
        return "—" if lang != "en" else "none"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def format_datetime(moment: dt.datetime, tz: dt.tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M %d/%m/%Y")


def shorten(text: str, limit: int = 70) -> str:
    """One line of at most ``limit`` characters, cut on a word boundary with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"

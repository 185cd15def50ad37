"""Tiny message catalogs: Vietnamese (default, with full diacritics) and English.

Each package keeps its own catalog (``bot.texts``, ``handlers.texts``, ``scheduler.texts``…)
so texts live next to the code that says them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

LANGUAGES = ("vi", "en")


class Catalog:
    """Maps a key to a (vi, en) pair of ``str.format`` templates."""

    def __init__(self, texts: Mapping[str, tuple[str, str]]) -> None:
        self._texts = dict(texts)

    def __contains__(self, key: str) -> bool:
        return key in self._texts

    def keys(self) -> list[str]:
        return list(self._texts)

    def t(self, key: str, lang: str | None = "vi", /, **params: object) -> str:
        vi, en = self._texts[key]
        template = en if lang == "en" else vi
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

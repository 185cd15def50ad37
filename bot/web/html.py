"""A tiny HTML renderer that escapes by default.

Templates are ``string.Template`` texts (``$name`` placeholders; ``$$`` for a dollar sign).
Every substituted value is HTML-escaped unless it is :class:`Markup` — text built by this
module, already safe. That makes "forgot to escape" impossible by construction.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable
from functools import cache
from importlib import resources
from urllib.parse import quote, urlparse


class Markup(str):
    """HTML that is safe to insert as it is."""

    __slots__ = ()


def escape(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def render(template: str, /, **values: object) -> Markup:
    """Fill ``$name`` placeholders with escaped values."""
    return Markup(string.Template(template).substitute({k: escape(v) for k, v in values.items()}))


def join(parts: Iterable[object], separator: str = "") -> Markup:
    return Markup(escape(separator).join(escape(part) for part in parts))


@cache
def template(name: str) -> str:
    """A template file shipped in ``bot/web/templates``."""
    return (resources.files("bot.web") / "templates" / name).read_text(encoding="utf-8")


def page(name: str, /, **values: object) -> Markup:
    return render(template(name), **values)


def path_part(value: str) -> str:
    """A value quoted for use as one URL path segment."""
    return quote(value, safe="")


def safe_link(url: str | None) -> str | None:
    """The URL if it is a plain http(s) or site-relative link (never ``javascript:``)."""
    if not url:
        return None
    if url.startswith("/") and not url.startswith("//"):
        return url
    parsed = urlparse(url)
    return url if parsed.scheme in ("http", "https") and parsed.netloc else None

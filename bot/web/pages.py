"""Shared by the dashboard and the chat page: the message page and the same-origin check."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from bot.web.views import SignedIn

CSRF_FIELD = "csrf"
DEFAULT_PORTS = {"http": 80, "https": 443}


def message_page(
    request: web.Request,
    lang: str,
    title_key: str,
    text: str,
    *,
    status: int,
    signed_in: SignedIn | None = None,
    back: bool = False,
) -> web.Response:
    """A short page that says one thing (errors, denials); ``back`` links to the overview."""
    context = {
        "title": TEXTS.t(title_key, lang),
        "text": text,
        "back": back,
        "signed_in": signed_in,
    }
    return render_page(request, "message.html", lang, context, status=status)


def same_origin(request: web.Request, public_base_url: str | None) -> bool:
    """A browser's POST or WebSocket comes from our own pages.

    Its Origin names either the public address (``DONDOC_PUBLIC_BASE_URL``: behind a reverse
    proxy, which by default rewrites ``Host`` to the upstream address) or the ``Host`` the
    request reached. Browsers always send Origin on these requests; a missing header
    (non-browser clients) is accepted, since the CSRF token or the cookie still has to be right.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if public_base_url and _origin_of(origin) == _origin_of(public_base_url):
        return True
    host = request.headers.get("Host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


def _origin_of(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of a URL (default ports made explicit), for comparing origins."""
    parsed = urlsplit(url.strip())
    try:
        port = parsed.port
    except ValueError:
        return ("", "", None)
    scheme = parsed.scheme.lower()
    return (scheme, (parsed.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme))

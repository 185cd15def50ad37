"""Responses shared by the dashboard and the chat page: layout, security headers, errors."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from bot.models import Official
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.web.html import Markup, join, page, render
from bot.web.texts import TEXTS

CSRF_FIELD = "csrf"
DEFAULT_PORTS = {"http": 80, "https": 443}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def csrf_input(token: str) -> Markup:
    return render('<input type="hidden" name="$name" value="$value">', name=CSRF_FIELD, value=token)


def nav(lang: str, official: Official | None = None, csrf: str | None = None) -> Markup:
    """Top navigation; logged-in people also get export and logout buttons."""
    links = [
        render('<a href="/">$label</a>', label=TEXTS.t("nav.overview", lang)),
        render('<a href="/chat">$label</a>', label=TEXTS.t("nav.chat", lang)),
    ]
    if official is not None and csrf is not None:
        role = DOMAIN_TEXTS.t(f"role.{official.role.value}", lang)
        links.append(
            render(
                '<span class="who">$who</span>',
                who=TEXTS.t("who", lang, name=official.full_name, role=role),
            )
        )
        links.append(
            render(
                '<form method="post" action="/export" class="inline">$csrf'
                '<button type="submit" id="export-button">$label</button></form>',
                csrf=csrf_input(csrf),
                label=TEXTS.t("nav.export", lang),
            )
        )
        links.append(
            render(
                '<form method="post" action="/logout" class="inline">$csrf'
                '<button type="submit" class="secondary">$label</button></form>',
                csrf=csrf_input(csrf),
                label=TEXTS.t("nav.logout", lang),
            )
        )
    return join(links)


def html_page(
    lang: str, title: str, body: Markup, navigation: Markup, *, status: int = 200
) -> web.Response:
    text = page("layout.html", lang=lang, title=title, nav=navigation, body=body)
    return web.Response(
        text=text, status=status, content_type="text/html", headers=SECURITY_HEADERS
    )


def message_page(
    lang: str,
    title_key: str,
    text: str,
    *,
    status: int,
    navigation: Markup | None = None,
    extra: Markup | None = None,
) -> web.Response:
    """A short page that says one thing (errors, denials)."""
    title = TEXTS.t(title_key, lang)
    body = page("message.html", title=title, text=text, extra=extra or Markup(""))
    return html_page(lang, title, body, navigation or nav(lang), status=status)


def back_link(lang: str) -> Markup:
    return render('<p><a href="/">$label</a></p>', label=TEXTS.t("error.back", lang))


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

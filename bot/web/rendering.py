"""How web pages are rendered: Jinja2 templates (``bot/web/templates``) through aiohttp-jinja2.

Autoescaping is on for every template, so text from the database can only reach a page as
text. Each page gets its language and two message functions, ``t("key", **params)`` for the
``web`` catalog and ``term("key", **params)`` for the domain's (status, role, priority…), both
in the page's language. Every response carries the strict security headers: the templates
hold no inline script or style, the Content-Security-Policy forbids them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.context import AppContext
from bot.i18n import format_date, format_datetime
from bot.services.explanations import named
from bot.services.people import person_label
from bot.status import STATUS_ORDER
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.web.texts import TEXTS
from bot.web.views import safe_link, task_list_url, task_url, unit_url

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


def setup_templates(app: web.Application, ctx: AppContext) -> None:
    """Install the template environment on ``app``; dates are shown in the city's time."""
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda value: "" if value is None else value,
    )
    env.filters["date"] = format_date
    env.filters["local_date"] = lambda moment: format_date(ctx.local_date(moment))
    env.filters["datetime"] = lambda moment: format_datetime(moment, ctx.tz)
    env.filters["epoch"] = epoch
    env.globals["status_order"] = STATUS_ORDER
    env.globals["safe_link"] = safe_link
    env.globals["named"] = named
    env.globals["person_label"] = person_label
    env.globals["task_url"] = task_url
    env.globals["task_list_url"] = task_list_url
    env.globals["unit_url"] = unit_url


def epoch(moment: dt.datetime | None) -> int:
    """Seconds since 1970 (a table's sort value); 0 for never."""
    return int(moment.timestamp()) if moment else 0


def translator(catalog: Callable[..., str], lang: str) -> Callable[..., str]:
    """A catalog's ``t`` bound to the page's language, as templates call it: ``t("key", n=1)``."""

    def t(key: str, /, **params: object) -> str:
        return catalog(key, lang, **params)

    return t


def render_page(
    request: web.Request,
    template: str,
    lang: str,
    context: Mapping[str, object],
    *,
    status: int = 200,
) -> web.Response:
    """The page ``template`` in ``lang``, with the security headers (``signed_in``, a
    :class:`~bot.web.views.SignedIn`, adds the viewer's name and forms to the navigation)."""
    response = aiohttp_jinja2.render_template(
        template,
        request,
        {
            "signed_in": None,
            **context,
            "lang": lang,
            "t": translator(TEXTS.t, lang),
            "term": translator(DOMAIN_TEXTS.t, lang),
        },
        status=status,
    )
    response.headers.update(SECURITY_HEADERS)
    return response

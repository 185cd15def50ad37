"""HTTP access log lines without the secrets some URLs carry.

A login link (``/login/<token>``), a public media file (``/media/<name>``), a Telegram bot token
in a path, or a ``token=``/``secret=``/``code=`` query parameter opens something by itself, so
the logged path shows ``***`` in its place. One line per request on the ``dondoc.access``
logger: client address (behind a reverse proxy on this machine, the one the proxy saw), method,
masked path, status, bytes, duration, user agent.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.web.limits import client_address

ACCESS_LOGGER = "dondoc.access"
MASK = "***"
_PATH_SECRETS = (
    re.compile(r"(?<=/login/)(?!demo(?:[/?#]|$))[^/?#]+"),
    re.compile(r"(?<=/media/)[^/?#]+"),
    re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}"),  # a Telegram bot token anywhere in the URL
)
_QUERY_SECRET = re.compile(
    r"(?<=[?&])((?:token|secret|code|password|key|access_token|sig|signature)=)[^&#]*",
    re.IGNORECASE,
)


def mask_url(path_qs: str) -> str:
    """``path_qs`` (path and query) with every secret replaced by ``***``."""
    for pattern in _PATH_SECRETS:
        path_qs = pattern.sub(MASK, path_qs)
    return _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, path_qs)


class MaskedAccessLogger(AbstractAccessLogger):
    """aiohttp's access logger, with :func:`mask_url` applied to the logged URL."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %s %.3fs "%s"',
            client_address(request) or "-",
            request.method,
            mask_url(request.raw_path),
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
            request.headers.get("User-Agent", "-"),
        )


def access_log_options(enabled: bool) -> dict[str, Any]:
    """Keyword arguments for :class:`aiohttp.web.AppRunner` (``DONDOC_WEB_ACCESS_LOG``)."""
    if not enabled:
        return {"access_log": None}
    return {
        "access_log_class": MaskedAccessLogger,
        "access_log": logging.getLogger(ACCESS_LOGGER),
    }

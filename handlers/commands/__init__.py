"""Every command of the product, one module per feature. Order matters only for free text."""

from __future__ import annotations

import re

from handlers.commands import (
    account,
    channel,
    done,
    extension,
    login,
    oversight,
    report,
    tasks,
)
from handlers.router import Router
from handlers.texts import TEXTS

ROUTERS: list[Router] = [
    account.router,
    tasks.router,
    report.router,
    done.router,
    extension.router,
    oversight.router,
    login.router,
    channel.router,
]

_MENU_ENTRY = re.compile(r"^/(?P<name>[a-z0-9_]{1,32})\b[^—]*—\s*(?P<description>.+)$")


def menu(lang: str) -> list[tuple[str, str]]:
    """The command menu (Telegram's setMyCommands) in ``lang``: (command, short description).

    Taken from each command's help text, which starts with the name people should type in that
    language (``/baocao — …`` in Vietnamese, ``/report — …`` in English).
    """
    entries: list[tuple[str, str]] = []
    for router in ROUTERS:
        for spec in router.commands:
            if spec.help_key is None:
                continue
            match = _MENU_ENTRY.match(TEXTS.t(spec.help_key, lang))
            if match is None or match["name"] not in (spec.name, *spec.aliases):
                continue
            description = match["description"].strip()[:256]
            entries.append((match["name"], description[:1].upper() + description[1:]))
    return entries

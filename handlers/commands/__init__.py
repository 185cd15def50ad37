"""Every command of the product, one module per feature. Order matters only for free text."""

from __future__ import annotations

from handlers.commands import (
    account,
    channel,
    direction,
    done,
    explanation,
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
    explanation.router,
    direction.router,
    oversight.router,
    login.router,
    channel.router,
]


def menu(lang: str) -> list[tuple[str, str]]:
    """The command menu (Telegram's setMyCommands) in ``lang``: (command, short description),
    from the registered commands that have a menu description."""
    return [
        (spec.name_in(lang), TEXTS.t(spec.menu_key, lang))
        for router in ROUTERS
        for spec in router.commands
        if spec.menu_key is not None
    ]

"""The command line's words in the configured language (``DONDOC_LANGUAGE``): every printed
message, and the help of every command and option, from the ``cli`` catalog context."""

from __future__ import annotations

import os

import typer.rich_utils
from typer.main import get_command_name

from bot.i18n import LANGUAGES, Catalog
from config import SettingsError, load_settings

TEXTS = Catalog("cli")
PANEL_TITLES = {
    "ARGUMENTS_PANEL_TITLE": "panel.arguments",
    "OPTIONS_PANEL_TITLE": "panel.options",
    "COMMANDS_PANEL_TITLE": "panel.commands",
    "ERRORS_PANEL_TITLE": "panel.errors",
}
"""Typer's help panel titles (module settings of ``typer.rich_utils``) and their messages."""


def cli_language() -> str:
    """The configured language; when the settings themselves are wrong, ``DONDOC_LANGUAGE``
    as written (Vietnamese unless it says ``en``)."""
    try:
        return load_settings().language
    except SettingsError:
        language = os.environ.get("DONDOC_LANGUAGE", "vi").strip().lower()
        return language if language in LANGUAGES else "vi"


def say(key: str, **params: object) -> str:
    """The message ``key`` in the configured language."""
    return TEXTS.t(key, cli_language(), **params)


_help_language: str | None = None
"""The language :func:`localize` chose for help texts (None: the configured one)."""


def param_help(key: str) -> str:
    """The help of the command-line parameter ``<command>.<parameter>`` (``help.`` + key).

    Used inside the commands' ``Annotated`` hints: the command modules postpone annotations
    (``from __future__ import annotations``), and typer evaluates the hints each time it
    builds the click commands, so the help is looked up at every run in its language."""
    return TEXTS.t(f"help.{key}", _help_language or cli_language())


def localize(app: typer.Typer, lang: str) -> typer.Typer:
    """Give ``app`` its help texts in ``lang``: the tool's (``help.app``), each command's
    (``help.<command>``), each parameter's (``help.<command>.<parameter>``, through
    :func:`param_help`), and typer's panel titles."""
    global _help_language
    _help_language = lang
    app.info.help = TEXTS.t("help.app", lang)
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or get_command_name(info.callback.__name__)
        info.help = TEXTS.t(f"help.{name}", lang)
    for setting, key in PANEL_TITLES.items():
        setattr(typer.rich_utils, setting, TEXTS.t(key, lang))
    return app

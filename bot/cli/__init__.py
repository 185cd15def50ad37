"""The ``dondoc`` command line. Each module adds its commands to :data:`app`, which
is ``localized``: with its help in the configured language (bot/cli/texts.py)."""

from __future__ import annotations

import sys

import typer

from bot.db import DatabaseNotMigrated, DatabaseUnavailable
from config import SettingsError

app = typer.Typer(
    name="dondoc",
    help="Dondoc: task reminders and progress reports for government agencies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from bot.cli import (  # noqa: F401
        access_commands,
        data_commands,
        db_commands,
        run_command,
        scheduler_commands,
    )


def localized(lang: str | None = None) -> typer.Typer:
    """:data:`app` with every command, its help in ``lang`` (default: the configured
    language)."""
    from bot.cli.texts import cli_language, localize

    _register()
    return localize(app, lang or cli_language())


def main() -> None:
    """Console entry point: one clear line (and exit code 2) for a wrong setting or a
    database that does not answer, in every command."""
    from bot.cli.texts import TEXTS, cli_language

    try:
        localized()(prog_name="dondoc")
    except SettingsError as exc:
        typer.echo(TEXTS.t("settings_error", cli_language(), detail=exc), err=True)
        sys.exit(2)
    except DatabaseUnavailable as exc:
        key = (
            "database_not_migrated"
            if isinstance(exc, DatabaseNotMigrated)
            else "database_unavailable"
        )
        line = TEXTS.t(key, cli_language(), url=exc.url, reason=exc.reason)
        typer.echo(line, err=True)
        sys.exit(2)

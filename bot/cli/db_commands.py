"""``dondoc migrate`` and ``dondoc config``."""

from __future__ import annotations

import json

import typer

from bot.cli import app
from bot.cli.common import check_database
from bot.cli.texts import say
from bot.migrate import migrate
from config import load_settings


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema (Alembic) to the latest version."""
    settings = load_settings()
    check_database(settings.database_url)
    change = migrate(settings.database_url)
    typer.echo(say(f"migrate.{change.value}", url=settings.masked()["database_url"]))


@app.command("config")
def show_config() -> None:
    """Print the effective settings, secrets masked."""
    typer.echo(json.dumps(load_settings().masked(), indent=2, ensure_ascii=False))

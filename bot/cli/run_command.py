"""``dondoc run``: start the bot."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from bot.app import RunOptions, Runtime, StartupError, add_components
from bot.cli import app
from bot.context import AppContext
from bot.db import Database
from config import load_settings


@app.command("run")
def run_bot(
    webhook_url: Annotated[
        str | None, typer.Option(help="Public HTTPS base URL: use webhooks instead of polling.")
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Web server address (default: settings).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Web server port (default: settings).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the bot: channels, scheduler and web server, until Ctrl+C."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = load_settings()
    ctx = AppContext(settings=settings, db=Database(settings.database_url))
    runtime = Runtime(ctx, RunOptions(webhook_url=webhook_url, host=host, port=port))
    try:
        add_components(runtime)
        asyncio.run(runtime.run_until_stopped())
    except StartupError as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(1) from exc

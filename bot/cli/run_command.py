"""``dondoc run``: start the bot."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from bot.app import RunOptions, Runtime, WebAddressUnavailable, add_components
from bot.cli import app
from bot.cli.texts import TEXTS, param_help
from bot.context import AppContext
from bot.db import Database
from bot.lifecycle import StartupError
from config import load_settings


@app.command("run")
def run_bot(
    webhook_url: Annotated[str | None, typer.Option(help=param_help("run.webhook_url"))] = None,
    host: Annotated[str | None, typer.Option(help=param_help("run.host"))] = None,
    port: Annotated[int | None, typer.Option(help=param_help("run.port"))] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help=param_help("run.verbose"))
    ] = False,
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
    except WebAddressUnavailable as exc:
        key = "port_in_use" if exc.in_use else "cannot_listen"
        line = TEXTS.t(key, settings.language, host=exc.host, port=exc.port, reason=exc.reason)
        typer.echo(line, err=True)
        raise typer.Exit(2) from exc
    except StartupError as exc:
        typer.echo(TEXTS.t("cannot_start", settings.language, detail=exc), err=True)
        raise typer.Exit(1) from exc

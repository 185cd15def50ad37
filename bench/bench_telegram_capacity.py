"""Telegram capacity: reports per second handled end to end by one dondoc instance.

Through the fake Bot API server (tests/fakes/telegram_api.py, in this process), 100
registered officials send one-line reports (``/baocao T-xx 37 ...``); each is fetched with
getUpdates, handled by the real dispatcher, committed to SQLite and answered with
sendMessage. The outgoing rate limiter is off by its setting (DONDOC_TELEGRAM_RATE_LIMITER):
with it on the figure would be Telegram's 30 messages/s cap, not the bot.

The baseline, measured in the same run on a fresh fake server with the same burst of
updates, is a bare python-telegram-bot echo bot: an ``Application`` with one
``MessageHandler`` that answers each text, polling via ``updater.start_polling``.
Target: dondoc / echo >= 0.7.

    .venv/bin/python bench/bench_telegram_capacity.py [--reports 1000] [--officials 100]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.app import RunOptions, Runtime
from bot.channels.telegram.channel import TelegramChannel
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.models import Report
from config import Settings
from tests.channels.telegram.harness import seed_reporters
from tests.fakes.telegram_api import FakeTelegramServer

NOW = dt.datetime(2025, 12, 8, 2, 0, tzinfo=dt.UTC)
FIRST_USER = 700_000
TARGET = 0.7


def report_text(n: int, officials: int) -> tuple[int, str]:
    """The n-th report: (user id, text); progress grows per official so none is refused."""
    who, round_ = n % officials, n // officials
    return FIRST_USER + who, f"/baocao T-{who:03d} {min(99, round_ + 1)} Báo cáo lần {round_ + 1}"


def dondoc_context(server: FakeTelegramServer, url: str, *, rate_limiter: bool) -> AppContext:
    settings = Settings(
        database_url=url,
        telegram_token=server.token,
        telegram_api_url=f"{server.url}/bot",
        telegram_rate_limiter=rate_limiter,
    )
    return AppContext(settings=settings, db=Database(url), clock=FrozenClock(NOW))


async def start_dondoc(ctx: AppContext) -> TelegramChannel:
    runtime = Runtime(ctx, RunOptions())
    channel = TelegramChannel(runtime, poll_timeout=10)
    await channel.start()
    return channel


async def run_dondoc(reports: int, officials: int) -> float:
    async with FakeTelegramServer() as server:
        with tempfile.TemporaryDirectory() as folder:
            ctx = dondoc_context(
                server, f"sqlite+aiosqlite:///{folder}/bench.db", rate_limiter=False
            )
            await ctx.db.create_all()
            await seed_reporters(ctx, officials, first_user=FIRST_USER)
            for n in range(reports):
                server.push_text(*report_text(n, officials))
            channel = await start_dondoc(ctx)
            started = time.perf_counter()
            await server.wait_for_messages(None, reports, timeout=300)
            elapsed = time.perf_counter() - started
            await channel.stop()
            async with ctx.db.session() as session:
                stored = await session.scalar(select(func.count()).select_from(Report))
            await ctx.db.dispose()
    if stored != reports:
        raise SystemExit(f"dondoc stored {stored} reports, expected {reports}")
    return reports / elapsed


async def run_echo(messages: int, officials: int) -> float:
    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    async with FakeTelegramServer() as server:
        app = (
            Application.builder()
            .token(server.token)
            .base_url(f"{server.url}/bot")
            .base_file_url(f"{server.url}/file/bot")
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT, echo))
        for n in range(messages):
            server.push_text(*report_text(n, officials))
        await app.initialize()
        await app.start()
        assert app.updater is not None
        started = time.perf_counter()
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        await server.wait_for_messages(None, messages, timeout=300)
        elapsed = time.perf_counter() - started
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    return messages / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--officials", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    echo = await run_echo(args.reports, args.officials)
    dondoc = await run_dondoc(args.reports, args.officials)
    ratio = dondoc / echo
    print(f"updates per run:          {args.reports} from {args.officials} officials")
    print(f"echo bot (PTB baseline):  {echo:8.1f} updates/s")
    print(f"dondoc (report → commit): {dondoc:8.1f} reports/s  (SQLite, rate limiter off)")
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"ratio dondoc / echo:      {ratio:8.2f}  ({verdict} the {TARGET} target)")


if __name__ == "__main__":
    asyncio.run(main())

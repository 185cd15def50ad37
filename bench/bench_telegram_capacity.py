"""Telegram capacity: reports per second handled end to end by one dondoc instance.

Through the fake Bot API server (tests/fakes/telegram_api.py, in this process), 100
registered officials send one-line reports (``/baocao T-xx 37 ...``); each is fetched with
getUpdates, handled by the real dispatcher, committed to SQLite and answered with
sendMessage. The outgoing rate limiter is off by its setting (DONDOC_TELEGRAM_RATE_LIMITER):
with it on the figure would be Telegram's 30 messages/s cap, not the bot.

The baseline, measured in the same run on a fresh fake server with the same burst of
updates, is a bare python-telegram-bot echo bot: an ``Application`` with one
``MessageHandler`` that answers each text, polling via ``updater.start_polling``.
Target: dondoc / echo >= 0.24 (what one instance did with the private SQLite driver it no
longer has; the way past one process is more instances, see bench/bench_scale_out.py).

    .venv/bin/python bench/bench_telegram_capacity.py [--reports 1000] [--officials 100]
        [--rounds 3] [--breakdown]

``--breakdown`` also times the adapter with a dispatcher that stores nothing, and the
dispatcher called directly without Telegram, to show where a report's time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import check
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.app import RunOptions, Runtime, telegram_channel
from bot.channel_traits import TELEGRAM, ChannelTraits
from bot.channels.telegram.channel import TelegramChannel
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.messages import IncomingMessage, Reply
from bot.models import Report
from config import Settings
from handlers import Dispatcher, build_dispatcher
from tests.channels.telegram.harness import seed_reporters
from tests.fakes.telegram_api import FakeTelegramServer

NOW = dt.datetime(2025, 12, 8, 2, 0, tzinfo=dt.UTC)
FIRST_USER = 700_000
TARGET = 0.24
BENCH = "telegram_capacity"


def report_text(n: int, officials: int) -> tuple[int, str]:
    """The n-th report: (user id, text); progress grows per official so none is refused."""
    who, round_ = n % officials, n // officials
    return FIRST_USER + who, f"/baocao T-{who:03d} {min(99, round_ + 1)} Báo cáo lần {round_ + 1}"


def dondoc_context(
    server: FakeTelegramServer | None, url: str, *, rate_limiter: bool
) -> AppContext:
    """Settings for a run against ``server`` (None: the dispatcher alone, no Telegram)."""
    telegram = (
        {"telegram_token": server.token, "telegram_api_url": f"{server.url}/bot"}
        if server is not None
        else {}
    )
    settings = Settings(database_url=url, telegram_rate_limiter=rate_limiter, **telegram)
    return AppContext(settings=settings, db=Database(url), clock=FrozenClock(NOW))


class NoDatabaseDispatcher(Dispatcher):
    """For ``--breakdown``: answers every message with its own text and stores nothing, so
    the run measures the Telegram adapter alone."""

    async def handle(self, message: IncomingMessage, traits: ChannelTraits) -> list[Reply]:
        return [Reply(message.text or "")]


async def start_dondoc(ctx: AppContext, *, adapter_only: bool = False) -> TelegramChannel:
    runtime = Runtime(ctx, RunOptions())
    if adapter_only:
        runtime.dispatcher = NoDatabaseDispatcher(ctx, [])
    channel = telegram_channel(runtime, poll_timeout=10)
    await channel.start()
    return channel


@dataclass(frozen=True)
class Rate:
    per_second: float
    """Items per second of wall-clock time."""
    cpu_ms: float
    """CPU milliseconds per item of this whole process (every thread; the fake Bot API,
    which runs here too, included): unlike the wall clock, hardly moved by other processes
    competing for the cores."""


def rate(count: int, started: float, cpu_started: float) -> Rate:
    elapsed = time.perf_counter() - started
    return Rate(count / elapsed, (time.process_time() - cpu_started) * 1000 / count)


async def run_dondoc(reports: int, officials: int, *, adapter_only: bool = False) -> Rate:
    async with FakeTelegramServer() as server:
        with tempfile.TemporaryDirectory() as folder:
            ctx = dondoc_context(
                server, f"sqlite+aiosqlite:///{folder}/bench.db", rate_limiter=False
            )
            await ctx.db.create_all()
            await seed_reporters(ctx, officials, first_user=FIRST_USER)
            for n in range(reports):
                server.push_text(*report_text(n, officials))
            channel = await start_dondoc(ctx, adapter_only=adapter_only)
            started, cpu_started = time.perf_counter(), time.process_time()
            await server.wait_for_messages(None, reports, timeout=300)
            result = rate(reports, started, cpu_started)
            await channel.stop()
            async with ctx.db.session() as session:
                stored = await session.scalar(select(func.count()).select_from(Report))
            await ctx.db.dispose()
    if stored != (0 if adapter_only else reports):
        raise SystemExit(f"dondoc stored {stored} reports, expected {reports}")
    return result


async def run_dispatcher_only(reports: int, officials: int) -> float:
    """The dispatcher alone, called directly: one transaction per report, no Telegram."""
    with tempfile.TemporaryDirectory() as folder:
        ctx = dondoc_context(None, f"sqlite+aiosqlite:///{folder}/bench.db", rate_limiter=False)
        await ctx.db.create_all()
        await seed_reporters(ctx, officials, first_user=FIRST_USER)
        dispatcher = build_dispatcher(ctx)
        messages = []
        for n in range(reports):
            user, text = report_text(n, officials)
            messages.append(
                IncomingMessage(
                    channel=TELEGRAM.name,
                    user_id=str(user),
                    chat_id=str(user),
                    update_key=f"bench:{n}",
                    text=text,
                )
            )
        started = time.perf_counter()
        for message in messages:
            await dispatcher.handle(message, TELEGRAM)
        elapsed = time.perf_counter() - started
        await ctx.db.dispose()
    return reports / elapsed


async def run_echo(messages: int, officials: int) -> Rate:
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
        started, cpu_started = time.perf_counter(), time.process_time()
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        await server.wait_for_messages(None, messages, timeout=300)
        result = rate(messages, started, cpu_started)
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--officials", type=int, default=100)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating echo/dondoc runs; medians reported"
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the adapter and dispatcher alone"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # cut-off long polls

    echoes: list[Rate] = []
    dondocs: list[Rate] = []
    for round_ in range(1, args.rounds + 1):
        echoes.append(await run_echo(args.reports, args.officials))
        dondocs.append(await run_dondoc(args.reports, args.officials))
        print(
            f"round {round_}: echo {echoes[-1].per_second:6.1f} updates/s "
            f"({echoes[-1].cpu_ms:.2f} ms CPU each), dondoc {dondocs[-1].per_second:6.1f} "
            f"reports/s ({dondocs[-1].cpu_ms:.2f} ms CPU each), "
            f"ratio {dondocs[-1].per_second / echoes[-1].per_second:.2f}"
        )
    echo = statistics.median(r.per_second for r in echoes)
    dondoc = statistics.median(r.per_second for r in dondocs)
    echo_cpu = statistics.median(r.cpu_ms for r in echoes)
    dondoc_cpu = statistics.median(r.cpu_ms for r in dondocs)
    print(f"updates per run:          {args.reports} from {args.officials} officials")
    print(
        f"echo bot (PTB baseline):  {echo:8.1f} updates/s  {echo_cpu:5.2f} ms CPU each "
        f"(medians of {args.rounds})"
    )
    print(
        f"dondoc (report → commit): {dondoc:8.1f} reports/s  {dondoc_cpu:5.2f} ms CPU each "
        "(SQLite, rate limiter off)"
    )
    print(
        f"ratio of CPU per item:    {echo_cpu / dondoc_cpu:8.2f}  (what the ratio is on an idle "
        f"machine; load average now {os.getloadavg()[0]:.1f})"
    )
    check(BENCH, "capacity dondoc / echo bot (SQLite)", dondoc / echo, TARGET)
    if args.breakdown:
        adapter = (await run_dondoc(args.reports, args.officials, adapter_only=True)).per_second
        alone = await run_dispatcher_only(args.reports, args.officials)
        print("where the time goes (one run each):")
        print(
            f"  adapter alone (no database):  {adapter:8.1f} updates/s = "
            f"{1000 / adapter:.2f} ms each, ratio {adapter / echo:.2f}"
        )
        print(
            f"  dispatcher alone (no Telegram): {alone:6.1f} reports/s = {1000 / alone:.2f} ms each"
        )
        print(f"  the target needs:             {1000 / (TARGET * echo):.2f} ms per report in all")


if __name__ == "__main__":
    asyncio.run(main())

"""Telegram latency: p50/p99 from an update being offered by the Bot API to the reply
arriving there, at a steady 20 reports/s with the outgoing rate limiter on.

The fake Bot API server (tests/fakes/telegram_api.py) runs in this process; each report is
pushed at its scheduled instant (the time it is offered to getUpdates) and matched to the
bot's reply in the same chat (the time the fake received sendMessage). Runs on SQLite and on
PostgreSQL (DONDOC_TEST_POSTGRES_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/test,
in a scratch database that is dropped afterwards; skipped with a note when unreachable).
The baseline in the same run is the bare python-telegram-bot echo bot at the same pace.
Target: p99 < 100 ms.

    .venv/bin/python bench/bench_telegram_latency.py [--seconds 10] [--rate 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_telegram_capacity import FIRST_USER, dondoc_context, report_text, start_dondoc
from common import check, scratch_postgres
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.channels.telegram.harness import seed_reporters
from tests.fakes.telegram_api import FakeTelegramServer

OFFICIALS = 100
TARGET_P99_MS = 100.0
BENCH = "telegram_latency"


async def offer_steadily(server: FakeTelegramServer, count: int, rate: float) -> list[float]:
    """Push ``count`` reports at ``rate`` per second; returns each one's offer time."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    offered: list[float] = []
    for n in range(count):
        delay = start + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        offered.append(time.monotonic())
        server.push_text(*report_text(n, OFFICIALS))
    return offered


def latencies(server: FakeTelegramServer, offered: list[float], count: int) -> list[float]:
    """Milliseconds from offer to reply, matching replies to reports per chat in order."""
    replies: dict[int | str, list[float]] = defaultdict(list)
    for sent in server.sent_messages():
        replies[sent.chat_id].append(sent.time)
    seen: dict[int, int] = defaultdict(int)
    result = []
    for n in range(count):
        user = report_text(n, OFFICIALS)[0]
        result.append((replies[user][seen[user]] - offered[n]) * 1000)
        seen[user] += 1
    return result


def describe(name: str, values: list[float], *, target: bool = True) -> None:
    """Print p50/p99/max; with ``target``, also the p99 against its target."""
    cuts = statistics.quantiles(values, n=100)
    p50, p99 = cuts[49], cuts[98]
    print(f"{name:<22} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   max {max(values):6.1f} ms")
    if target:
        check(BENCH, f"latency p99, {name}", p99, TARGET_P99_MS, unit=" ms", at_least=False)


async def measure(
    start_bot: Callable[[FakeTelegramServer], Awaitable[Callable[[], Awaitable[None]]]],
    count: int,
    rate: float,
) -> list[float]:
    async with FakeTelegramServer() as server:
        stop = await start_bot(server)
        try:
            offered = await offer_steadily(server, count, rate)
            await server.wait_for_messages(None, count, timeout=60)
        finally:
            await stop()
        return latencies(server, offered, count)


async def echo_bot(server: FakeTelegramServer) -> Callable[[], Awaitable[None]]:
    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app = Application.builder().token(server.token).base_url(f"{server.url}/bot").build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=10)

    async def stop() -> None:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    return stop


def dondoc_bot(
    url: str,
) -> Callable[[FakeTelegramServer], Awaitable[Callable[[], Awaitable[None]]]]:
    async def start(server: FakeTelegramServer) -> Callable[[], Awaitable[None]]:
        ctx = dondoc_context(server, url, rate_limiter=True)
        await ctx.db.create_all()
        await seed_reporters(ctx, OFFICIALS, first_user=FIRST_USER)
        channel = await start_dondoc(ctx)

        async def stop() -> None:
            await channel.stop()
            await ctx.db.dispose()

        return stop

    return start


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    count = int(args.seconds * args.rate)
    print(f"{count} reports at {args.rate:.0f}/s from {OFFICIALS} officials, rate limiter on")

    describe("echo bot (baseline)", await measure(echo_bot, count, args.rate), target=False)
    with tempfile.TemporaryDirectory() as folder:
        sqlite = dondoc_bot(f"sqlite+aiosqlite:///{folder}/bench.db")
        describe("dondoc on SQLite", await measure(sqlite, count, args.rate))
    postgres = await scratch_postgres("latency")
    if postgres is not None:
        url, drop = postgres
        try:
            describe("dondoc on PostgreSQL", await measure(dondoc_bot(url), count, args.rate))
        finally:
            await drop()


if __name__ == "__main__":
    asyncio.run(main())

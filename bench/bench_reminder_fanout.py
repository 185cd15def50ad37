"""Reminder fan-out: N reminders to N private chats through the real outbox dispatcher and
``TelegramSender`` (python-telegram-bot) against the fake Bot API server in limit-enforcing
mode (it answers 429 past 30 messages/s overall or 1/s per chat, like Telegram).

Figures: the achieved rate as a fraction of Telegram's 30 messages/s (target >= 0.95) and the
number of 429 answers (target 0). The baseline, measured in the same run, is the same
pipeline with the limiter opened up against a fake server that enforces nothing: what the
bot could push if Telegram let it, which shows that the limit, not the bot, sets the pace.

The default is 1,500 reminders (about 52 s); the morning of a big city is
``--count 5000`` (about 172 s). PTB's own AIORateLimiter is off here: the dispatcher paces.

    .venv/bin/python bench/bench_reminder_fanout.py [--count 1500] [--baseline 600]
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import check
from sqlalchemy import insert
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.channels.telegram.sender import TelegramSender
from bot.context import AppContext
from bot.db import Database
from bot.messages import Button, Reply
from bot.models import OutboxMessage
from config import Settings
from scheduler.dispatcher import OutboxDispatcher
from scheduler.ratelimit import ChannelRates, RateLimiter
from tests.fakes.telegram_api import FakeTelegramServer

BENCH = "reminder_fanout"
TELEGRAM_CAP = 30.0


async def queue(ctx: AppContext, count: int) -> None:
    now = ctx.now()
    reply = Reply(
        "NHẮC VIỆC ngày 15/12/2025: Xã Đông Hải\n\nĐẾN HẠN HÔM NAY (1):\n"
        "1. NQ-01 Triển khai Nghị quyết 45/NQ-HĐND\n   hạn 15/12/2025, tiến độ 60%",
        buttons=[[Button("Báo cáo NQ-01", "rp:NQ-01")]],
    )
    payload = {"replies": [reply.to_dict()]}
    async with ctx.db.session() as session:
        await session.execute(
            insert(OutboxMessage),
            [
                {
                    "dedupe_key": f"reminder:telegram:{100_000 + n}:2025-12-15",
                    "channel": "telegram",
                    "chat_id": str(100_000 + n),
                    "is_group": False,
                    "kind": "reminder",
                    "priority": 30,
                    "payload": payload,
                    "not_before": now,
                    "expires_at": now + dt.timedelta(hours=10),
                    "status": "pending",
                    "created_at": now,
                }
                for n in range(count)
            ],
        )


async def fan_out(count: int, *, enforce: bool) -> tuple[float, float, int]:
    """(steady rate between first and last send, wall seconds, 429 answers)."""
    folder = Path(tempfile.mkdtemp(prefix="dondoc-fanout-"))
    url = f"sqlite+aiosqlite:///{folder}/fanout.db"
    ctx = AppContext(Settings(database_url=url, telegram_rate_limiter=False), Database(url))
    await ctx.db.create_all()
    await queue(ctx, count)
    limiter = None if enforce else RateLimiter({"telegram": ChannelRates(1e6, 1e6, 1e6)})
    async with FakeTelegramServer(enforce_limits=enforce) as server:
        bot = ExtBot(
            server.token,
            base_url=f"{server.url}/bot",
            request=HTTPXRequest(connection_pool_size=64, pool_timeout=30.0),
        )
        async with bot:
            dispatcher = OutboxDispatcher(
                ctx, {"telegram": TelegramSender(bot)}, limiter=limiter, concurrency=64
            )
            started = time.perf_counter()
            stats = await dispatcher.drain()
            wall = time.perf_counter() - started
        sends = sorted(call.time for call in server.calls if call.method.lower() == "sendmessage")
        rate_limited = server.stats.rate_limited
    await ctx.db.dispose()
    if stats.sent != count:
        raise SystemExit(f"only {stats.sent} of {count} reminders were sent: {stats}")
    steady = (len(sends) - 1) / (sends[-1] - sends[0]) if len(sends) > 1 else 0.0
    return steady, wall, rate_limited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1500, help="reminders (5000: a big city)")
    parser.add_argument("--baseline", type=int, default=600, help="reminders, unthrottled run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    base_rate, base_wall, _ = asyncio.run(fan_out(args.baseline, enforce=False))
    print(
        f"baseline (no limits, same pipeline): {args.baseline} reminders in {base_wall:.1f} s, "
        f"{base_rate:.0f} msg/s = {base_rate / TELEGRAM_CAP:.1f}x Telegram's cap"
    )
    rate, wall, rate_limited = asyncio.run(fan_out(args.count, enforce=True))
    print(
        f"fan-out with Telegram's limits enforced: {args.count} reminders to {args.count} "
        f"chats in {wall:.1f} s"
    )
    print(f"  steady rate {rate:.2f} msg/s = {rate / TELEGRAM_CAP:.3f} of 30/s")
    print(
        f"  end to end  {args.count / wall:.2f} msg/s = {args.count / wall / TELEGRAM_CAP:.3f} "
        "of 30/s (claims and commits included)"
    )
    check(BENCH, "fan-out rate / Telegram's 30 msg/s", rate / TELEGRAM_CAP, 0.95)
    check(BENCH, "fan-out 429 answers", rate_limited, 1, at_least=False)
    if args.count < 5000:
        print("  (the morning of 5,000 chats: --count 5000, about 172 s)")


if __name__ == "__main__":
    main()

"""Onboarding a city: ``dondoc invite --all`` for 2,000 officials without a linked chat.

Times the two parts separately against a fresh SQLite file (or PostgreSQL with
``--database-url postgresql+asyncpg://...``, a scratch database you can drop): issuing the
codes (one transaction, batched INSERTs of invites and audit rows) and writing the sheet
(one row, deep link and QR image per official). CPU seconds are printed too: on a shared
machine they say more than the wall clock.

    .venv/bin/python bench/bench_invite_sheet.py [--officials 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.invite_sheet import build_invite_workbook
from bot.models import Official, Unit
from bot.services.invites import create_invites_for_unlinked
from config import Settings

UNITS = 50
NOW = dt.datetime(2025, 12, 8, 2, 0, tzinfo=dt.UTC)


async def seed(ctx: AppContext, officials: int) -> None:
    async with ctx.db.session() as session:
        units = [Unit(code=f"DV-{n:02d}", name=f"Đơn vị {n}", created_at=NOW) for n in range(UNITS)]
        session.add_all(units)
        await session.flush()
        session.add_all(
            Official(
                code=f"CB-{n:05d}",
                full_name=f"Cán bộ số {n}",
                title="Chuyên viên",
                unit_id=units[n % UNITS].id,
                created_at=NOW,
            )
            for n in range(officials)
        )


async def main(officials: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite+aiosqlite:///{folder}/bench.db"
        db = Database(url)
        await db.create_all()
        ctx = AppContext(Settings(database_url=url), db, FrozenClock(NOW))
        try:
            await seed(ctx, officials)
            started, cpu = time.perf_counter(), time.process_time()
            async with ctx.db.session() as session:
                issued = await create_invites_for_unlinked(session, ctx)
            issuing = time.perf_counter() - started
            started, cpu_sheet = time.perf_counter(), time.process_time()
            data = build_invite_workbook(ctx, issued, "dondoc_bench_bot")
            sheet = time.perf_counter() - started
            cpu, cpu_sheet = cpu_sheet - cpu, time.process_time() - cpu_sheet
        finally:
            await db.dispose()
    print(
        f"{len(issued)} invites issued in {issuing:.2f} s (CPU {cpu:.2f} s); sheet with links "
        f"and QR codes written in {sheet:.2f} s (CPU {cpu_sheet:.2f} s, {len(data) / 1024:.0f} KiB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officials", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.officials, args.database_url))

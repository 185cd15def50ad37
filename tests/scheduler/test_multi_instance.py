"""Several instances: exactly-once on PostgreSQL, a clear refusal on SQLite."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import sys
from collections import Counter
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.app import Runtime, scheduler_component
from bot.channel_traits import TELEGRAM
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.lifecycle import StartupError
from bot.messages import Reply
from bot.models import (
    Channel,
    ChannelIdentity,
    Official,
    OutboxMessage,
    OutboxStatus,
    Task,
    Unit,
)
from bot.sending import SendResult
from config import Settings
from scheduler import planner
from scheduler.dispatcher import OutboxDispatcher
from scheduler.locks import InstanceLock, InstanceLockError
from tests.scheduler.fakes import virtual_limiter

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
REMINDERS = 500


class SharedServer:
    """What the channel received, from every instance (it yields like a network call)."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    def sender(self) -> SlowSender:
        return SlowSender(self)


class SlowSender:
    traits = TELEGRAM

    def __init__(self, server: SharedServer) -> None:
        self.server = server

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult:
        await asyncio.sleep(0)
        self.server.received[chat_id] += len(replies)
        return SendResult(message_id=chat_id)


async def _communes(ctx: AppContext, count: int) -> None:
    """``count`` units, each with one registered official and one task due on 15/12/2025."""
    now = ctx.now()
    async with ctx.db.session() as session:
        units = [Unit(code=f"XA-{n:03d}", name=f"Xã số {n}", created_at=now) for n in range(count)]
        session.add_all(units)
        await session.flush()
        officials = [
            Official(code=f"CB-{n:03d}", full_name=f"Cán bộ {n}", unit_id=unit.id, created_at=now)
            for n, unit in enumerate(units)
        ]
        session.add_all(officials)
        await session.flush()
        for n, (unit, official) in enumerate(zip(units, officials, strict=True)):
            chat = str(10_000 + n)
            session.add(
                ChannelIdentity(
                    official_id=official.id,
                    channel=Channel.TELEGRAM,
                    external_user_id=chat,
                    chat_id=chat,
                    created_at=now,
                )
            )
            session.add(
                Task(
                    code=f"NV-{n:03d}",
                    title=f"Nhiệm vụ {n}",
                    lead_unit_id=unit.id,
                    deadline=dt.date(2025, 12, 15),
                    created_at=now,
                    updated_at=now,
                )
            )


@pytest.mark.postgres
async def test_two_instances_on_postgresql_send_every_reminder_exactly_once(
    postgres_url: str, clock: FrozenClock
) -> None:
    settings = Settings(database_url=postgres_url)
    first = AppContext(settings=settings, db=Database(postgres_url), clock=clock)
    second = AppContext(settings=settings, db=Database(postgres_url), clock=clock)
    try:
        from tests.conftest import _truncate_pg

        await _truncate_pg(first.db)
        clock.set(dt.datetime(2025, 12, 15, 7, 0, tzinfo=HCM))
        await _communes(first, REMINDERS)
        clock.set(dt.datetime(2025, 12, 15, 8, 0, tzinfo=HCM))

        ticks = await asyncio.gather(planner.run_tick(first), planner.run_tick(second))
        server = SharedServer()
        dispatchers = [
            OutboxDispatcher(
                ctx, {"telegram": server.sender()}, limiter=virtual_limiter(), batch_size=40
            )
            for ctx in (first, second)
        ]
        stats = await asyncio.gather(*(d.drain() for d in dispatchers))

        assert sum(tick.queued for tick in ticks) == REMINDERS
        assert len(server.received) == REMINDERS
        assert set(server.received.values()) == {1}
        assert all(s.sent > 0 for s in stats), "both instances took part"
        assert sum(s.sent for s in stats) == REMINDERS
        async with first.db.session() as session:
            statuses = await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            assert dict(statuses.all()) == {OutboxStatus.SENT: REMINDERS}
    finally:
        await first.db.dispose()
        await second.db.dispose()


async def test_a_second_scheduler_on_the_same_sqlite_file_refuses_to_start(
    sqlite_url: str, clock: FrozenClock
) -> None:
    settings = Settings(database_url=sqlite_url)
    contexts = [AppContext(settings=settings, db=Database(sqlite_url), clock=clock) for _ in "ab"]
    await contexts[0].db.create_all()
    first, second = (scheduler_component(Runtime(ctx)) for ctx in contexts)
    await first.start()
    try:
        with pytest.raises(StartupError, match="Another Dondoc instance is already running"):
            await second.start()
    finally:
        await first.stop()
        for ctx in contexts:
            await ctx.db.dispose()
    await second.start()  # once the first has stopped, the lock is free
    await second.stop()


def _try_lock(path: str) -> int:
    try:
        InstanceLock(path).acquire()
    except InstanceLockError:
        return 3
    return 0


def _child(path: str) -> None:
    sys.exit(_try_lock(path))


def test_the_instance_lock_holds_across_processes(tmp_path: object) -> None:
    path = f"{tmp_path}/dondoc.db.lock"
    fork = multiprocessing.get_context("fork")
    lock = InstanceLock(path)
    lock.acquire()
    try:
        refused = fork.Process(target=_child, args=(path,))
        refused.start()
        refused.join(10)
    finally:
        lock.release()
    allowed = fork.Process(target=_child, args=(path,))
    allowed.start()
    allowed.join(10)

    assert refused.exitcode == 3
    assert allowed.exitcode == 0

"""The scheduler component: APScheduler wiring, and the running loop end to end."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from bot.app import Runtime, scheduler_component
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Reply
from bot.models import OutboxMessage, OutboxStatus
from bot.services.outbox import Recipient, enqueue
from tests.scheduler.builders import World
from tests.scheduler.fakes import RecordingSender

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_jobs_are_registered_with_their_triggers_in_vietnam_time(ctx: AppContext) -> None:
    component = scheduler_component(Runtime(ctx))

    jobs = {job.id: job for job in component.scheduler.get_jobs()}

    assert set(jobs) == {"planner", "digest.daily", "digest.weekly", "retention", "snapshot.daily"}
    planner = jobs["planner"].trigger
    assert isinstance(planner, IntervalTrigger) and planner.interval == dt.timedelta(seconds=60)
    snapshot = jobs["snapshot.daily"].trigger
    assert isinstance(snapshot, IntervalTrigger)
    assert snapshot.interval == dt.timedelta(minutes=30)
    daily, weekly = jobs["digest.daily"].trigger, jobs["digest.weekly"].trigger
    assert isinstance(daily, CronTrigger) and isinstance(weekly, CronTrigger)
    assert str(daily.timezone) == str(weekly.timezone) == "Asia/Ho_Chi_Minh"
    fields = {field.name: str(field) for field in daily.fields}
    assert (fields["hour"], fields["minute"], fields["day_of_week"]) == ("7", "30", "*")
    weekly_fields = {field.name: str(field) for field in weekly.fields}
    assert (weekly_fields["day_of_week"], weekly_fields["hour"]) == ("mon", "7")
    prune = jobs["retention"].trigger
    assert isinstance(prune, CronTrigger) and str(prune.timezone) == "Asia/Ho_Chi_Minh"
    prune_fields = {field.name: str(field) for field in prune.fields}
    assert (prune_fields["hour"], prune_fields["minute"], prune_fields["day_of_week"]) == (
        "3",
        "0",
        "*",
    )
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


async def test_started_component_plans_and_sends_without_waiting_for_a_tick(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        unit = await world.unit("SO-TC", "Sở Tài chính")
        await world.official("TC-CV", unit, chat_id="42")
        await world.task("NV-01", unit, dt.date(2025, 12, 9))
    clock.set(dt.datetime(2025, 12, 8, 8, 0, 5, tzinfo=HCM))
    runtime = Runtime(ctx)
    sender = RecordingSender()
    runtime.senders["telegram"] = sender
    component = scheduler_component(runtime)

    await component.start()
    try:
        for _ in range(200):
            if sender.sent:
                break
            await asyncio.sleep(0.01)
    finally:
        await component.stop()

    assert [item.chat_id for item in sender.sent] == ["42"]
    assert sender.sent[0].reply.text.startswith("NHẮC VIỆC ngày 08/12/2025: Sở Tài chính")


async def test_planner_ticks_and_digest_rounds_are_timed_for_metrics(ctx: AppContext) -> None:
    component = scheduler_component(Runtime(ctx))
    metrics = ctx.metrics

    await component.plan()
    await component.weekly_digest()

    def count(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(f"{name}_count", labels)

    assert count("dondoc_planner_tick_seconds") == 1
    assert count("dondoc_digest_seconds", kind="daily") == 1  # the tick's catch-up round
    assert count("dondoc_digest_seconds", kind="weekly") == 1


class GatedSender(RecordingSender):
    """Holds every send until the test opens the gate; says when a send has begun."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = asyncio.Event()
        self.gate = asyncio.Event()

    async def send(self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False) -> Any:
        self.sending.set()
        await self.gate.wait()
        return await super().send(chat_id, replies, is_group=is_group)


async def test_a_stop_lets_the_message_being_sent_finish_and_records_it(
    ctx: AppContext, clock: FrozenClock
) -> None:
    clock.set(dt.datetime(2025, 12, 8, 9, 0, tzinfo=HCM))
    runtime = Runtime(ctx)
    sender = GatedSender()
    runtime.senders["telegram"] = sender
    component = scheduler_component(runtime)
    await component.start()
    async with ctx.db.session() as session:
        await enqueue(
            session,
            ctx,
            Recipient("telegram", "42"),
            [Reply("Nhắc việc")],
            kind="reminder",
            dedupe_key="stop-test",
        )
    ctx.outbox_ready.set()
    async with asyncio.timeout(10):
        await sender.sending.wait()

    stopping = asyncio.create_task(component.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # waits for the send in hand instead of cutting it off
    sender.gate.set()
    async with asyncio.timeout(10):
        await stopping

    assert [item.chat_id for item in sender.sent] == ["42"]
    async with ctx.db.session() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row is not None and row.status is OutboxStatus.SENT

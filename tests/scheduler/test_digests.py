"""Daily and weekly digests: who gets what, when, the trend, and never twice."""

from __future__ import annotations

import datetime as dt
import struct
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.messages import Reply
from bot.models import DigestLog, JobRun, OutboxMessage, OutboxStatus, Role
from bot.services.outbox import Recipient, enqueue
from config import Settings
from scheduler import digests
from scheduler.dispatcher import OutboxDispatcher
from scheduler.snapshots import run_snapshot
from tests.scheduler.builders import World
from tests.scheduler.fakes import RecordingSender, virtual_limiter

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date
TUESDAY = D(2025, 12, 9)
NEXT_MONDAY = D(2025, 12, 15)


def at(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HCM)


async def _city(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        building = await world.unit("SO-XD", "Sở Xây dựng")
        await world.official("LD-CT", None, Role.LEADER, chat_id="1")
        await world.official("VP-QT", None, Role.ADMIN, chat_id="2", language="en")
        await world.official("TC-TP", finance, Role.HEAD, chat_id="3")
        await world.official("TC-CV", finance, chat_id="4")
        await world.official("XD-TP", building, Role.HEAD, chat_id="5")
        await world.task("NV-01", finance, D(2025, 12, 5), title="Quyết toán ngân sách 2025")
        await world.task("NV-02", finance, D(2025, 12, 10), title="Kế hoạch đầu tư công 2026")
        await world.task("NV-03", building, D(2025, 12, 31), title="Điều chỉnh quy hoạch chung")


async def _texts(ctx: AppContext) -> dict[str, str]:
    async with ctx.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "digest").order_by(OutboxMessage.id)
        )
        return {row.chat_id: Reply.from_dict(row.payload["replies"][0]).text for row in rows}


async def test_daily_digest_goes_to_leaders_admins_and_heads(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _city(ctx)
    clock.set(at(TUESDAY, 7, 30))

    result = await digests.run_daily(ctx)

    assert result is not None and result.period == "2025-12-09" and result.queued == 4
    texts = await _texts(ctx)
    assert set(texts) == {"1", "2", "3", "5"}  # staff get no digest
    assert texts["1"].startswith(
        "TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ\nToàn thành phố, ngày 09/12/2025"
    )
    assert "GỬI NHẮC VIỆC:" in texts["1"]
    assert texts["2"].startswith("TASK STATUS DIGEST\nCity-wide, 09/12/2025")
    assert texts["3"].startswith(
        "TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ\nSở Tài chính, ngày 09/12/2025"
    )
    assert "NV-01" in texts["3"] and "NV-03" not in texts["3"]
    assert "GỬI NHẮC VIỆC" not in texts["3"]


async def test_no_digest_before_its_time_or_on_days_off(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _city(ctx)
    for moment in (at(TUESDAY, 7, 29), at(D(2025, 12, 13), 7, 30), at(D(2026, 1, 1), 9)):
        clock.set(moment)
        assert await digests.run_daily(ctx) is None
    assert await _texts(ctx) == {}


async def test_restart_at_0731_sends_nothing_twice(
    ctx: AppContext, clock: FrozenClock, settings: Settings
) -> None:
    await _city(ctx)
    clock.set(at(TUESDAY, 7, 30))
    await digests.run_daily(ctx)

    restarted = AppContext(settings=settings, db=Database(settings.database_url), clock=clock)
    try:
        clock.set(at(TUESDAY, 7, 31))
        again = await digests.run_daily(restarted)
        async with restarted.db.session() as session:  # even if the round never finished
            await session.execute(delete(JobRun))
        after_crash = await digests.run_daily(restarted)
    finally:
        await restarted.db.dispose()

    assert again is not None and again.queued == 0 and again.recipients == 0
    assert after_crash is not None and after_crash.queued == 0 and after_crash.already_sent == 4
    async with ctx.db.session() as session:
        logs = list(await session.scalars(select(DigestLog)))
        rows = list(await session.scalars(select(OutboxMessage)))
    assert len(logs) == 4 and len(rows) == 4


async def test_the_next_digest_shows_the_change(ctx: AppContext, clock: FrozenClock) -> None:
    await _city(ctx)
    clock.set(at(TUESDAY, 7, 30))
    await digests.run_daily(ctx)
    clock.set(at(D(2025, 12, 11), 7, 30))  # NV-02 (due 10/12) is now overdue too
    async with ctx.db.session() as session:
        await session.execute(delete(OutboxMessage))

    await digests.run_daily(ctx)

    leader = (await _texts(ctx))["1"]
    assert "(so với lần trước trong ngoặc)" in leader
    assert "- Quá hạn: 2 (+1) (66,7% tổng số; 66,7% số có thời hạn)" in leader
    assert "- Đang thực hiện trong hạn: 1 (-1) (33,3% tổng số; 33,3% số có thời hạn)" in leader


async def test_weekly_digest_on_monday_with_trend_chart_and_excel(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _city(ctx)
    clock.set(at(D(2025, 12, 8), 7, 30))  # Monday: last week's weekly digest
    first = await digests.run_daily(ctx)
    clock.set(at(NEXT_MONDAY, 7, 30))

    result = await digests.run_daily(ctx)

    assert first is not None and first.period == "2025-W50" and first.weekly
    assert result is not None and result.period == "2025-W51" and result.weekly
    async with ctx.db.session() as session:
        row = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == "1", OutboxMessage.window_day == NEXT_MONDAY
            )
        )
    assert row is not None
    replies = [Reply.from_dict(item) for item in row.payload["replies"]]
    assert replies[0].text.startswith("TỔNG HỢP TUẦN: TÌNH HÌNH THỰC HIỆN NHIỆM VỤ")
    assert "(so với tuần trước trong ngoặc)" in replies[0].text
    assert "- Quá hạn: 2 (+1)" in replies[0].text
    assert replies[1].photo is not None and replies[1].photo.content is not None
    assert replies[1].photo.content.startswith(b"\x89PNG")
    assert replies[2].document is not None and replies[2].document.content is not None
    assert replies[2].document.name.endswith(".xlsx")
    assert replies[2].document.content.startswith(b"PK")
    head = (await _texts(ctx))["3"]
    assert head.startswith("TỔNG HỢP TUẦN")


async def test_weekly_chart_adds_the_trend_against_last_weeks_snapshot(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _city(ctx)
    clock.set(at(D(2025, 12, 8), 7, 30))
    await digests.run_daily(ctx)  # no snapshot yet: the chart has no trend panel
    clock.set(at(D(2025, 12, 8), 9, 0))
    await run_snapshot(ctx)
    clock.set(at(NEXT_MONDAY, 7, 30))
    await digests.run_daily(ctx)

    async with ctx.db.session() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == "1")
                .order_by(OutboxMessage.window_day)
            )
        )
    charts = [Reply.from_dict(row.payload["replies"][1]).photo for row in rows]
    heights = [
        struct.unpack(">I", chart.content[20:24])[0]
        for chart in charts
        if chart is not None and chart.content is not None
    ]
    assert len(heights) == 2 and heights[1] > heights[0]


async def test_weekly_digest_moves_to_tuesday_when_monday_is_a_holiday(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _city(ctx)
    clock.set(at(D(2026, 4, 27), 7, 30))  # Monday after the Hùng Kings' day: off
    assert await digests.run_daily(ctx) is None
    clock.set(at(D(2026, 4, 28), 7, 30))

    result = await digests.run_daily(ctx)

    assert result is not None and result.weekly and result.period == "2026-W18"


async def test_delivery_figures_count_skipped_and_failed_reminders(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _city(ctx)
    monday = D(2025, 12, 8)
    async with ctx.db.session() as session:
        for chat, status in (("11", "sent"), ("12", "skipped"), ("13", "failed"), ("14", "sent")):
            await enqueue(
                session,
                ctx,
                Recipient("telegram", chat),
                [Reply("x")],
                kind="reminder",
                dedupe_key=f"reminder:telegram:{chat}:{monday}",
                window_day=monday,
                late=chat == "14",
            )
            row = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == chat))
            assert row is not None
            row.status = OutboxStatus(status)
    clock.set(at(TUESDAY, 7, 30))

    await digests.run_daily(ctx)

    leader = (await _texts(ctx))["1"]
    assert "GỬI NHẮC VIỆC:\nđã gửi 2 (muộn 1), lỗi 1, bỏ qua khi bot ngừng chạy 1" in leader


async def test_digest_with_chart_is_delivered_whole(ctx: AppContext, clock: FrozenClock) -> None:
    await _city(ctx)
    clock.set(at(D(2025, 12, 8), 7, 30))
    await digests.run_daily(ctx)
    sender = RecordingSender()

    await OutboxDispatcher(ctx, {"telegram": sender}, limiter=virtual_limiter()).drain()

    to_leader = sender.to("1")
    assert [bool(r.photo) for r in to_leader] == [False, True, False]
    assert to_leader[2].document is not None

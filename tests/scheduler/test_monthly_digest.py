"""The monthly results digest: first working day of the month, to leaders and admins, with the
scorecard on both bases, the rankings and the report attached; sent once per month."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from docx import Document as DocxDocument
from sqlalchemy import delete, select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Reply
from bot.models import JobRun, OutboxMessage, Role, UnitKind
from scheduler.monthly_digest import is_monthly_day, run_monthly
from tests.scheduler.builders import World

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date
# 01/01 is a holiday and Friday 02/01/2026 a day off: the month's first working day is 05/01.
FIRST_WORKING_DAY = D(2026, 1, 5)


def at(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HCM)


async def _city(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        building = await world.unit("SO-XD", "Sở Xây dựng")
        lechan = await world.unit("P-LECHAN", "Phường Lê Chân")
        finance.kind = building.kind = UnitKind.DEPARTMENT
        lechan.kind = UnitKind.COMMUNE
        await world.official("LD-CT", None, Role.LEADER, chat_id="1")
        await world.official("VP-QT", None, Role.ADMIN, chat_id="2", language="en")
        await world.official("TC-TP", finance, Role.HEAD, chat_id="3")
        await world.task("NV-01", finance, D(2025, 12, 5), completed_on=D(2025, 12, 4))
        await world.task("NV-02", finance, D(2025, 12, 10))
        await world.task("NV-03", building, D(2025, 12, 15), completed_on=D(2025, 12, 12))
        await world.task("NV-04", lechan, D(2025, 12, 31), completed_on=D(2025, 12, 30))
        await world.task("NV-05", lechan, None, completed_on=D(2025, 12, 20))


async def _digests(ctx: AppContext) -> dict[str, list[Reply]]:
    async with ctx.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "digest").order_by(OutboxMessage.id)
        )
        return {
            row.chat_id: [Reply.from_dict(item) for item in row.payload["replies"]] for row in rows
        }


def test_the_monthly_day_is_the_first_working_day_of_the_month(ctx: AppContext) -> None:
    assert is_monthly_day(ctx.calendar, FIRST_WORKING_DAY)
    assert not is_monthly_day(ctx.calendar, D(2026, 1, 2))
    assert not is_monthly_day(ctx.calendar, D(2026, 1, 6))
    assert is_monthly_day(ctx.calendar, D(2025, 12, 1))


async def test_leaders_get_last_months_results_ranking_and_report_once(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _city(ctx)
    clock.set(at(FIRST_WORKING_DAY, 7, 0))
    assert await run_monthly(ctx) is None  # before the digest time
    clock.set(at(FIRST_WORKING_DAY, 7, 30))

    result = await run_monthly(ctx)

    assert result is not None and result.period == "2025-12" and result.queued == 2
    sent = await _digests(ctx)
    assert set(sent) == {"1", "2"}  # leaders and admins, not unit heads
    text = sent["1"][0].text
    lines = text.splitlines()
    assert lines[0] == "KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 12 NĂM 2025"
    assert lines[1] == "(tính đến ngày 31/12/2025)"
    assert "Nhiệm vụ tính trong kỳ: 5 (có thời hạn: 4)" in lines
    assert "- Hoàn thành đúng hạn: 4 (80% tổng số; 75% số có thời hạn)" in lines
    assert "  trong đó hoàn thành (nhiệm vụ không có thời hạn): 1" in lines
    assert "- Quá hạn: 1 (20% tổng số; 25% số có thời hạn)" in lines
    departments = lines.index("XẾP HẠNG CÁC SỞ, BAN, NGÀNH:")
    assert lines[departments + 1 : departments + 3] == [
        "1. Sở Xây dựng: 100 điểm, xuất sắc",
        "2. Sở Tài chính: 50 điểm, hoàn thành",
    ]
    assert "1. Phường Lê Chân: 100 điểm, xuất sắc" in lines
    assert "vượt giới hạn 20% (0 đơn vị)" in text
    assert sent["2"][0].text.startswith("TASK RESULTS, 2025-12\n(as of 31/12/2025)")

    report = sent["1"][1].document
    assert report is not None and report.name == "bao-cao-ket-qua-2025-12.docx"
    assert report.content is not None
    paragraphs = [p.text for p in DocxDocument(io.BytesIO(report.content)).paragraphs]
    assert "Kết quả thực hiện nhiệm vụ tháng 12 năm 2025" in paragraphs

    again = await run_monthly(ctx)
    assert again is not None and again.queued == 0
    async with ctx.db.session() as session:
        await session.execute(delete(JobRun))
    after_crash = await run_monthly(ctx)
    assert after_crash is not None and after_crash.queued == 0 and after_crash.already_sent == 2
    clock.set(at(D(2026, 1, 6), 7, 30))
    assert await run_monthly(ctx) is None

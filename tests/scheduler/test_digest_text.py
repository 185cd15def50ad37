"""The digest text, rendered from a Summary built over real database rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.demo import load_demo
from bot.digest import MAX_DIGEST_CHARS, counts_for_log, render_digest
from bot.messages import split_text
from bot.models import ExplanationRequest, ExtensionRequest, Role, Task
from bot.services.summary import build_summary
from tests.conftest import HCM
from tests.scheduler.builders import World

D = dt.date


async def _city(ctx: AppContext) -> None:
    """Monday 08/12/2025: two units, six tasks in every category, one pending extension."""
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        building = await world.unit("SO-XD", "Sở Xây dựng")
        staff = await world.official("CV-01", finance, name="Nguyễn Văn An")
        staff.title = "Chuyên viên Phòng Ngân sách"
        late = await world.task("NV-01", finance, D(2025, 12, 4), title="Báo cáo quyết toán")
        await world.task("NV-02", finance, D(2025, 12, 5), completed_on=D(2025, 12, 3))
        await world.task("NV-03", finance, D(2025, 12, 10), progress=40, title="Kế hoạch 2026")
        await world.task("NV-04", finance, None)
        await world.task("NV-05", building, D(2025, 11, 20), title="Quy hoạch chung thành phố")
        await world.task("NV-06", building, D(2025, 11, 28), completed_on=D(2025, 12, 2))
        session.add(
            ExtensionRequest(
                task_id=late.id,
                requested_by_id=staff.id,
                old_deadline=late.deadline,
                new_deadline=D(2025, 12, 20),
                reason="Chờ số liệu",
                requested_at=ctx.now() - dt.timedelta(days=1),
            )
        )


async def test_city_digest_in_vietnamese_shows_counts_shares_and_changes(ctx: AppContext) -> None:
    await _city(ctx)
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)
    previous = {"done_on_time": 1, "done_late": 1, "in_progress": 3, "overdue": 0, "total": 5}

    text = render_digest(summary, "vi", scope_name="Toàn thành phố", previous=previous)

    lines = text.splitlines()
    assert lines[0] == "TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"
    assert lines[1] == "Toàn thành phố, ngày 08/12/2025"
    assert "Tổng số nhiệm vụ: 6 (+1) (có thời hạn: 5; không thời hạn: 1)" in lines
    assert "- Hoàn thành đúng hạn: 1 (+0) (16,7% tổng số; 20,0% số có thời hạn)" in lines
    assert "  trong đó hoàn thành (nhiệm vụ không có thời hạn): 0" in lines
    assert "- Hoàn thành quá hạn: 1 (+0) (16,7% tổng số; 20,0% số có thời hạn)" in lines
    assert "- Đang thực hiện trong hạn: 2 (-1) (33,3% tổng số; 20,0% số có thời hạn)" in lines
    assert "- Quá hạn: 2 (+2) (33,3% tổng số; 40,0% số có thời hạn)" in lines


async def test_city_digest_lists_units_and_tasks_worst_first(ctx: AppContext) -> None:
    await _city(ctx)
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)

    text = render_digest(summary, "vi", scope_name="Toàn thành phố")

    lines = text.splitlines()
    assert "(so với lần trước trong ngoặc)" not in text
    table = lines.index(
        "THEO ĐƠN VỊ (hoàn thành đúng hạn / hoàn thành quá hạn / đang thực hiện trong hạn"
        " / quá hạn):"
    )
    assert lines[table + 1 : table + 3] == [
        "- Sở Tài chính: 1 / 0 / 2 / 1",
        "- Sở Xây dựng: 0 / 1 / 0 / 1",
    ]
    escalated = lines.index("NHIỆM VỤ CẦN LÃNH ĐẠO CHỈ ĐẠO (quá hạn từ 5 ngày làm việc):")
    assert lines[escalated + 1] == (
        "- NV-05 Quy hoạch chung thành phố (Sở Xây dựng): hạn 20/11/2025, quá hạn 18 ngày, 0%"
    )
    assert lines[escalated + 2] == ""
    # The escalated task is not listed again among the other overdue tasks.
    overdue = lines.index("NHIỆM VỤ QUÁ HẠN LÂU NHẤT:")
    assert lines[overdue + 1].startswith(
        "- NV-01 Báo cáo quyết toán (Sở Tài chính): hạn 04/12/2025"
    )
    assert lines[overdue + 2] == ""
    assert sum(line.startswith("- NV-05 ") for line in lines) == 1
    week = lines.index("ĐẾN HẠN TRONG TUẦN:")
    assert lines[week + 1] == (
        "- NV-03 Kế hoạch 2026 (Sở Tài chính): hạn 10/12/2025, còn 2 ngày làm việc, 40%"
    )
    pending = lines.index("ĐỀ NGHỊ GIA HẠN CHỜ QUYẾT ĐỊNH:")
    assert lines[pending + 1] == (
        "- NV-01 Báo cáo quyết toán: 04/12/2025 → 20/12/2025, Chuyên viên Phòng Ngân sách"
        " Nguyễn Văn An đề nghị ngày 07/12/2025"
    )
    silent = lines.index("ĐƠN VỊ CHƯA BÁO CÁO TỪ 7 NGÀY TRỞ LÊN:")
    assert lines[silent + 1 : silent + 3] == [
        "- Sở Tài chính: chưa có báo cáo nào",
        "- Sở Xây dựng: chưa có báo cáo nào",
    ]


async def test_english_digest_and_weekly_title(ctx: AppContext) -> None:
    await _city(ctx)
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)

    text = render_digest(
        summary, "en", scope_name="Hai Phong city", previous={"overdue": 3}, weekly=True
    )

    assert text.startswith("WEEKLY TASK STATUS DIGEST\nHai Phong city, 08/12/2025\n")
    assert "(change since last week in brackets)" in text
    assert "- Overdue: 2 (-1) (33.3% of all; 40.0% of those with a deadline)" in text
    assert "- Done on time: 1 (16.7% of all; 20.0% of those with a deadline)" in text
    assert "  of which done (tasks without a deadline): 0" in text
    assert "NV-05" in text and "18 days late" in text


async def test_unit_digest_has_no_unit_table_and_no_unit_names(ctx: AppContext) -> None:
    await _city(ctx)
    async with ctx.db.session() as session:
        world = World(session, ctx)
        health = await world.unit("SO-YT", "Sở Y tế")
        await world.task("YT-01", health, D(2025, 12, 1))
        summary = await build_summary(session, ctx, unit_id=health.id)

    text = render_digest(summary, "vi", scope_name="Sở Y tế")

    assert "THEO ĐƠN VỊ" not in text
    assert "- YT-01 Nhiệm vụ YT-01: hạn 01/12/2025, quá hạn 7 ngày, 0%" in text
    assert "NV-01" not in text


async def test_completions_and_delivery_figures(ctx: AppContext) -> None:
    await _city(ctx)
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx, since=ctx.now() - dt.timedelta(days=7))

    text = render_digest(
        summary,
        "vi",
        scope_name="Toàn thành phố",
        delivery={"sent": 40, "late": 2, "failed": 1, "skipped": 3},
    )

    lines = text.splitlines()
    done = lines.index("HOÀN THÀNH TỪ LẦN TỔNG HỢP TRƯỚC:")
    assert set(lines[done + 1 : done + 3]) == {
        "- NV-02 Nhiệm vụ NV-02 (Sở Tài chính): hạn 05/12/2025",
        "- NV-06 Nhiệm vụ NV-06 (Sở Xây dựng): hạn 28/11/2025",
    }
    assert lines[-2:] == [
        "GỬI NHẮC VIỆC:",
        "đã gửi 40 (muộn 2), lỗi 1, bỏ qua khi bot ngừng chạy 3",
    ]


async def test_empty_database_says_so(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)

    text = render_digest(summary, "vi", scope_name="Toàn thành phố")

    assert text.splitlines()[-1] == "Chưa có nhiệm vụ nào."


async def test_counts_for_log_match_the_summary(ctx: AppContext) -> None:
    await _city(ctx)
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)

    assert counts_for_log(summary) == {
        "done_on_time": 1,
        "done_late": 1,
        "in_progress": 2,
        "overdue": 2,
        "total": 6,
        "with_deadline": 5,
    }


async def test_big_digest_splits_into_chat_sized_parts(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        for number in range(40):
            unit = await world.unit(f"XA-{number:02d}", f"Ủy ban nhân dân xã số {number}")
            for index in range(3):
                await world.task(
                    f"X{number:02d}-{index}",
                    unit,
                    D(2025, 11, 1 + index),
                    title="Triển khai nghị quyết của Hội đồng nhân dân thành phố " * 3,
                )
        summary = await build_summary(session, ctx)

    text = render_digest(summary, "vi", scope_name="Toàn thành phố")

    assert len(text) <= MAX_DIGEST_CHARS
    assert max(len(line) for line in text.splitlines()) < 200
    assert "… và 30 đơn vị khác" in text  # the units table: 10 of 40
    escalated = text.splitlines().index(
        "NHIỆM VỤ CẦN LÃNH ĐẠO CHỈ ĐẠO (quá hạn từ 5 ngày làm việc):"
    )
    # At most five tasks a list, then how many more (the 120 overdue tasks are escalated).
    assert text.splitlines()[escalated + 6] == "… và 115 nhiệm vụ khác"
    parts = split_text(text, 2000)
    assert all(len(part) <= 2000 for part in parts)
    assert "\n".join(parts).replace("\n", "") == text.replace("\n", "")


async def test_digest_gives_both_bases_and_counts_done_without_deadline_apart(
    ctx: AppContext,
) -> None:
    await _city(ctx)
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-KH", "Sở Kế hoạch")
        await world.task("TX-01", finance, None, completed_on=D(2025, 12, 5))
        await world.task("TX-02", finance, None, completed_on=D(2025, 12, 6))
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)

    lines = render_digest(summary, "vi", scope_name="Toàn thành phố").splitlines()

    assert "Tổng số nhiệm vụ: 8 (có thời hạn: 5; không thời hạn: 3)" in lines
    done = lines.index("- Hoàn thành đúng hạn: 3 (37,5% tổng số; 20,0% số có thời hạn)")
    assert lines[done + 1] == "  trong đó hoàn thành (nhiệm vụ không có thời hạn): 2"
    assert "- Quá hạn: 2 (25,0% tổng số; 40,0% số có thời hạn)" in lines


async def _due_week_codes(ctx: AppContext) -> list[str]:
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)
    return [line.code for line in summary.due_this_week]


async def test_due_this_week_on_a_sunday_shows_the_coming_week(
    ctx: AppContext, clock: FrozenClock
) -> None:
    clock.set(dt.datetime(2025, 12, 7, 9, 0, tzinfo=HCM))  # a Sunday
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        await world.task("NV-01", finance, D(2025, 12, 8))  # Monday
        await world.task("NV-02", finance, D(2025, 12, 12))  # Friday
        await world.task("NV-03", finance, D(2025, 12, 14))  # next Sunday: day 7
        await world.task("NV-04", finance, D(2025, 12, 15))  # day 8

    assert await _due_week_codes(ctx) == ["NV-01", "NV-02", "NV-03"]
    async with ctx.db.session() as session:
        text = render_digest(await build_summary(session, ctx), "vi", scope_name="Sở Tài chính")
    week = text.splitlines().index("ĐẾN HẠN TRONG TUẦN:")
    assert text.splitlines()[week + 1].startswith("- NV-01 ")


async def test_due_this_week_on_a_friday_reaches_the_next_friday(
    ctx: AppContext, clock: FrozenClock
) -> None:
    clock.set(dt.datetime(2025, 12, 12, 9, 0, tzinfo=HCM))  # a Friday
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        await world.task("NV-01", finance, D(2025, 12, 11))  # yesterday: overdue
        await world.task("NV-02", finance, D(2025, 12, 12))  # today
        await world.task("NV-03", finance, D(2025, 12, 15))  # Monday
        await world.task("NV-04", finance, D(2025, 12, 19))  # next Friday
        await world.task("NV-05", finance, D(2025, 12, 20))  # next Saturday: day 8

    assert await _due_week_codes(ctx) == ["NV-02", "NV-03", "NV-04"]


async def test_demo_city_digest_fits_a_phone_and_lists_each_task_once(ctx: AppContext) -> None:
    await load_demo(ctx)
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)

    text = render_digest(summary, "vi", scope_name="Toàn thành phố", weekly=True)

    assert len(text) <= MAX_DIGEST_CHARS
    task_sections = ("NHIỆM VỤ CẦN LÃNH ĐẠO", "NHIỆM VỤ QUÁ HẠN", "ĐẾN HẠN", "HOÀN THÀNH")
    blocks = [block.splitlines() for block in text.split("\n\n")]
    codes = [
        line.split()[1]
        for block in blocks
        if block[0].startswith(task_sections)
        for line in block[1:]
        if line.startswith("- ")
    ]
    assert codes and len(codes) == len(set(codes))
    assert summary.escalated and summary.overdue_not_escalated
    escalated = {line.code for line in summary.escalated}
    assert not escalated & {line.code for line in summary.overdue_not_escalated}


async def test_unanswered_explanation_requests_are_listed_with_the_late_ones_marked(
    ctx: AppContext,
) -> None:
    await _city(ctx)
    async with ctx.db.session() as session:
        world = World(session, ctx)
        leader = await world.official("LD-01", None, Role.LEADER, name="Lê Ngọc Châu", channels=())
        tasks = {task.code: task for task in await session.scalars(select(Task))}
        for code, due, answered in (
            ("NV-01", D(2025, 12, 5), None),
            ("NV-05", D(2025, 12, 10), None),
            ("NV-06", D(2025, 12, 1), D(2025, 12, 1)),
        ):
            session.add(
                ExplanationRequest(
                    task_id=tasks[code].id,
                    unit_id=tasks[code].lead_unit_id,
                    requested_by_id=leader.id,
                    due_date=due,
                    text="Giải trình",
                    created_at=ctx.now() - dt.timedelta(days=7),
                    answered_at=ctx.now() - dt.timedelta(days=7) if answered else None,
                    answered_on=answered,
                    answer="Đã giải trình" if answered else "",
                )
            )
        await session.flush()
        city = await build_summary(session, ctx)
        building = await build_summary(session, ctx, unit_id=tasks["NV-05"].lead_unit_id)

    lines = render_digest(city, "vi", scope_name="Toàn thành phố").splitlines()
    start = lines.index("Yêu cầu giải trình chưa trả lời (2):")
    assert lines[start + 1 : start + 3] == [
        "- NV-01 Báo cáo quyết toán (Sở Tài chính): hạn giải trình 05/12/2025 — QUÁ HẠN",
        "- NV-05 Quy hoạch chung thành phố (Sở Xây dựng): hạn giải trình 10/12/2025",
    ]
    unit_text = render_digest(building, "vi", scope_name="Sở Xây dựng")
    assert "Yêu cầu giải trình chưa trả lời (1):" in unit_text and "NV-01" not in unit_text
    english = render_digest(city, "en", scope_name="City")
    assert "Explanation requests not answered (2):" in english

"""The explanation rule: the head of the unit asked to explain is reminded every working day
from the day after the request until they answer, the request marked late after its date;
nobody else in the unit hears it."""

from __future__ import annotations

import datetime as dt

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Reply
from bot.models import ExplanationRequest, Role
from scheduler import planner
from tests.scheduler.builders import World
from tests.scheduler.fakes import reminder_items
from tests.scheduler.planner.queued import at, outbox_rows

D = dt.date
ASKED_ON = D(2025, 12, 9)  # a Tuesday
DUE = D(2025, 12, 10)


async def _texts_of(ctx: AppContext, day: D) -> dict[str, Reply]:
    return {
        row.chat_id: Reply.from_dict(row.payload["replies"][0])
        for row in await outbox_rows(ctx)
        if row.window_day == day
    }


async def test_head_is_reminded_daily_until_the_answer_and_late_after_the_date(
    ctx: AppContext, clock: FrozenClock
) -> None:
    clock.set(at(ASKED_ON, 7))
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        await world.official("TC-CV", finance, chat_id="801")
        await world.official("TC-GD", finance, Role.HEAD, chat_id="802")
        leader = await world.official("LD-PCT", None, Role.LEADER, name="Lê Ngọc Châu")
        leader.title = "Phó Chủ tịch UBND thành phố"
        task = await world.task("NV-01", finance, D(2025, 12, 5), title="Quyết toán ngân sách")
        request = ExplanationRequest(
            task_id=task.id,
            unit_id=finance.id,
            requested_by_id=leader.id,
            due_date=DUE,
            text="Giải trình việc chậm quyết toán",
            created_at=at(ASKED_ON, 10),
            answer="",
        )
        session.add(request)
    seen: dict[D, dict[str, Reply]] = {}
    for day in (ASKED_ON, D(2025, 12, 10), D(2025, 12, 11)):
        clock.set(at(day, 8, 0) if day != ASKED_ON else at(day, 11, 0))
        await planner.run_tick(ctx)
        seen[day] = await _texts_of(ctx, day)

    explained = ("explanation", "NV-01")
    # the head heard it at once; reminders start the next day
    assert all(explained not in reminder_items(r.text) for r in seen[ASKED_ON].values())
    first = seen[D(2025, 12, 10)]["802"]
    assert explained in reminder_items(first.text)
    assert explained not in reminder_items(seen[D(2025, 12, 10)]["801"].text)  # staff: no
    assert (
        "Phó Chủ tịch UBND thành phố Lê Ngọc Châu yêu cầu giải trình trước ngày 10/12/2025: "
        "Giải trình việc chậm quyết toán"
    ) in first.text
    assert "Trả lời giải trình: /traloi NV-01 <nội dung giải trình>" in first.text
    assert [b.data for row in first.buttons for b in row] == [f"gt:{request.id}", "rp:NV-01"]
    late = seen[D(2025, 12, 11)]["802"].text
    assert "ĐÃ QUÁ HẠN GIẢI TRÌNH" in late

    async with ctx.db.session() as session:
        answered = await session.get_one(ExplanationRequest, request.id)
        answered.answered_at = at(D(2025, 12, 11), 15)
        answered.answered_on = D(2025, 12, 11)
        answered.answer = "Chờ số liệu"
    clock.set(at(D(2025, 12, 12), 8, 0))
    await planner.run_tick(ctx)
    friday = await _texts_of(ctx, D(2025, 12, 12))
    assert friday and all(explained not in reminder_items(r.text) for r in friday.values())


async def test_on_a_day_off_nothing_and_monday_reminds_again(
    ctx: AppContext, clock: FrozenClock
) -> None:
    clock.set(at(D(2025, 12, 12), 16))
    async with ctx.db.session() as session:
        world = World(session, ctx)
        health = await world.unit("SO-YT", "Sở Y tế")
        await world.official("YT-GD", health, Role.HEAD, chat_id="902")
        leader = await world.official("VP-01", None, Role.ADMIN, name="Phạm Thu Lan")
        task = await world.task("NV-05", health, D(2025, 12, 10))
        session.add(
            ExplanationRequest(
                task_id=task.id,
                unit_id=health.id,
                requested_by_id=leader.id,
                due_date=D(2025, 12, 16),
                text="Giải trình",
                created_at=at(D(2025, 12, 12), 16),
                answer="",
            )
        )
    clock.set(at(D(2025, 12, 13), 9))  # Saturday
    assert not (await planner.run_tick(ctx)).planned
    clock.set(at(D(2025, 12, 15), 8))
    await planner.run_tick(ctx)
    monday = await _texts_of(ctx, D(2025, 12, 15))
    assert set(monday) == {"902"}
    assert "Phạm Thu Lan yêu cầu giải trình trước ngày 16/12/2025" in monday["902"].text

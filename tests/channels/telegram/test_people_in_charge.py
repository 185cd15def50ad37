"""People in charge over the real Telegram channel: /nhiemvu lists the tasks I handle first,
and the day's reminder of a task with a cán bộ thụ lý reaches that official alone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.context import AppContext
from bot.models import Official, Task
from scheduler import planner
from tests.channels.telegram.harness import (
    HEAD,
    LEADER,
    OTHER_STAFF,
    STAFF,
    TelegramBot,
    World,
    deliver_outbox,
    say,
)
from tests.fakes.telegram_api import FakeTelegramServer


async def name_people(ctx: AppContext, world: World) -> None:
    """Lan handles NV-01 (now due in 3 working days), Tuấn NV-03 (overdue); the chairman is
    in charge of NV-01."""
    async with ctx.db.session() as session:
        leader = world.officials["CT-UBND"]
        await session.execute(
            update(Official).where(Official.id == leader.id).values(title="Chủ tịch UBND thành phố")
        )
        await session.execute(
            update(Task)
            .where(Task.code == "NV-01")
            .values(
                handler_id=world.officials["CV-SXD"].id,
                leader_in_charge_id=leader.id,
                deadline=dt.date(2025, 12, 11),
            )
        )
        await session.execute(
            update(Task).where(Task.code == "NV-03").values(handler_id=world.officials["CV-STC"].id)
        )


async def test_my_tasks_come_first_and_the_detail_names_the_people_in_charge(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    await name_people(tg_ctx, world)

    [tasks] = await say(server, STAFF, "/nhiemvu")
    lines = (tasks.text or "").splitlines()
    mine = lines.index("Đồng chí thụ lý (1):")
    assert lines[mine + 1].startswith("• NV-01 ")
    assert lines[mine + 2] == "Nhiệm vụ khác của đơn vị (1):"
    assert lines[mine + 3].startswith("• NV-02 ")

    [detail] = await say(server, HEAD, "/nhiemvu NV-01")
    assert "Cán bộ thụ lý: Nguyễn Thị Lan" in (detail.text or "")
    assert "Lãnh đạo phụ trách: Phạm Quốc Bảo, Chủ tịch UBND thành phố" in (detail.text or "")


async def test_the_reminder_of_a_handled_task_reaches_its_handler_only(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    await name_people(tg_ctx, world)

    await planner.run_tick(tg_ctx)
    sent = await deliver_outbox(tg_ctx, telegram.runtime)

    assert {row.chat_id for row in sent} == {str(STAFF), str(OTHER_STAFF)}
    lan = server.sent_messages(STAFF)[-1].text or ""
    assert "NV-01" in lan and "thụ lý: Nguyễn Thị Lan" in lan and "NV-03" not in lan
    assert "NV-03" in (server.sent_messages(OTHER_STAFF)[-1].text or "")
    assert server.sent_messages(HEAD) == [] and server.sent_messages(LEADER) == []

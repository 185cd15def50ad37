"""A leader's daily digest starts with the tasks they are in charge of; other digests name
the handler of each task they list."""

from __future__ import annotations

import datetime as dt

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import Role
from scheduler import digests
from tests.scheduler.builders import World
from tests.scheduler.test_digests import TUESDAY, _texts, at

D = dt.date


async def test_a_leader_in_charge_reads_their_tasks_first_then_the_city(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        vice = await world.official("LD-PCT", None, Role.LEADER, chat_id="1")
        await world.official("LD-CT", None, Role.LEADER, chat_id="2")
        await world.official("TC-TP", finance, Role.HEAD, chat_id="3")
        lan = await world.official("TC-LAN", finance, name="Trần Thị Lan", chat_id="4")
        await world.task("NV-01", finance, D(2025, 12, 5), leader=vice, handler=lan)
        await world.task("NV-02", finance, D(2025, 12, 31), leader=vice)
        await world.task("NV-03", finance, D(2025, 12, 1))
    clock.set(at(TUESDAY, 7, 30))

    await digests.run_daily(ctx)

    texts = await _texts(ctx)
    vice_text = texts["1"]
    section = vice_text.index("NHIỆM VỤ ĐỒNG CHÍ PHỤ TRÁCH (2):")
    assert section < vice_text.index("Tổng số nhiệm vụ: 3")
    lines = vice_text[section:].splitlines()
    assert lines[1:5] == [
        "- Hoàn thành đúng hạn: 0",
        "- Hoàn thành quá hạn: 0",
        "- Đang thực hiện trong hạn: 1",
        "- Quá hạn: 1",
    ]
    assert lines[5] == "Quá hạn:"
    assert lines[6].startswith("- NV-01 Nhiệm vụ NV-01 (Sở Tài chính): hạn 05/12/2025")
    assert lines[6].endswith("thụ lý: Trần Thị Lan")
    assert "ĐỒNG CHÍ PHỤ TRÁCH" not in texts["2"]  # in charge of nothing
    assert "ĐỒNG CHÍ PHỤ TRÁCH" not in texts["3"]
    assert "thụ lý: Trần Thị Lan" in texts["3"]

"""People in charge over the real Zalo channel: /nhiemvu lists the tasks I handle first,
and reminders of a handled task go to its cán bộ thụ lý while the unit hears the others."""

from __future__ import annotations

from sqlalchemy import update

from bot.models import Task
from scheduler import planner
from tests.channels.zalo.harness import World, ZaloBot, drain_outbox, link, say
from tests.fakes.zalo_api import FakeZaloServer


async def lan_handles_nv01(world: World) -> None:
    async with world.ctx.db.session() as session:
        await session.execute(
            update(Task).where(Task.code == "NV-01").values(handler_id=world.officials["CV-SXD"])
        )


async def test_zalo_lists_my_tasks_first(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", "lan")
    await lan_handles_nv01(world)

    [tasks] = await say(server, "lan", "/nhiemvu")

    lines = (tasks.text or "").splitlines()
    mine = lines.index("Đồng chí thụ lý (1):")
    assert lines[mine + 1].startswith("• NV-01 ")
    assert lines[mine + 2] == "Nhiệm vụ khác của đơn vị (1):"
    assert lines[mine + 3].startswith("• NV-02 ")


async def test_zalo_reminders_split_between_the_handler_and_the_unit(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", "lan")
    await link(world, server, "GD-SXD", "hung")
    await lan_handles_nv01(world)

    await planner.run_tick(world.ctx)
    stats = await drain_outbox(world.ctx, {"zalo": zalo.runtime.senders["zalo"]})

    assert stats.sent == 2
    lan = server.sent_messages(server.chat_id_for("lan"))[-1].text or ""
    hung = server.sent_messages(server.chat_id_for("hung"))[-1].text or ""
    assert "NV-01" in lan and "NV-02" in lan  # hers, and the unit's
    assert "NV-02" in hung and "NV-01" not in hung  # the head: the unit's overdue task only

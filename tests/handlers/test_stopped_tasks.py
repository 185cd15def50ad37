"""A suspended or withdrawn task in the chat: reports refused with the reason, left out of
/nhiemvu, its state shown in the task's detail."""

from __future__ import annotations

from bot.models import Official, TaskState
from bot.services.task_admin import load_task, set_state
from tests.handlers.conftest import World


async def _stop(world: World, code: str, state: TaskState, reason: str) -> None:
    async with world.ctx.db.session() as session:
        await set_state(
            session,
            world.ctx,
            actor=await session.get_one(Official, world.official_ids["VP-01"]),
            task=await load_task(session, code),
            state=state,
            reason=reason,
            via="test",
        )


async def test_a_report_on_a_suspended_task_is_refused(world: World) -> None:
    await _stop(world, "NQ-01", TaskState.SUSPENDED, "Chờ chủ trương của Thành ủy")
    await world.backend.push_message(world.hoa, "/baocao NQ-01 60 Đã trình dự thảo")
    text = world.backend.pop_text()
    assert "Nhiệm vụ NQ-01 đang tạm dừng (lý do: Chờ chủ trương của Thành ủy)" in text
    assert (await world.task("NQ-01")).progress == 40


async def test_stopped_tasks_leave_the_list_and_show_their_state(world: World) -> None:
    await _stop(world, "NV-02", TaskState.WITHDRAWN, "Không còn phù hợp")
    await world.backend.push_message(world.hoa, "/nhiemvu")
    lines = [line for line in world.backend.pop_text().splitlines() if line.startswith("•")]
    assert [line.split()[1] for line in lines] == ["NQ-01", "KH-DTC-2026"]
    await world.backend.push_message(world.hoa, "/nhiemvu NV-02")
    assert "⛔ Nhiệm vụ đã được rút. Lý do: Không còn phù hợp" in world.backend.pop_text()

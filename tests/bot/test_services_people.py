"""Who answers for a task among the leaders."""

from __future__ import annotations

from bot.context import AppContext
from bot.models import Role
from bot.services.people import leaders_for_task
from tests.bot.builders import add_official, add_task, add_unit


async def test_the_leader_in_charge_when_named_else_every_active_leader(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        unit = await add_unit(session, ctx, "SO-TC")
        chairman = await add_official(session, ctx, "CT-UBND", None, Role.LEADER)
        deputy = await add_official(session, ctx, "PCT-01", None, Role.LEADER)
        retired = await add_official(session, ctx, "PCT-02", None, Role.LEADER)
        retired.active = False
        await add_official(session, ctx, "CV-01", unit)
        task = await add_task(session, ctx, "NV-01", unit)

        assert [o.code for o in await leaders_for_task(session, task)] == ["CT-UBND", "PCT-01"]
        task.leader_in_charge_id = deputy.id
        assert await leaders_for_task(session, task) == [deputy]
        task.leader_in_charge_id = retired.id
        assert [o.id for o in await leaders_for_task(session, task)] == [chairman.id, deputy.id]

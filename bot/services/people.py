"""The people in charge of a task: the leader who oversees it (lãnh đạo phụ trách) and the
official who handles it in the lead unit (cán bộ thụ lý)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Official, Role, Task


def named(full_name: str, title: str | None) -> str:
    """A person as an office names them: ``Trần Văn Bình, Phó Chủ tịch UBND thành phố``."""
    return f"{full_name}, {title}" if title else full_name


def person_label(official: Official) -> str:
    """:func:`named` of an official: their name and job title."""
    return named(official.full_name, official.title)


async def leaders_for_task(session: AsyncSession, task: Task) -> list[Official]:
    """Who answers for ``task`` among the leaders: its leader in charge when one is named and
    still active, otherwise every active leader (the city's leadership as a whole)."""
    if task.leader_in_charge_id is not None:
        leader = await session.get(Official, task.leader_in_charge_id)
        if leader is not None and leader.active:
            return [leader]
    found = await session.scalars(
        select(Official)
        .where(Official.role == Role.LEADER, Official.active.is_(True))
        .order_by(Official.code)
    )
    return list(found)

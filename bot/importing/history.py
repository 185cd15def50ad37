"""What a re-import changes in existing rows, kept in the audit log as old → new.

A re-import may rename a unit, move an official to another unit or role, or retitle a task
and move its deadline. The rows then hold only the new values; the audit log keeps the old
ones, so nothing an office once recorded is lost.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import Official, Task, Unit, task_coordinators

Snapshot = dict[str, Any]
"""A row's tracked fields as an office reads them: codes and names rather than ids."""


@dataclass(frozen=True)
class Change:
    """The fields a re-imported row changed, each as ``[old, new]``."""

    entity: str
    entity_id: int
    code: str
    source: str
    """``file:row`` of the row that made the change."""
    fields: dict[str, list[Any]]

    def details(self) -> dict[str, Any]:
        return {"code": self.code, "source": self.source, "changes": self.fields}


def plain(value: Any) -> Any:
    """A value as the audit log stores it (JSON): enums by value, dates as ISO text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(plain(item) for item in value)
    return value


def diff(
    entity: str, entity_id: int, code: str, source: str, old: Snapshot, new: Snapshot
) -> Change | None:
    """The change from ``old`` to ``new`` over the fields ``new`` has, or None."""
    fields = {
        name: [plain(old.get(name)), plain(value)]
        for name, value in new.items()
        if plain(old.get(name)) != plain(value)
    }
    return Change(entity, entity_id, code, source, fields) if fields else None


async def unit_snapshots(session: AsyncSession, codes: Sequence[str]) -> dict[str, Snapshot]:
    parent = aliased(Unit)
    rows = await session.execute(
        select(Unit.code, Unit.name, parent.code)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .where(Unit.code.in_(codes))
    )
    return {code: {"name": name, "parent": parent_code} for code, name, parent_code in rows}


async def official_snapshots(session: AsyncSession, codes: Sequence[str]) -> dict[str, Snapshot]:
    rows = await session.execute(
        select(Official, Unit.code)
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .where(Official.code.in_(codes))
    )
    return {
        official.code: {
            "full_name": official.full_name,
            "title": official.title,
            "role": official.role,
            "phone": official.phone,
            "language": official.language,
            "unit": unit_code,
        }
        for official, unit_code in rows
    }


async def task_snapshots(session: AsyncSession, codes: Sequence[str]) -> dict[str, Snapshot]:
    coordinator = aliased(Unit)
    leader = aliased(Official)
    handler = aliased(Official)
    coordinating: dict[str, list[str]] = defaultdict(list)
    links = await session.execute(
        select(Task.code, coordinator.code)
        .join(task_coordinators, task_coordinators.c.task_id == Task.id)
        .join(coordinator, coordinator.id == task_coordinators.c.unit_id)
        .where(Task.code.in_(codes))
    )
    for task_code, unit_code in links:
        coordinating[task_code].append(unit_code)
    rows = await session.execute(
        select(
            Task.code,
            Task.title,
            Task.description,
            Task.source_document,
            Task.expected_output,
            Task.priority,
            Task.deadline,
            Task.assigned_by_name,
            Unit.code,
            leader.code,
            handler.code,
        )
        .join(Unit, Unit.id == Task.lead_unit_id)
        .outerjoin(leader, leader.id == Task.leader_in_charge_id)
        .outerjoin(handler, handler.id == Task.handler_id)
        .where(Task.code.in_(codes))
    )
    return {
        code: {
            "title": title,
            "description": description,
            "source_document": source_document,
            "expected_output": expected_output,
            "priority": priority,
            "deadline": deadline,
            "assigned_by": assigned_by,
            "lead_unit": lead_unit,
            "coordinating_units": coordinating.get(code, []),
            "leader_in_charge": leader_in_charge,
            "handler": handler_code,
        }
        for (
            code,
            title,
            description,
            source_document,
            expected_output,
            priority,
            deadline,
            assigned_by,
            lead_unit,
            leader_in_charge,
            handler_code,
        ) in rows
    }

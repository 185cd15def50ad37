"""Writing a checked import plan with bulk statements: new rows inserted, existing rows
(matched by code) updated, a task's deadline change recorded in its history, and every
field a re-import changes collected (old → new) for the audit log.

Everything runs in the caller's transaction. Existing rows are loaded in one query per chunk
of codes and written with executemany statements, never one ORM flush per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.context import AppContext
from bot.importing.headers import Kind
from bot.importing.history import (
    Change,
    Snapshot,
    diff,
    official_snapshots,
    task_snapshots,
    unit_snapshots,
)
from bot.importing.readers import ProgressCallback, Stage
from bot.importing.unit_kinds import infer_unit_kind
from bot.importing.validation import Existing, ImportPlan, Record
from bot.models import DeadlineChange, Official, Priority, Role, Task, Unit, task_coordinators

CHUNK = 1000
T = TypeVar("T")

WRITING_TASKS = Stage("progress.writing_tasks")


@dataclass
class KindCounts:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


@dataclass
class WriteCounts:
    units: KindCounts = field(default_factory=KindCounts)
    officials: KindCounts = field(default_factory=KindCounts)
    tasks: KindCounts = field(default_factory=KindCounts)
    deadline_changes: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    """Existing rows the import changed, with their old and new values."""

    def of(self, kind: Kind) -> KindCounts:
        return {Kind.UNITS: self.units, Kind.OFFICIALS: self.officials, Kind.TASKS: self.tasks}[
            kind
        ]


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def load_existing(session: AsyncSession) -> Existing:
    """Unit codes with their parent's code, and official codes with names, roles and units."""
    parent = aliased(Unit)
    units = await session.execute(
        select(Unit.code, parent.code).outerjoin(parent, parent.id == Unit.parent_id)
    )
    officials = (
        await session.execute(
            select(Official.code, Official.full_name, Official.role, Unit.code).outerjoin(
                Unit, Unit.id == Official.unit_id
            )
        )
    ).all()
    return Existing(
        unit_parents={code: parent_code for code, parent_code in units},
        official_names={code: name for code, name, _, _ in officials},
        official_places={code: (role, unit) for code, _, role, unit in officials},
    )


async def existing_task_codes(session: AsyncSession, codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(codes):
        found.update(await session.scalars(select(Task.code).where(Task.code.in_(part))))
    return found


async def _snapshots(
    session: AsyncSession,
    load: Callable[[AsyncSession, Sequence[str]], Awaitable[dict[str, Snapshot]]],
    records: Sequence[Record],
) -> dict[str, Snapshot]:
    """Tracked fields of the rows about to be updated, read before they change."""
    found: dict[str, Snapshot] = {}
    for part in chunks([r.code for r in records]):
        found.update(await load(session, part))
    return found


def _record_changes(
    counts: WriteCounts,
    entity: str,
    ids: dict[str, int],
    old: dict[str, Snapshot],
    new: Iterable[tuple[Record, Snapshot]],
) -> None:
    for record, snapshot in new:
        change = diff(
            entity,
            ids[record.code],
            record.code,
            f"{record.source}:{record.row}",
            old[record.code],
            snapshot,
        )
        if change is not None:
            counts.changes.append(change)


async def _ids(session: AsyncSession, column_code: Any, column_id: Any) -> dict[str, int]:
    return {code: ident for code, ident in await session.execute(select(column_code, column_id))}


async def _bulk_update(
    session: AsyncSession, model: type[Any], rows: Iterable[dict[str, Any]]
) -> None:
    """ORM bulk UPDATE by primary key; rows are grouped by the set of columns they set."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    for group in groups.values():
        for part in chunks(group):
            await session.execute(update(model), list(part))


async def _bulk_insert(
    session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Insert rows; returns code → new id."""
    created: dict[str, int] = {}
    for part in chunks(rows):
        result = await session.execute(insert(model).returning(model.id, model.code), list(part))
        created.update({code: ident for ident, code in result})
    return created


async def write_plan(
    session: AsyncSession,
    ctx: AppContext,
    plan: ImportPlan,
    progress: ProgressCallback | None = None,
) -> WriteCounts:
    counts = WriteCounts()
    now = ctx.now()
    unit_ids = await _write_units(session, plan.units, counts, now)
    official_ids = await _write_officials(session, plan.officials, unit_ids, counts, now)
    await _write_tasks(session, ctx, plan.tasks, unit_ids, official_ids, counts, progress)
    return counts


async def _write_units(
    session: AsyncSession, records: list[Record], counts: WriteCounts, now: dt.datetime
) -> dict[str, int]:
    unit_ids = await _ids(session, Unit.code, Unit.id)
    new = [r for r in records if r.code not in unit_ids]
    existing = [r for r in records if r.code in unit_ids]
    _record_changes(
        counts,
        "unit",
        unit_ids,
        await _snapshots(session, unit_snapshots, existing),
        ((r, _unit_snapshot(r.values)) for r in existing),
    )
    unit_ids.update(
        await _bulk_insert(
            session,
            Unit,
            [
                {
                    "code": r.code,
                    "name": r.values["name"],
                    "kind": r.values.get("kind") or infer_unit_kind(r.values["name"]),
                    "created_at": now,
                }
                for r in new
            ],
        )
    )
    await _bulk_update(
        session,
        Unit,
        (
            {"id": unit_ids[r.code], "name": r.values["name"]}
            | ({"kind": r.values["kind"]} if r.values.get("kind") else {})
            for r in existing
        ),
    )
    await _bulk_update(
        session,
        Unit,
        (
            {"id": unit_ids[r.code], "parent_id": _ref(unit_ids, r.values["parent_code"])}
            for r in records
            if "parent_code" in r.values
        ),
    )
    counts.units.created = [r.code for r in new]
    counts.units.updated = [r.code for r in existing]
    return unit_ids


def _ref(ids: dict[str, int], code: str | None) -> int | None:
    return None if code is None else ids[code]


def _unit_snapshot(values: dict[str, Any]) -> Snapshot:
    """The tracked fields a unit row of the file sets, as :func:`unit_snapshots` reads them."""
    snapshot: Snapshot = {"name": values["name"]}
    if "parent_code" in values:
        snapshot["parent"] = values["parent_code"]
    return snapshot


_OFFICIAL_FIELDS = ("full_name", "title", "role", "phone", "language")


def _official_snapshot(values: dict[str, Any]) -> Snapshot:
    """The tracked fields an official row sets, as :func:`official_snapshots` reads them."""
    snapshot: Snapshot = {name: values[name] for name in _OFFICIAL_FIELDS if name in values}
    if "unit_code" in values:
        snapshot["unit"] = values["unit_code"]
    return snapshot


async def _write_officials(
    session: AsyncSession,
    records: list[Record],
    unit_ids: dict[str, int],
    counts: WriteCounts,
    now: dt.datetime,
) -> dict[str, int]:
    official_ids = await _ids(session, Official.code, Official.id)
    new = [r for r in records if r.code not in official_ids]
    existing = [r for r in records if r.code in official_ids]
    _record_changes(
        counts,
        "official",
        official_ids,
        await _snapshots(session, official_snapshots, existing),
        ((r, _official_snapshot(r.values)) for r in existing),
    )
    official_ids.update(
        await _bulk_insert(
            session,
            Official,
            [
                {
                    "code": r.code,
                    "full_name": r.values["full_name"],
                    "title": r.values.get("title", ""),
                    "unit_id": _ref(unit_ids, r.values.get("unit_code")),
                    "role": r.values.get("role", Role.STAFF),
                    "phone": r.values.get("phone"),
                    "language": r.values.get("language", "vi"),
                    "active": True,
                    "created_at": now,
                }
                for r in new
            ],
        )
    )
    updates = []
    for r in existing:
        row: dict[str, Any] = {"id": official_ids[r.code]}
        row.update({name: r.values[name] for name in _OFFICIAL_FIELDS if name in r.values})
        if "unit_code" in r.values:
            row["unit_id"] = _ref(unit_ids, r.values["unit_code"])
        updates.append(row)
    await _bulk_update(session, Official, updates)
    await _bulk_update(
        session,
        Unit,
        (
            {"id": unit_ids[r.values["unit_code"]], "head_id": official_ids[r.code]}
            for r in records
            if r.values.get("role") is Role.HEAD and r.values.get("unit_code")
        ),
    )
    counts.officials.created = [r.code for r in new]
    counts.officials.updated = [r.code for r in existing]
    return official_ids


async def _write_tasks(
    session: AsyncSession,
    ctx: AppContext,
    records: list[Record],
    unit_ids: dict[str, int],
    official_ids: dict[str, int],
    counts: WriteCounts,
    progress: ProgressCallback | None,
) -> None:
    if not records:
        return
    now = ctx.now()
    names = {
        code: name
        for code, name in await session.execute(select(Official.code, Official.full_name))
    }
    current: dict[str, tuple[int, dt.date | None, dt.date | None]] = {}
    for codes in chunks([r.code for r in records]):
        rows = await session.execute(
            select(Task.code, Task.id, Task.deadline, Task.original_deadline).where(
                Task.code.in_(codes)
            )
        )
        current.update({code: (ident, dl, original) for code, ident, dl, original in rows})

    def assigned(value: str) -> dict[str, Any]:
        key = value.upper()
        if key in official_ids:
            return {"assigned_by_id": official_ids[key], "assigned_by_name": names.get(key, value)}
        return {"assigned_by_id": None, "assigned_by_name": value}

    new = [r for r in records if r.code not in current]
    existing = [r for r in records if r.code in current]
    _record_changes(
        counts,
        "task",
        {code: ident for code, (ident, _, _) in current.items()},
        await _snapshots(session, task_snapshots, existing),
        ((r, _task_snapshot(r.values, names)) for r in existing),
    )
    inserts = []
    for r in new:
        values = r.values
        row: dict[str, Any] = {
            "code": r.code,
            "title": values["title"],
            "description": values.get("description", ""),
            "source_document": values.get("source_document", ""),
            "lead_unit_id": unit_ids[values["lead_unit"]],
            "deadline": values.get("deadline"),
            "original_deadline": values.get("deadline"),
            "expected_output": values.get("expected_output", ""),
            "priority": values.get("priority", Priority.NORMAL),
            "progress": 0,
            "created_at": now,
            "updated_at": now,
        }
        row.update(assigned(values.get("assigned_by", "")))
        row.update(
            {
                column: _ref(official_ids, values.get(name))
                for name, column in _PEOPLE_COLUMNS.items()
            }
        )
        inserts.append(row)
    task_ids: dict[str, int] = {code: ident for code, (ident, _, _) in current.items()}
    done = 0
    for batch in chunks(inserts):
        task_ids.update(await _bulk_insert(session, Task, list(batch)))
        done += len(batch)
        if progress:
            progress(WRITING_TASKS, done, len(records))

    updates = []
    history = []
    for r in existing:
        ident, old_deadline, original = current[r.code]
        values = r.values
        row = {"id": ident, "updated_at": now}
        for name in ("title", "description", "source_document", "expected_output", "priority"):
            if name in values:
                row[name] = values[name]
        if "lead_unit" in values:
            row["lead_unit_id"] = unit_ids[values["lead_unit"]]
        if "assigned_by" in values:
            row.update(assigned(values["assigned_by"]))
        row.update(_people(values, official_ids))
        if "deadline" in values and values["deadline"] != old_deadline:
            row["deadline"] = values["deadline"]
            if original is None:
                row["original_deadline"] = old_deadline
            history.append(
                {
                    "task_id": ident,
                    "old_deadline": old_deadline,
                    "new_deadline": values["deadline"],
                    "reason": f"import {r.source}:{r.row}",
                    "changed_at": now,
                }
            )
            counts.deadline_changes.append(r.code)
        updates.append(row)
    await _bulk_update(session, Task, updates)
    for changes in chunks(history):
        await session.execute(insert(DeadlineChange), list(changes))
    if progress:
        progress(WRITING_TASKS, len(records), len(records))

    with_coordinators = [r for r in records if "coordinating_units" in r.values]
    replaced = [task_ids[r.code] for r in with_coordinators if r.code in current]
    for ids in chunks(replaced):
        await session.execute(delete(task_coordinators).where(task_coordinators.c.task_id.in_(ids)))
    links = [
        {"task_id": task_ids[r.code], "unit_id": unit_ids[unit]}
        for r in with_coordinators
        for unit in r.values["coordinating_units"]
    ]
    for pairs in chunks(links):
        await session.execute(insert(task_coordinators), list(pairs))
    counts.tasks.created = [r.code for r in new]
    counts.tasks.updated = [r.code for r in existing]


_PEOPLE_COLUMNS = {"leader_in_charge": "leader_in_charge_id", "handler": "handler_id"}
"""Import field → task column of the people in charge, named in the file by official code."""


def _people(values: dict[str, Any], official_ids: dict[str, int]) -> dict[str, Any]:
    """The people-in-charge columns a task row of the file sets (an empty cell clears)."""
    return {
        column: _ref(official_ids, values[name])
        for name, column in _PEOPLE_COLUMNS.items()
        if name in values
    }


_TASK_FIELDS = (
    "title",
    "description",
    "source_document",
    "expected_output",
    "priority",
    "deadline",
)


def _task_snapshot(values: dict[str, Any], names: dict[str, str]) -> Snapshot:
    """The tracked fields a task row of the file sets, as :func:`task_snapshots` reads them."""
    snapshot: Snapshot = {name: values[name] for name in _TASK_FIELDS if name in values}
    if "lead_unit" in values:
        snapshot["lead_unit"] = values["lead_unit"]
    if "assigned_by" in values:
        snapshot["assigned_by"] = names.get(values["assigned_by"].upper(), values["assigned_by"])
    if "coordinating_units" in values:
        snapshot["coordinating_units"] = list(values["coordinating_units"])
    for name in _PEOPLE_COLUMNS:
        if name in values:
            snapshot[name] = values[name]
    return snapshot

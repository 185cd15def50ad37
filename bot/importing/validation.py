"""Turning raw cells into checked records, and checking references between them.

Every problem becomes an :class:`Issue`; validation never stops at the first one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.importing.headers import Kind, fold
from bot.importing.issues import Issue
from bot.importing.readers import Cell, Table
from bot.importing.unit_kinds import KIND_NAMES
from bot.models import Priority, Role

MAX_CODE = 64
MAX_TEXT = 255
MAX_PHONE = 32

ROLES: dict[str, Role] = {
    **{fold(role.value): role for role in Role},
    "chuyen vien": Role.STAFF,
    "can bo": Role.STAFF,
    "thu truong": Role.HEAD,
    "thu truong don vi": Role.HEAD,
    "lanh dao": Role.LEADER,
    "lanh dao ubnd": Role.LEADER,
    "quan tri": Role.ADMIN,
    "quan tri vien": Role.ADMIN,
}
PRIORITIES: dict[str, Priority] = {
    **{fold(priority.value): priority for priority in Priority},
    "binh thuong": Priority.NORMAL,
    "thuong": Priority.NORMAL,
    "cao": Priority.HIGH,
    "quan trong": Priority.HIGH,
    "khan": Priority.URGENT,
    "hoa toc": Priority.URGENT,
}
LANGUAGES: dict[str, str] = {
    "vi": "vi",
    "tieng viet": "vi",
    "vietnamese": "vi",
    "en": "en",
    "english": "en",
    "tieng anh": "en",
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_LIST_SEPARATOR = re.compile(r"[;,]")


class CellError(ValueError):
    """A cell whose value cannot be used: ``key`` and ``params`` of the message (the
    ``importing`` catalog context) that says why."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class Record:
    """One checked row: its code and the values of the columns the file has."""

    kind: Kind
    code: str
    values: dict[str, Any]
    source: str
    row: int
    headers: dict[str, str] = field(repr=False, default_factory=dict)

    def issue(self, field_name: str, key: str, /, **params: object) -> Issue:
        column = self.headers.get(field_name, field_name)
        return Issue.of(self.source, self.row, column, key, **params)


@dataclass
class ImportPlan:
    """Checked records of every kind, in file order."""

    units: list[Record] = field(default_factory=list)
    officials: list[Record] = field(default_factory=list)
    tasks: list[Record] = field(default_factory=list)

    def of(self, kind: Kind) -> list[Record]:
        return {Kind.UNITS: self.units, Kind.OFFICIALS: self.officials, Kind.TASKS: self.tasks}[
            kind
        ]


@dataclass(frozen=True)
class Existing:
    """What the database already holds that the import may refer to."""

    unit_parents: dict[str, str | None]
    """Unit code → parent unit code."""
    official_names: dict[str, str]
    """Official code → full name."""
    official_places: dict[str, tuple[Role, str | None]]
    """Official code → role and unit code (who may be a task's leader in charge or handler)."""


# --- cell parsers ----------------------------------------------------------------------


def text(cell: Cell, limit: int | None = MAX_TEXT) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, dt.datetime):
        cell = cell.date()
    if isinstance(cell, dt.date):
        return cell.strftime("%d/%m/%Y")
    value = " ".join(str(cell).split())
    if limit is not None and len(value) > limit:
        raise CellError("too_long", length=len(value), limit=limit)
    return value


def code(cell: Cell) -> str:
    value = text(cell, MAX_CODE).upper()
    if not value:
        raise CellError("code_empty")
    if " " in value:
        raise CellError("code_spaces", code=repr(value))
    return value


def optional_code(cell: Cell) -> str | None:
    return code(cell) if text(cell, None) else None


def required_text(cell: Cell) -> str:
    value = text(cell)
    if not value:
        raise CellError("value_empty")
    return value


def long_text(cell: Cell) -> str:
    return text(cell, None)


def deadline(cell: Cell) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    value = text(cell, None)
    if not value:
        return None
    if iso := _ISO_DATE.match(value):
        year, month, day = (int(part) for part in iso.groups())
    elif vn := _VN_DATE.match(value):
        day, month, year = (int(part) for part in vn.groups())
    else:
        raise CellError("not_a_date", value=repr(value))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError("no_such_date", value=repr(value)) from None


def _choice(table: dict[str, Any], key: str, default: Any) -> Callable[[Cell], Any]:
    """A parser of one of the values in ``table``; ``key`` is the message naming them."""

    def parse(cell: Cell) -> Any:
        value = text(cell, None)
        if not value:
            return default
        found = table.get(fold(value))
        if found is None:
            raise CellError(key, value=repr(value))
        return found

    return parse


def unit_list(cell: Cell) -> list[str]:
    codes: list[str] = []
    for part in _LIST_SEPARATOR.split(text(cell, None)):
        if part.strip():
            item = code(part)
            if item not in codes:
                codes.append(item)
    return codes


PARSERS: dict[Kind, dict[str, Callable[[Cell], Any]]] = {
    Kind.UNITS: {
        "code": code,
        "name": required_text,
        "parent_code": optional_code,
        "kind": _choice(KIND_NAMES, "unknown_unit_kind", None),
    },
    Kind.OFFICIALS: {
        "code": code,
        "full_name": required_text,
        "title": text,
        "unit_code": optional_code,
        "role": _choice(ROLES, "unknown_role", Role.STAFF),
        "phone": lambda cell: text(cell, MAX_PHONE) or None,
        "language": _choice(LANGUAGES, "unknown_language", "vi"),
    },
    Kind.TASKS: {
        "code": code,
        "title": required_text,
        "description": long_text,
        "source_document": text,
        "assigned_by": text,
        "lead_unit": code,
        "leader_in_charge": optional_code,
        "handler": optional_code,
        "coordinating_units": unit_list,
        "deadline": deadline,
        "expected_output": text,
        "priority": _choice(PRIORITIES, "unknown_priority", Priority.NORMAL),
    },
}


# --- rows → records --------------------------------------------------------------------


def parse_tables(tables: list[Table], issues: list[Issue]) -> ImportPlan:
    """Parse every row; duplicate codes (within and across files) are issues."""
    plan = ImportPlan()
    first_seen: dict[tuple[Kind, str], Record] = {}
    for table in tables:
        parsers = PARSERS[table.kind]
        for row_number, cells in table.rows:
            values: dict[str, Any] = {}
            bad = False
            for field_name, index in table.match.columns.items():
                cell = cells[index] if index < len(cells) else None
                try:
                    values[field_name] = parsers[field_name](cell)
                except CellError as exc:
                    column = table.header_of(field_name)
                    issues.append(Issue.of(table.source, row_number, column, exc.key, **exc.params))
                    bad = True
            if bad:
                continue
            record = Record(
                table.kind,
                values["code"],
                values,
                table.source,
                row_number,
                table.match.headers,
            )
            earlier = first_seen.get((table.kind, record.code))
            if earlier is not None:
                issues.append(
                    record.issue(
                        "code",
                        "duplicate_code",
                        code=repr(record.code),
                        first=f"{earlier.source}:{earlier.row}",
                    )
                )
                continue
            first_seen[(table.kind, record.code)] = record
            plan.of(table.kind).append(record)
    return plan


# --- references ------------------------------------------------------------------------


def check_references(plan: ImportPlan, existing: Existing, issues: list[Issue]) -> None:
    """Unknown units, unit cycles, missing units of staff, two heads for one unit, tasks
    whose lead unit is also listed as coordinating, and people in charge of a task who
    cannot be: a leader in charge who is not a leader, a handler outside the lead unit."""
    unit_codes = set(existing.unit_parents) | {record.code for record in plan.units}
    _check_units(plan.units, existing, unit_codes, issues)
    _check_officials(plan.officials, unit_codes, issues)
    _check_tasks(plan.tasks, unit_codes, issues)
    places = dict(existing.official_places)
    for record in plan.officials:
        role, unit = places.get(record.code, (Role.STAFF, None))
        places[record.code] = (
            record.values.get("role", role),
            record.values.get("unit_code", unit),
        )
    _check_people_in_charge(plan.tasks, places, issues)


def _check_units(
    units: list[Record], existing: Existing, unit_codes: set[str], issues: list[Issue]
) -> None:
    parents = dict(existing.unit_parents)
    for record in units:
        if "parent_code" in record.values:
            parents[record.code] = record.values["parent_code"]
    for record in units:
        parent = record.values.get("parent_code")
        if parent is None:
            continue
        if parent not in unit_codes:
            issues.append(record.issue("parent_code", "unknown_unit", unit=repr(parent)))
            continue
        chain = [record.code]
        current: str | None = parent
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if current == record.code:
            path = " → ".join([*chain, record.code])
            issues.append(record.issue("parent_code", "own_ancestor", path=path))


def _check_officials(officials: list[Record], unit_codes: set[str], issues: list[Issue]) -> None:
    heads: dict[str, Record] = {}
    for record in officials:
        unit = record.values.get("unit_code")
        role = record.values.get("role", Role.STAFF)
        if unit is not None and unit not in unit_codes:
            issues.append(record.issue("unit_code", "unknown_unit", unit=repr(unit)))
        elif unit is None and role in (Role.STAFF, Role.HEAD):
            issues.append(record.issue("unit_code", f"{role.value}_needs_unit"))
        if role is Role.HEAD and unit is not None:
            other = heads.setdefault(unit, record)
            if other is not record:
                issues.append(
                    record.issue(
                        "role",
                        "two_heads",
                        unit=repr(unit),
                        head=repr(other.code),
                        where=f"{other.source}:{other.row}",
                    )
                )


def _check_tasks(tasks: list[Record], unit_codes: set[str], issues: list[Issue]) -> None:
    for record in tasks:
        lead = record.values["lead_unit"]
        if lead not in unit_codes:
            issues.append(record.issue("lead_unit", "unknown_unit", unit=repr(lead)))
        for unit in record.values.get("coordinating_units", []):
            if unit not in unit_codes:
                issues.append(record.issue("coordinating_units", "unknown_unit", unit=repr(unit)))
            elif unit == lead:
                issues.append(
                    record.issue("coordinating_units", "lead_also_coordinating", unit=repr(unit))
                )


def _check_people_in_charge(
    tasks: list[Record], places: dict[str, tuple[Role, str | None]], issues: list[Issue]
) -> None:
    for record in tasks:
        leader = record.values.get("leader_in_charge")
        if leader is not None:
            if leader not in places:
                issues.append(
                    record.issue("leader_in_charge", "unknown_official", code=repr(leader))
                )
            elif places[leader][0] is not Role.LEADER:
                role = places[leader][0].value
                issues.append(
                    record.issue("leader_in_charge", "not_a_leader", code=repr(leader), role=role)
                )
        handler = record.values.get("handler")
        if handler is None:
            continue
        lead = record.values["lead_unit"]
        if handler not in places:
            issues.append(record.issue("handler", "unknown_official", code=repr(handler)))
        elif places[handler][1] != lead:
            unit = places[handler][1]
            issues.append(
                record.issue(
                    "handler",
                    "handler_elsewhere" if unit else "handler_without_unit",
                    code=repr(handler),
                    unit=unit,
                    lead=repr(lead),
                )
            )

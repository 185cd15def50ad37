"""The task list's filters, shared by the dashboard's list page and its Excel export.

:func:`parse_filters` reads a query string (or a form) into :class:`TaskFilters` and the
names of the fields it could not read — pure, no database. :func:`select_tasks` checks the
codes against the database and the viewer's scope and gives the SQL conditions;
:func:`task_ids` runs them. Statuses use :func:`bot.services.summary.status_expression`, the
rule of the chat, the digests and the figures.

Words of the search (``q``) are compared the way people type Vietnamese (:func:`bot.folding.fold`:
"tai chinh" finds "Tài chính"). Neither SQLite nor PostgreSQL strips diacritics without an
extension, so the other conditions run in SQL and only the code and title of the rows they keep
are folded here (remembered, so searching 5,000 tasks again takes milliseconds).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.folding import fold
from bot.models import TASK_ACTIVE, Official, Role, Task, Unit
from bot.services.directory import normalize_code
from bot.services.summary import status_expression
from bot.status import STATUS_ORDER, Status

PAGE_SIZE = 50
MAX_PAGE = 100_000
MAX_CODE = 64
MAX_SOURCE = 255
MAX_QUERY = 200
FIELDS = ("unit", "leader", "source", "status", "from", "to", "q")
"""The filter fields of the query string and of the export form, in the form's order."""
SORT_KEYS = ("code", "unit", "deadline", "progress", "status")
"""The columns the list can be sorted by (``sort`` in the query string, ``-`` before the key
for the descending order)."""

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


@dataclass(frozen=True)
class TaskFilters:
    """What the viewer asked for; empty strings and None mean "any"."""

    unit: str = ""
    """Lead unit code."""
    leader: str = ""
    """Code of the leader in charge (lãnh đạo phụ trách)."""
    source: str = ""
    """Source document (văn bản giao), compared without case and diacritics."""
    status: Status | None = None
    deadline_from: dt.date | None = None
    deadline_to: dt.date | None = None
    q: str = ""
    """Words of the title, or (part of) the code."""

    def params(self) -> dict[str, str]:
        """The query-string fields of the filters that are set, in :data:`FIELDS` order."""
        values = {
            "unit": self.unit,
            "leader": self.leader,
            "source": self.source,
            "status": self.status.value if self.status else "",
            "from": self.deadline_from.isoformat() if self.deadline_from else "",
            "to": self.deadline_to.isoformat() if self.deadline_to else "",
            "q": self.q,
        }
        return {name: value for name, value in values.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.params())


@dataclass(frozen=True)
class SortOrder:
    """The column ordering the list and its direction; ties go by task code (ascending), so
    paging never shows a task twice or skips one. The default: earliest deadline first, tasks
    without one last."""

    key: str = "deadline"
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> SortOrder:
        """``deadline``, ``-progress``...; ValueError for anything else."""
        key = text.removeprefix("-")
        if key not in SORT_KEYS:
            raise ValueError(text)
        return cls(key, text.startswith("-"))

    @property
    def param(self) -> str:
        """The query-string value; empty for the default order (left out of links)."""
        if self == SortOrder():
            return ""
        return f"-{self.key}" if self.descending else self.key

    def toggled(self, key: str) -> SortOrder:
        """The order a click on ``key``'s header asks for: the other direction if the list is
        already sorted by it, else ascending."""
        return SortOrder(key, not self.descending if key == self.key else False)


@dataclass(frozen=True)
class ParsedFilters:
    filters: TaskFilters
    page: int
    sort: SortOrder
    problems: tuple[str, ...]
    """Fields whose value could not be read (they are left out of ``filters``)."""
    entered: Mapping[str, str]
    """Every field as typed, so the form shows a wrong value for correcting."""


def parse_date(text: str) -> dt.date:
    """``2025-12-31`` (a date input) or ``31/12/2025``; ValueError otherwise."""
    match = _DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def parse_filters(params: Mapping[str, object]) -> ParsedFilters:
    """Read the filter fields, ``page`` and ``sort`` of a query string or form (missing means
    "any", the first page and the default order)."""
    raw = {name: _text(params.get(name)) for name in (*FIELDS, "page", "sort")}
    problems: list[str] = []

    def code(name: str) -> str:
        value = normalize_code(raw[name])
        if len(value) <= MAX_CODE:
            return value
        problems.append(name)
        return ""

    def day(name: str) -> dt.date | None:
        if not raw[name]:
            return None
        try:
            return parse_date(raw[name])
        except ValueError:
            problems.append(name)
            return None

    unit, leader = code("unit"), code("leader")
    source = " ".join(raw["source"].split())
    if len(source) > MAX_SOURCE:
        problems.append("source")
        source = ""
    status = None
    if raw["status"]:
        try:
            status = Status(raw["status"])
        except ValueError:
            problems.append("status")
    first, last = day("from"), day("to")
    if first is not None and last is not None and first > last:
        problems.append("range")
        last = None
    query = " ".join(raw["q"].split())
    if len(query) > MAX_QUERY:
        problems.append("q")
        query = ""
    page = 1
    if raw["page"]:
        if raw["page"].isascii() and raw["page"].isdigit() and 1 <= int(raw["page"]) <= MAX_PAGE:
            page = int(raw["page"])
        else:
            problems.append("page")
    sort = SortOrder()
    if raw["sort"]:
        try:
            sort = SortOrder.parse(raw["sort"])
        except ValueError:
            problems.append("sort")
    filters = TaskFilters(unit, leader, source, status, first, last, query)
    entered = {name: raw[name] for name in FIELDS}
    return ParsedFilters(filters, page, sort, tuple(problems), entered)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def search_words(query: str) -> tuple[str, ...]:
    return tuple(fold(query).split())


_folded = lru_cache(maxsize=20_000)(fold)
"""Titles change rarely: a list searched again folds only what is new."""


def matches(words: Sequence[str], code: str, title: str) -> bool:
    """Every (folded) word is in the code or the title, folded; the code may also be typed
    whole (``nv 01`` is not ``NV-01``, ``nv-01`` is)."""
    if not words:
        return True
    folded_code = _folded(code)
    if " ".join(words) == folded_code:
        return True
    haystack = f"{folded_code} {_folded(title)}"
    return all(word in haystack for word in words)


@dataclass
class Selection:
    """The filters checked against the database, as SQL conditions on ``tasks``."""

    filters: TaskFilters
    today: dt.date
    """The day statuses are read on."""
    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    words: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)
    """Fields refused here: unknown unit, leader or source document; another unit's tasks."""
    unit: Unit | None = None
    leader: Official | None = None


async def select_tasks(
    session: AsyncSession,
    filters: TaskFilters,
    *,
    scope_unit_id: int | None,
    today: dt.date,
) -> Selection:
    """The conditions for ``filters`` within the viewer's scope (``scope_unit_id``: the own
    unit of a viewer who does not see everything), active tasks only (suspended and withdrawn
    ones are in no list or count, :data:`bot.models.TASK_ACTIVE`). A value that names nothing,
    or a unit out of scope, is a problem and is left out; the other filters still apply."""
    selection = Selection(filters, today, [TASK_ACTIVE])
    conditions = selection.conditions
    if scope_unit_id is not None:
        conditions.append(Task.lead_unit_id == scope_unit_id)
    if filters.unit:
        unit = await session.scalar(select(Unit).where(Unit.code == filters.unit))
        if unit is None:
            selection.problems.append("unit")
        elif scope_unit_id is not None and unit.id != scope_unit_id:
            selection.problems.append("unit_scope")
        else:
            selection.unit = unit
            conditions.append(Task.lead_unit_id == unit.id)
    if filters.leader:
        leader = await session.scalar(select(Official).where(Official.code == filters.leader))
        if leader is None:
            selection.problems.append("leader")
        else:
            selection.leader = leader
            conditions.append(Task.leader_in_charge_id == leader.id)
    if filters.source:
        documents = await source_documents(session, scope_unit_id)
        wanted = fold(filters.source)
        exact = [doc for doc in documents if fold(doc) == wanted]
        chosen = exact or [doc for doc in documents if wanted in fold(doc)]
        if chosen:
            conditions.append(Task.source_document.in_(chosen))
        else:
            selection.problems.append("source")
    if filters.status is not None:
        conditions.append(status_expression(today) == filters.status.value)
    if filters.deadline_from is not None:
        conditions.append(Task.deadline >= filters.deadline_from)
    if filters.deadline_to is not None:
        conditions.append(Task.deadline <= filters.deadline_to)
    selection.words = search_words(filters.q)
    return selection


def without_problems(selection: Selection) -> TaskFilters:
    """The filters that were applied: the refused ones cleared (for links and the export)."""
    refused = set(selection.problems)
    filters = selection.filters
    return replace(
        filters,
        unit="" if {"unit", "unit_scope"} & refused else filters.unit,
        leader="" if "leader" in refused else filters.leader,
        source="" if "source" in refused else filters.source,
    )


def sort_clauses(sort: SortOrder, today: dt.date) -> tuple[SQLColumnExpression[Any], ...]:
    """ORDER BY for ``sort``: tasks without a deadline stay last whichever way the deadline is
    sorted (the same on SQLite and PostgreSQL), statuses go in the official order
    (:data:`bot.status.STATUS_ORDER`), units by name, and the task code breaks ties."""
    column: SQLColumnExpression[Any] = {
        "code": Task.code,
        "unit": select(Unit.name).where(Unit.id == Task.lead_unit_id).scalar_subquery(),
        "deadline": Task.deadline,
        "progress": Task.progress,
        "status": case(
            {status.value: rank for rank, status in enumerate(STATUS_ORDER)},
            value=status_expression(today),
        ),
    }[sort.key]
    first = (Task.deadline.is_(None),) if sort.key == "deadline" else ()
    return (*first, column.desc() if sort.descending else column.asc(), Task.code)


async def task_ids(
    session: AsyncSession, selection: Selection, sort: SortOrder | None = None
) -> list[int]:
    """The ids of the selected tasks in the order ``sort`` asks for (default: the list's,
    earliest deadline first)."""
    where = and_(true(), *selection.conditions)
    order = sort_clauses(sort or SortOrder(), selection.today)
    if not selection.words:
        return list(await session.scalars(select(Task.id).where(where).order_by(*order)))
    rows = await session.execute(
        select(Task.id, Task.code, Task.title).where(where).order_by(*order)
    )
    return [ident for ident, code, title in rows if matches(selection.words, code, title)]


async def selection_condition(session: AsyncSession, selection: Selection) -> ColumnElement[bool]:
    """One condition on ``tasks`` for the whole selection (search words included), for
    queries that group or join (the export)."""
    if not selection.words:
        return and_(true(), *selection.conditions)
    return ids_condition(await task_ids(session, selection))


def ids_condition(ids: Sequence[int]) -> ColumnElement[bool]:
    """``tasks.id IN (...)`` with the ids written into the statement: integers only, and no
    limit on bound parameters (SQLite and asyncpg both have one)."""
    return Task.id.in_(bindparam("selected_ids", list(ids), expanding=True, literal_execute=True))


async def source_documents(session: AsyncSession, scope_unit_id: int | None) -> list[str]:
    """The distinct source documents of the tasks in scope, in order."""
    query = select(Task.source_document).where(TASK_ACTIVE, Task.source_document != "").distinct()
    if scope_unit_id is not None:
        query = query.where(Task.lead_unit_id == scope_unit_id)
    return sorted(await session.scalars(query), key=fold)


async def leaders(session: AsyncSession) -> list[Official]:
    """Who may be in charge of tasks: the leaders, and anyone named in charge of one."""
    in_charge = select(Task.leader_in_charge_id).where(Task.leader_in_charge_id.is_not(None))
    return list(
        await session.scalars(
            select(Official)
            .where(or_(Official.role == Role.LEADER, Official.id.in_(in_charge)))
            .order_by(Official.full_name, Official.code)
        )
    )

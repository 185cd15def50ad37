"""Examples in help and usage texts, taken from the data so they can be typed as they are.

"/baocao NV-01 60 …" is worth little to an official whose tasks are called NQ-07, and
"/giahan … 31/12/2025 …" is refused once that day has passed. :func:`example_for` picks a code
from the official's own unfinished tasks (the one due soonest) and a date in the future (two
weeks after that task's deadline, or after today when the deadline has passed); without such
a task it falls back to a generic code and a date a month ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bot.i18n import format_date
from bot.models import TASK_ACTIVE, Role, Task
from handlers.turn import Turn

GENERIC_CODE = "NV-01"
EXTENSION_STEP = dt.timedelta(days=14)
"""How far after the current deadline the example extension date lies."""
GENERIC_AHEAD = dt.timedelta(days=30)


@dataclass(frozen=True)
class Example:
    code: str
    """A task code: for texts' ``{code}``."""
    date: str
    """A future date as officials write it (dd/mm/yyyy): for texts' ``{date}``."""

    def params(self) -> dict[str, str]:
        return {"code": self.code, "date": self.date}


def example_date(today: dt.date, deadline: dt.date | None) -> str:
    """A plausible new deadline: two weeks after the current one, never in the past."""
    if deadline is None:
        return format_date(today + GENERIC_AHEAD)
    return format_date(max(deadline, today) + EXTENSION_STEP)


async def example_for(turn: Turn) -> Example:
    """The example for this person: their unit's unfinished task due soonest (any unfinished
    task for an admin without a unit), else the generic one."""
    today = turn.ctx.today()
    official = turn.official
    generic = Example(GENERIC_CODE, example_date(today, None))
    if official is None or (official.unit_id is None and official.role is not Role.ADMIN):
        return generic
    query = (
        select(Task.code, Task.deadline)
        .where(Task.completed_at.is_(None), TASK_ACTIVE)
        .order_by(Task.deadline.is_(None), Task.deadline < today, Task.deadline, Task.code)
        .limit(1)
    )
    if official.unit_id is not None:
        query = query.where(Task.lead_unit_id == official.unit_id)
    row = (await turn.session.execute(query)).first()
    if row is None:
        return generic
    return Example(row.code, example_date(today, row.deadline))

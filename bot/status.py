"""The four official status categories of Vietnamese government task tracking, plus warnings.

hoàn thành đúng hạn (done on time) · hoàn thành quá hạn (done late) ·
đang thực hiện trong hạn (in progress within deadline) · quá hạn (overdue, not done);
warnings: sắp đến hạn (due within N working days) and chưa báo cáo (no report for N days).
A task without a deadline is never late: done counts as on time, open as in progress.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from bot.calendar import WorkCalendar


class Status(enum.StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"

    @property
    def is_done(self) -> bool:
        return self in (Status.DONE_ON_TIME, Status.DONE_LATE)


class Warning(enum.StrEnum):
    DUE_SOON = "due_soon"
    NO_REPORT = "no_report"


STATUS_ORDER: tuple[Status, ...] = (
    Status.DONE_ON_TIME,
    Status.DONE_LATE,
    Status.IN_PROGRESS,
    Status.OVERDUE,
)


@dataclass(frozen=True)
class StatusInfo:
    status: Status
    warnings: frozenset[Warning]
    days_left: int | None
    """Working days until the deadline (open tasks with a deadline not yet passed)."""
    days_late: int | None
    """Calendar days past the deadline (overdue, or done late)."""
    working_days_late: int | None


def classify(
    *,
    deadline: dt.date | None,
    completed_on: dt.date | None,
    last_report_on: dt.date | None,
    created_on: dt.date,
    today: dt.date,
    calendar: WorkCalendar,
    due_soon_days: int = 3,
    no_report_days: int = 7,
) -> StatusInfo:
    """Classify one task on ``today``. Dates are local (Asia/Ho_Chi_Minh) calendar dates."""
    if completed_on is not None:
        late = deadline is not None and completed_on > deadline
        return StatusInfo(
            status=Status.DONE_LATE if late else Status.DONE_ON_TIME,
            warnings=frozenset(),
            days_left=None,
            days_late=(completed_on - deadline).days if late and deadline else None,
            working_days_late=(
                calendar.working_days_between(deadline, completed_on) if late and deadline else None
            ),
        )
    warnings: set[Warning] = set()
    silent_since = last_report_on or created_on
    if (today - silent_since).days >= no_report_days:
        warnings.add(Warning.NO_REPORT)
    if deadline is None:
        return StatusInfo(Status.IN_PROGRESS, frozenset(warnings), None, None, None)
    if today > deadline:
        return StatusInfo(
            status=Status.OVERDUE,
            warnings=frozenset(warnings),
            days_left=None,
            days_late=(today - deadline).days,
            working_days_late=calendar.working_days_between(deadline, today),
        )
    days_left = calendar.working_days_between(today, deadline)
    if days_left <= due_soon_days:
        warnings.add(Warning.DUE_SOON)
    return StatusInfo(Status.IN_PROGRESS, frozenset(warnings), days_left, None, None)

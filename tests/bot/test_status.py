"""The four official status categories and the two warnings."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.calendar import WorkCalendar
from bot.status import Status, StatusInfo, Warning, classify
from config.calendar_defaults import KNOWN_DAYS_OFF, KNOWN_MAKEUP_DAYS

D = dt.date
CAL = WorkCalendar(KNOWN_DAYS_OFF, KNOWN_MAKEUP_DAYS)
TODAY = D(2025, 12, 8)  # Monday


def status_of(
    deadline: dt.date | None,
    completed_on: dt.date | None = None,
    *,
    today: dt.date = TODAY,
    last_report_on: dt.date | None = None,
    created_on: dt.date = D(2025, 12, 5),
) -> StatusInfo:
    return classify(
        deadline=deadline,
        completed_on=completed_on,
        last_report_on=last_report_on,
        created_on=created_on,
        today=today,
        calendar=CAL,
        due_soon_days=3,
        no_report_days=7,
    )


def test_done_on_the_deadline_day_is_on_time() -> None:
    info = status_of(D(2025, 12, 5), completed_on=D(2025, 12, 5))
    assert info.status is Status.DONE_ON_TIME
    assert info.days_late is None


def test_done_a_day_after_the_deadline_is_late_with_days_counted() -> None:
    info = status_of(D(2025, 12, 5), completed_on=D(2025, 12, 8))
    assert info.status is Status.DONE_LATE
    assert info.days_late == 3  # calendar days
    assert info.working_days_late == 1  # Friday → Monday


def test_done_early_is_on_time_and_has_no_warning() -> None:
    info = status_of(D(2025, 12, 15), completed_on=D(2025, 12, 1), created_on=D(2025, 10, 1))
    assert info.status is Status.DONE_ON_TIME
    assert info.warnings == frozenset()


def test_open_on_the_deadline_day_is_still_within_deadline_and_due_soon() -> None:
    info = status_of(TODAY)
    assert info.status is Status.IN_PROGRESS
    assert info.days_left == 0
    assert Warning.DUE_SOON in info.warnings


def test_open_the_day_after_the_deadline_is_overdue() -> None:
    info = status_of(D(2025, 12, 5))
    assert info.status is Status.OVERDUE
    assert info.days_late == 3
    assert info.working_days_late == 1


def test_overdue_counts_working_days_across_tet() -> None:
    info = status_of(D(2026, 2, 13), today=D(2026, 2, 23), created_on=D(2026, 2, 20))
    assert info.status is Status.OVERDUE
    assert info.working_days_late == 1
    assert info.days_late == 10


@pytest.mark.parametrize(
    ("deadline", "due_soon"),
    [
        (D(2025, 12, 11), True),  # 3 working days left
        (D(2025, 12, 12), False),  # 4 working days left
        (D(2025, 12, 13), False),  # Saturday: still 4 working days left
    ],
)
def test_due_soon_horizon_is_in_working_days(deadline: dt.date, due_soon: bool) -> None:
    info = status_of(deadline)
    assert info.status is Status.IN_PROGRESS
    assert (Warning.DUE_SOON in info.warnings) is due_soon


def test_task_without_deadline_is_never_late() -> None:
    assert status_of(None).status is Status.IN_PROGRESS
    assert status_of(None, completed_on=D(2030, 1, 1)).status is Status.DONE_ON_TIME
    assert Warning.DUE_SOON not in status_of(None).warnings


@pytest.mark.parametrize(
    ("last_report_on", "warned"),
    [(D(2025, 12, 1), True), (D(2025, 12, 2), False), (None, True)],
)
def test_no_report_warning_after_seven_days_of_silence(
    last_report_on: dt.date | None, warned: bool
) -> None:
    info = status_of(D(2026, 1, 30), last_report_on=last_report_on, created_on=D(2025, 11, 20))
    assert (Warning.NO_REPORT in info.warnings) is warned


def test_new_task_without_reports_is_not_flagged_before_seven_days() -> None:
    info = status_of(D(2026, 1, 30), created_on=D(2025, 12, 3))
    assert Warning.NO_REPORT not in info.warnings


def test_done_tasks_carry_no_warnings() -> None:
    info = status_of(D(2025, 12, 8), completed_on=D(2025, 12, 8), created_on=D(2025, 1, 1))
    assert info.warnings == frozenset()


def test_status_is_done_property() -> None:
    assert Status.DONE_ON_TIME.is_done and Status.DONE_LATE.is_done
    assert not Status.IN_PROGRESS.is_done and not Status.OVERDUE.is_done

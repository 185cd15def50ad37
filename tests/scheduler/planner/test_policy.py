"""The reminder policy table (``scheduler/planner/rules.py``) under settings other than the
defaults the end-to-end tests use: what each audience hears about one task on one day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from config.settings import ReminderPolicy
from scheduler.planner.rules import RULES, Audience, Policy, TaskFacts
from scheduler.reminders import ItemKind

DAY = dt.date(2025, 12, 8)


def task(**facts: Any) -> TaskFacts:
    return TaskFacts(
        task_id=1,
        code="NV-01",
        title="Quyết toán ngân sách",
        lead_unit_id=10,
        deadline=DAY,
        progress=40,
        last_report_on=None,
        **facts,
    )


def overdue(working_days_late: int, *, paused: bool = False) -> TaskFacts:
    return task(days_late=working_days_late, working_days_late=working_days_late, paused=paused)


def heard(settings: ReminderPolicy, facts: TaskFacts) -> dict[Audience, ItemKind]:
    policy = Policy.from_settings(settings)
    found: dict[Audience, ItemKind] = {}
    for rule in RULES:
        item = rule.match(policy, facts)
        if item is not None:
            assert rule.audience not in found, "two items about one task for one audience"
            found[rule.audience] = item.kind
    return found


def test_overdue_reminders_only_once_reach_the_unit_first_then_the_head_once() -> None:
    settings = ReminderPolicy(overdue_every_working_day=False, overdue_head_after_days=3)

    by_day = {late: heard(settings, overdue(late)) for late in range(1, 8)}

    assert by_day[1] == {Audience.LEAD_UNIT: ItemKind.OVERDUE}
    assert by_day[3] == {Audience.UNIT_HEAD: ItemKind.OVERDUE}
    assert all(by_day[late] == {} for late in (2, 4, 5, 6, 7))


def test_overdue_every_day_reaches_the_head_from_its_day_on_and_a_request_pauses_both() -> None:
    settings = ReminderPolicy(overdue_head_after_days=2)

    assert heard(settings, overdue(1)) == {Audience.LEAD_UNIT: ItemKind.OVERDUE}
    both = {Audience.LEAD_UNIT: ItemKind.OVERDUE, Audience.UNIT_HEAD: ItemKind.OVERDUE}
    assert heard(settings, overdue(2)) == both
    assert heard(settings, overdue(9)) == both
    assert heard(settings, overdue(9, paused=True)) == {}


def test_without_the_deadline_day_a_task_due_today_is_only_nudged_when_silent() -> None:
    settings = ReminderPolicy(remind_on_deadline_day=False, coordinating_before_days=[2])

    assert heard(settings, task(working_days_left=0)) == {}
    assert heard(settings, task(working_days_left=0, silent_days=7)) == {
        Audience.LEAD_UNIT: ItemKind.STALE
    }
    assert heard(settings, task(working_days_left=2)) == {
        Audience.COORDINATING_UNITS: ItemKind.UPCOMING
    }
    assert heard(settings, task(working_days_left=3, silent_days=14)) == {
        Audience.LEAD_UNIT: ItemKind.UPCOMING
    }


def test_escalation_is_marked_from_its_working_day_on() -> None:
    policy = Policy.from_settings(ReminderPolicy(overdue_escalate_after_days=4))
    [overdue_rule] = [rule for rule in RULES if rule.name == "overdue"]

    marks = {late: overdue_rule.match(policy, overdue(late)) for late in (3, 4, 10)}

    assert {late: item.escalated for late, item in marks.items() if item} == {
        3: False,
        4: True,
        10: True,
    }


@given(
    left=st.one_of(st.none(), st.integers(0, 10)),
    late=st.one_of(st.none(), st.integers(1, 30)),
    silent=st.one_of(st.none(), st.integers(1, 60)),
    paused=st.booleans(),
)
def test_the_lead_unit_hears_at_most_one_item_about_a_task(
    left: int | None, late: int | None, silent: int | None, paused: bool
) -> None:
    facts = task(
        working_days_left=None if late else left,
        days_late=late,
        working_days_late=late,
        paused=paused,
        silent_days=silent,
    )

    heard(ReminderPolicy(), facts)  # asserts one item per audience

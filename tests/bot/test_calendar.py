"""The working-day calendar: Vietnamese public holidays, Tết, day swaps, weekends."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.calendar import WorkCalendar
from config.calendar_defaults import KNOWN_DAYS_OFF, KNOWN_MAKEUP_DAYS

D = dt.date


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    """The calendar as shipped: holidays + the known state-sector day swaps."""
    return WorkCalendar(KNOWN_DAYS_OFF, KNOWN_MAKEUP_DAYS)


def test_tet_2026_is_off_from_16_to_20_february(calendar: WorkCalendar) -> None:
    tet = [D(2026, 2, day) for day in range(16, 21)]
    assert [calendar.is_working_day(day) for day in tet] == [False] * 5
    assert calendar.is_working_day(D(2026, 2, 13))  # Friday before
    assert calendar.is_working_day(D(2026, 2, 23))  # Monday after
    assert calendar.next_working_day(D(2026, 2, 14)) == D(2026, 2, 23)
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_new_year_2026_swap_friday_off_saturday_worked(calendar: WorkCalendar) -> None:
    assert not calendar.is_working_day(D(2026, 1, 1))
    assert not calendar.is_working_day(D(2026, 1, 2))  # 12729/VPCP-KGVX
    assert calendar.is_working_day(D(2026, 1, 10))  # Saturday made up
    assert not calendar.is_working_day(D(2026, 1, 17))  # an ordinary Saturday


def test_2025_swap_friday_2_may_off_saturday_26_april_worked(calendar: WorkCalendar) -> None:
    assert not calendar.is_working_day(D(2025, 5, 2))
    assert calendar.is_working_day(D(2025, 4, 26))


def test_reunification_labour_and_national_days(calendar: WorkCalendar) -> None:
    for day in (D(2025, 4, 30), D(2025, 5, 1), D(2026, 4, 30), D(2026, 5, 1)):
        assert not calendar.is_working_day(day), day
    # 2/9 plus one adjacent day.
    assert not calendar.is_working_day(D(2025, 9, 1))
    assert not calendar.is_working_day(D(2025, 9, 2))
    assert not calendar.is_working_day(D(2027, 9, 2))
    assert not calendar.is_working_day(D(2027, 9, 3))


def test_hung_kings_day_on_a_sunday_is_observed_on_monday(calendar: WorkCalendar) -> None:
    assert not calendar.is_working_day(D(2025, 4, 7))  # 10/3 lunar, a Monday
    assert D(2026, 4, 26).weekday() == 6  # 10/3 lunar 2026 is a Sunday
    assert not calendar.is_working_day(D(2026, 4, 27))  # taken on the next working day
    assert calendar.is_working_day(D(2026, 4, 28))


def test_labour_day_on_a_saturday_is_observed_on_monday(calendar: WorkCalendar) -> None:
    assert D(2027, 5, 1).weekday() == 5
    assert not calendar.is_working_day(D(2027, 5, 3))


def test_vietnamese_culture_day_is_off_from_2026(calendar: WorkCalendar) -> None:
    assert calendar.is_working_day(D(2025, 11, 24))  # a Monday before the law applied
    assert not calendar.is_working_day(D(2026, 11, 24))
    assert not calendar.is_working_day(D(2027, 11, 24))


def test_swaps_known_to_the_holidays_package_keep_both_halves(calendar: WorkCalendar) -> None:
    """Monday 31/08/2026 is off in exchange for Saturday 22/08/2026 being worked."""
    assert not calendar.is_working_day(D(2026, 8, 31))
    assert calendar.is_working_day(D(2026, 8, 22))


def test_configured_days_off_and_makeup_days_are_honoured() -> None:
    calendar = WorkCalendar(extra_days_off=[D(2027, 3, 3)], makeup_working_days=[D(2027, 3, 6)])
    assert not calendar.is_working_day(D(2027, 3, 3))
    assert calendar.is_working_day(D(2027, 3, 6))
    assert not WorkCalendar().is_working_day(D(2027, 3, 6))


def test_weekends_are_not_working_days(calendar: WorkCalendar) -> None:
    assert not calendar.is_working_day(D(2025, 12, 13))
    assert not calendar.is_working_day(D(2025, 12, 14))
    assert calendar.is_working_day(D(2025, 12, 15))


def test_reminder_day_of_a_deadline_on_a_day_off_is_the_working_day_before(
    calendar: WorkCalendar,
) -> None:
    assert calendar.reminder_day(D(2026, 2, 18)) == D(2026, 2, 13)
    assert calendar.reminder_day(D(2025, 12, 13)) == D(2025, 12, 12)
    assert calendar.reminder_day(D(2025, 12, 15)) == D(2025, 12, 15)


def test_counting_across_tet(calendar: WorkCalendar) -> None:
    # From Monday 09/02/2026 to Monday 23/02/2026: 4 days that week + Monday 23.
    assert calendar.working_days_between(D(2026, 2, 9), D(2026, 2, 23)) == 5
    assert calendar.add_working_days(D(2026, 2, 12), 2) == D(2026, 2, 23)
    assert calendar.add_working_days(D(2026, 2, 23), -2) == D(2026, 2, 12)
    assert calendar.working_days_between(D(2026, 2, 23), D(2026, 2, 9)) == -5


days = st.dates(min_value=D(2024, 1, 1), max_value=D(2028, 12, 31))
CALENDAR = WorkCalendar(KNOWN_DAYS_OFF, KNOWN_MAKEUP_DAYS)


@given(days, st.integers(min_value=-60, max_value=60))
def test_add_working_days_lands_on_a_working_day_that_far_away(day: dt.date, n: int) -> None:
    """Forward: n working days in (day, result]; backward: |n| in [result, day)."""
    result = CALENDAR.add_working_days(day, n)
    one = dt.timedelta(days=1)
    if n > 0:
        assert CALENDAR.is_working_day(result)
        assert CALENDAR.working_days_between(day, result) == n
    elif n < 0:
        assert CALENDAR.is_working_day(result)
        assert CALENDAR.working_days_between(result - one, day - one) == -n
    else:
        assert result == day


@given(days, days)
def test_working_days_between_is_antisymmetric_and_bounded(a: dt.date, b: dt.date) -> None:
    forward = CALENDAR.working_days_between(a, b)
    assert forward == -CALENDAR.working_days_between(b, a)
    assert abs(forward) <= abs((b - a).days)


@given(days, days, days)
def test_working_days_between_adds_up(a: dt.date, b: dt.date, c: dt.date) -> None:
    between = CALENDAR.working_days_between
    assert between(a, b) + between(b, c) == between(a, c)


@given(days)
def test_next_and_previous_working_day(day: dt.date) -> None:
    after = CALENDAR.next_working_day(day)
    before = CALENDAR.previous_working_day(day)
    assert before <= day <= after
    assert CALENDAR.is_working_day(after) and CALENDAR.is_working_day(before)
    assert CALENDAR.working_days_between(before, after) == (0 if before == after else 1)

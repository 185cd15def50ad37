"""Periods as people type them: month, quarter, year, date range."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.evaluation.periods import PeriodError, PeriodKind, parse_period


def test_each_form_gives_its_dates_and_previous_period() -> None:
    november = parse_period("2026-11")
    assert (november.kind, november.start, november.end) == (
        PeriodKind.MONTH,
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert november.previous().label == "2026-10"
    q1 = parse_period("2026-q1")
    assert (q1.start, q1.end, q1.previous().label) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
        "2025-Q4",
    )
    year = parse_period(" 2026 ")
    assert (year.start, year.end, year.previous().label) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        "2025",
    )
    tet = parse_period("2026-02-01..2026-02-18")
    assert tet.previous().label == "2026-01-14..2026-01-31"
    assert tet.as_of(dt.date(2026, 2, 10)) == dt.date(2026, 2, 10)
    assert tet.as_of(dt.date(2026, 3, 2)) == dt.date(2026, 2, 18)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-13", "month 13 does not exist"),
        ("2026-Q5", "is not a period"),
        ("2026-02-30..2026-03-01", "is not a date that exists"),
        ("2026-03-01..2026-02-01", "the range ends before it starts"),
        ("tháng 11", "is not a period"),
        ("", "is not a period"),
    ],
)
def test_bad_periods_are_refused_with_the_accepted_forms(text: str, reason: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert reason in str(caught.value)


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9998, 12, 31)))
def test_every_label_reads_back_and_periods_tile_the_calendar(day: dt.date) -> None:
    for text in (
        f"{day.year}-{day.month:02d}",
        f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        f"{day.year}",
        f"{day.isoformat()}..{(day + dt.timedelta(days=9)).isoformat()}",
    ):
        period = parse_period(text)
        assert parse_period(period.label) == period
        assert period.start <= day <= period.end
        before = period.previous()
        assert before.end + dt.timedelta(days=1) == period.start
        assert before.kind is period.kind


@given(st.text(max_size=30))
def test_any_text_is_read_or_refused_with_a_period_error(text: str) -> None:
    try:
        period = parse_period(text)
    except PeriodError:
        return
    assert period.start <= period.end

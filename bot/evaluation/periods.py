"""Evaluation periods: a month ("2026-11"), a quarter ("2026-Q4"), a year ("2026") or a date
range ("2026-11-01..2026-11-30"). Every period has a previous one of the same length, which
rankings compare against."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass


class PeriodError(ValueError):
    """A period that cannot be read; the message says which forms are accepted."""


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
FORMS = "2026-11 (month), 2026-Q4 (quarter), 2026 (year), 2026-11-01..2026-11-30 (range)"


@dataclass(frozen=True)
class Period:
    """Inclusive local calendar dates ``start``..``end``."""

    kind: PeriodKind
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """The canonical text form, which :func:`parse_period` reads back."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.YEAR:
            return f"{self.start.year:04d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind is PeriodKind.MONTH:
            return month(_shift_month(self.start, -1))
        if self.kind is PeriodKind.QUARTER:
            return quarter(_shift_month(self.start, -3))
        if self.kind is PeriodKind.YEAR:
            return year(self.start.year - 1)
        end = self.start - dt.timedelta(days=1)
        return Period(PeriodKind.RANGE, end - dt.timedelta(days=self.days - 1), end)

    def as_of(self, today: dt.date) -> dt.date:
        """The day the period's results are read on: its end, or today while it runs."""
        return min(self.end, today)


def _shift_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month(day: dt.date) -> Period:
    """The calendar month containing ``day``."""
    start = day.replace(day=1)
    end = _shift_month(start, 1) - dt.timedelta(days=1)
    return Period(PeriodKind.MONTH, start, end)


def quarter(day: dt.date) -> Period:
    """The calendar quarter containing ``day``."""
    start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    end = _shift_month(start, 3) - dt.timedelta(days=1)
    return Period(PeriodKind.QUARTER, start, end)


def year(number: int) -> Period:
    return Period(PeriodKind.YEAR, dt.date(number, 1, 1), dt.date(number, 12, 31))


def parse_period(text: str) -> Period:
    """Read a period; raise :class:`PeriodError` naming the accepted forms."""
    value = text.strip()
    try:
        if found := _MONTH.match(value):
            number = int(found.group(2))
            if not 1 <= number <= 12:
                raise PeriodError(f"{text!r}: month {number} does not exist; use {FORMS}")
            return month(dt.date(int(found.group(1)), number, 1))
        if found := _QUARTER.match(value):
            return quarter(dt.date(int(found.group(1)), (int(found.group(2)) - 1) * 3 + 1, 1))
        if found := _YEAR.match(value):
            return year(int(found.group(1)))
        if found := _RANGE.match(value):
            start = dt.date.fromisoformat(found.group(1))
            end = dt.date.fromisoformat(found.group(2))
            if end < start:
                raise PeriodError(f"{text!r}: the range ends before it starts")
            return Period(PeriodKind.RANGE, start, end)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"{text!r} is not a date that exists; use {FORMS}") from None
    raise PeriodError(f"{text!r} is not a period; use {FORMS}")

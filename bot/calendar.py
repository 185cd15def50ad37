"""Working-day calendar: Monday–Friday minus Vietnamese public holidays and configured days off,
plus configured make-up working days (Saturdays worked by government notice)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _vn_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """For one year: Vietnamese public holidays (Tết and observed days included), and the
    weekend days worked by government notice that ``holidays`` knows (the other half of a
    swap whose day off it lists, e.g. Saturday 22/08/2026 for Monday 31/08/2026)."""
    calendar = holidays.country_holidays("VN", years=year)
    worked = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return frozenset(calendar.keys()), worked


def _vn_holidays(year: int) -> frozenset[dt.date]:
    return _vn_year(year)[0]


def _vn_weekend_workdays(year: int) -> frozenset[dt.date]:
    return _vn_year(year)[1]


class WorkCalendar:
    """Answers 'is this a working day' and counts working days between dates."""

    def __init__(
        self,
        extra_days_off: Iterable[dt.date] = (),
        makeup_working_days: Iterable[dt.date] = (),
    ) -> None:
        self.extra_days_off = frozenset(extra_days_off)
        self.makeup_working_days = frozenset(makeup_working_days)
        self._cache: dict[dt.date, bool] = {}

    def is_holiday(self, day: dt.date) -> bool:
        """A public holiday or a configured day off (weekends are not 'holidays')."""
        return day in self.extra_days_off or day in _vn_holidays(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        if day in self.makeup_working_days or day in _vn_weekend_workdays(day.year):
            result = True
        elif day.weekday() >= 5:
            result = False
        else:
            result = not self.is_holiday(day)
        self._cache[day] = result
        return result

    def next_working_day(self, day: dt.date, *, inclusive: bool = True) -> dt.date:
        current = day if inclusive else day + dt.timedelta(days=1)
        while not self.is_working_day(current):
            current += dt.timedelta(days=1)
        return current

    def previous_working_day(self, day: dt.date, *, inclusive: bool = True) -> dt.date:
        current = day if inclusive else day - dt.timedelta(days=1)
        while not self.is_working_day(current):
            current -= dt.timedelta(days=1)
        return current

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The working day ``count`` working days after (or before, if negative) ``day``."""
        step = dt.timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        current = day
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end] when end > start; negative of (end, start] otherwise.

        ``working_days_between(today, deadline)`` is 'working days left';
        ``working_days_between(deadline, today)`` is 'working days late'.
        """
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = (start, end) if sign > 0 else (end, start)
        count = 0
        current = low + dt.timedelta(days=1)
        while current <= high:
            if self.is_working_day(current):
                count += 1
            current += dt.timedelta(days=1)
        return sign * count

    def reminder_day(self, deadline: dt.date) -> dt.date:
        """The day a deadline is reminded on: itself, or the working day before it."""
        return self.previous_working_day(deadline)

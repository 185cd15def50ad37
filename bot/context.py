"""What every service needs: settings, database, clock and calendar, in one object."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.calendar import WorkCalendar
from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.metrics import Metrics
from config import Settings


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    calendar: WorkCalendar = field(init=False)
    outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when something is queued for immediate sending; wakes the dispatcher."""
    metrics: Metrics = field(default_factory=Metrics)
    """This instance's Prometheus metrics (served at ``/metrics``)."""

    def __post_init__(self) -> None:
        self.calendar = WorkCalendar(self.settings.days_off, self.settings.working_weekend_days)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def now(self) -> dt.datetime:
        return self.clock.now()

    def local_now(self) -> dt.datetime:
        return self.clock.now().astimezone(self.tz)

    def today(self) -> dt.date:
        return self.local_now().date()

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def at_local(self, day: dt.date, time: dt.time) -> dt.datetime:
        """The UTC instant of a local wall-clock time on a local date."""
        return dt.datetime.combine(day, time, tzinfo=self.tz).astimezone(dt.UTC)

"""Prometheus metrics of one running instance, served at ``/metrics`` (prometheus-client).

Each :class:`Metrics` has its own ``CollectorRegistry`` (not the library's global one), so
several apps in one process (tests, benchmarks) keep separate counts. Counters and
histograms move where the work happens (the chat dispatcher, the outbox dispatcher, the
scheduler); the outbox backlog is read from the database when Prometheus scrapes, with two
small queries on the outbox's ``(status, not_before)`` index.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.models import OutboxMessage, OutboxStatus

METRICS_PATH = "/metrics"
_REPORTS_KEY = "dondoc.reports_stored"
"""Key in ``Session.info``: reports written in the session, counted once it commits."""

TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
JOB_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)

SEND_OK = "ok"
SEND_RATE_LIMITED = "429"
SEND_SERVER_ERROR = "5xx"
SEND_BLOCKED = "blocked"
SEND_REJECTED = "rejected"
SEND_AMBIGUOUS = "ambiguous"
SEND_ERROR = "error"


class Metrics:
    """The metrics of one instance."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.updates = Counter(
            "dondoc_updates_handled",
            "Incoming chat messages and button presses handled, by channel.",
            ["channel"],
            registry=registry,
        )
        self.reports = Counter(
            "dondoc_reports_stored", "Progress reports committed.", registry=registry
        )
        self.turn_seconds = Histogram(
            "dondoc_turn_seconds",
            "Time to handle one incoming message (one transaction, replies not yet sent).",
            buckets=TURN_BUCKETS,
            registry=registry,
        )
        self.sends = Counter(
            "dondoc_outbox_sends",
            "Outbox send attempts by channel and result: ok, 429, 5xx, blocked (403), rejected "
            "(other 4xx), ambiguous (no answer: maybe delivered), error (a sender bug).",
            ["channel", "result"],
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "dondoc_outbox_pending",
            "Outbox messages waiting to be sent (due now or later).",
            registry=registry,
        )
        self.outbox_oldest_due_age = Gauge(
            "dondoc_outbox_oldest_due_age_seconds",
            "How long the oldest due outbox message has been waiting (0 when none is due).",
            registry=registry,
        )
        self.planner_seconds = Histogram(
            "dondoc_planner_tick_seconds",
            "Duration of one reminder planner tick.",
            buckets=JOB_BUCKETS,
            registry=registry,
        )
        self.digest_seconds = Histogram(
            "dondoc_digest_seconds",
            "Duration of one digest round, by kind (daily, weekly).",
            ["kind"],
            buckets=JOB_BUCKETS,
            registry=registry,
        )

    def report_stored(self, session: AsyncSession) -> None:
        """Note a report written in ``session``; :meth:`count_committed` counts it."""
        session.info[_REPORTS_KEY] = session.info.get(_REPORTS_KEY, 0) + 1

    def count_committed(self, session: AsyncSession) -> None:
        """Count the reports of a session that has committed."""
        stored = session.info.pop(_REPORTS_KEY, 0)
        if stored:
            self.reports.inc(stored)

    @contextmanager
    def timed(self, histogram: Histogram, **labels: str) -> Iterator[None]:
        """Observe the duration of the block (also when it raises)."""
        target: Any = histogram.labels(**labels) if labels else histogram
        started = time.perf_counter()
        try:
            yield
        finally:
            target.observe(time.perf_counter() - started)

    async def read_outbox(self, db: Database, now: dt.datetime) -> None:
        """Set the outbox gauges from the database."""
        pending = OutboxMessage.status == OutboxStatus.PENDING
        async with db.session() as session:
            count = await session.scalar(select(func.count()).where(pending))
            oldest = await session.scalar(
                select(func.min(OutboxMessage.not_before)).where(
                    pending, OutboxMessage.not_before <= now
                )
            )
        self.outbox_pending.set(count or 0)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        self.outbox_oldest_due_age.set(max(age, 0.0))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def metrics_endpoint(
    metrics: Metrics, db: Database, now: Callable[[], dt.datetime]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler of ``GET /metrics``."""

    async def serve(_request: web.Request) -> web.Response:
        await metrics.read_outbox(db, now())
        response = web.Response(body=metrics.exposition())
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        response.charset = "utf-8"
        return response

    return serve

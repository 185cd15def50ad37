"""The daily status snapshot job: each unit's four categories once a day, for trends.

Runs at start and every :data:`INTERVAL_MINUTES`; the first run of a local day writes the
day's rows, later runs find them and do nothing (the unique (unit, day) key also guards
several instances)."""

from __future__ import annotations

import logging

from bot.context import AppContext
from bot.evaluation.trends import record_snapshot

log = logging.getLogger(__name__)

INTERVAL_MINUTES = 30


async def run_snapshot(ctx: AppContext) -> int:
    """Write today's snapshot if it is not there yet; returns the rows written."""
    async with ctx.db.session() as session:
        written = await record_snapshot(session, ctx, ctx.today())
    if written:
        log.info("status snapshot for %s: %d units", ctx.today(), written)
    return written

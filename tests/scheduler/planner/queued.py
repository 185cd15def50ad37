"""What the planner queued: the outbox rows with their payloads, and local times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.context import AppContext
from bot.messages import Reply
from bot.models import OutboxMessage, OutboxPayload

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HCM)


async def outbox_rows(ctx: AppContext) -> list[OutboxMessage]:
    """The outbox rows, each with its payload (shared payloads resolved, not saved)."""
    async with ctx.db.session() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            if row.shared_payload_id is not None:
                shared = await session.get_one(OutboxPayload, row.shared_payload_id)
                session.expunge(row)
                row.payload = shared.payload
    return rows


async def only_reply(ctx: AppContext, chat_id: str) -> Reply:
    """The one reminder queued for a chat."""
    rows = [row for row in await outbox_rows(ctx) if row.chat_id == chat_id]
    assert len(rows) == 1, rows
    return Reply.from_dict(rows[0].payload["replies"][0])

"""The outbox: enqueueing is idempotent by dedupe key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.context import AppContext
from bot.messages import Button, Reply
from bot.models import OutboxMessage, OutboxStatus
from bot.services.outbox import Recipient, enqueue


async def test_enqueue_twice_with_the_same_key_queues_one_message(ctx: AppContext) -> None:
    recipient = Recipient(channel="telegram", chat_id="42")
    reply = Reply("Nhắc việc", buttons=[[Button("Báo cáo", "rp:NQ-01")]])
    async with ctx.db.session() as session:
        first = await enqueue(session, ctx, recipient, [reply], kind="reminder", dedupe_key="k1")
    assert ctx.outbox_ready.is_set()
    ctx.outbox_ready.clear()
    async with ctx.db.session() as session:
        second = await enqueue(
            session, ctx, recipient, [Reply("khác")], kind="reminder", dedupe_key="k1"
        )
    assert (first, second) == (True, False)
    assert not ctx.outbox_ready.is_set()
    async with ctx.db.session() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert len(rows) == 1
    assert rows[0].status is OutboxStatus.PENDING
    assert [Reply.from_dict(r) for r in rows[0].payload["replies"]] == [reply]


async def test_a_message_for_later_does_not_wake_the_dispatcher(ctx: AppContext) -> None:
    later = ctx.now() + dt.timedelta(hours=1)
    async with ctx.db.session() as session:
        queued = await enqueue(
            session,
            ctx,
            Recipient(channel="zalo", chat_id="z1"),
            [Reply("Sáng mai")],
            kind="digest",
            dedupe_key="k2",
            not_before=later,
        )
    assert queued and not ctx.outbox_ready.is_set()
    async with ctx.db.session() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row is not None and row.not_before == later

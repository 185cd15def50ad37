"""Retention: old processed-update keys and unlinked web-chat history go, the rest stays."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.app import Runtime, scheduler_component
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import ChannelIdentity, InboundUpdate, Official, Role, WebMessage
from bot.services.retention import prune_expired


def days_ago(clock: FrozenClock, days: float) -> dt.datetime:
    return clock.now() - dt.timedelta(days=days)


async def fill(ctx: AppContext, clock: FrozenClock) -> None:
    async with ctx.db.session() as session:
        official = Official(
            code="CV-01",
            full_name="Nguyễn Thị Hoa",
            role=Role.STAFF,
            created_at=days_ago(clock, 400),
        )
        session.add(official)
        await session.flush()
        for chat, active in (("linked", True), ("revoked", False)):
            session.add(
                ChannelIdentity(
                    official_id=official.id,
                    channel="web",
                    external_user_id=chat,
                    chat_id=chat,
                    active=active,
                    created_at=days_ago(clock, 400),
                )
            )
        for key, age in (("old", 91), ("edge", 89), ("new", 1)):
            session.add(
                InboundUpdate(channel="telegram", update_key=key, processed_at=days_ago(clock, age))
            )
        for chat, text, age in (
            ("anon", "anon-old", 120),
            ("anon", "anon-new", 2),
            ("linked", "linked-old", 300),
            ("revoked", "revoked-old", 100),
        ):
            session.add(
                WebMessage(
                    chat_id=chat,
                    direction="in",
                    payload={"text": text},
                    created_at=days_ago(clock, age),
                )
            )


async def remaining(ctx: AppContext) -> tuple[list[str], list[str]]:
    async with ctx.db.session() as session:
        keys = sorted(await session.scalars(select(InboundUpdate.update_key)))
        rows = await session.scalars(select(WebMessage))
        texts = sorted(row.payload["text"] for row in rows)
    return keys, texts


async def test_the_daily_job_prunes_what_is_past_the_retention_period(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await fill(ctx, clock)
    await scheduler_component(Runtime(ctx)).prune()
    assert await remaining(ctx) == (
        ["edge", "new"],
        ["anon-new", "linked-old"],
    )


async def test_the_period_is_a_setting_and_time_moves_it(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await fill(ctx, clock)
    short = AppContext(
        settings=ctx.settings.model_copy(update={"retention_days": 30}), db=ctx.db, clock=clock
    )
    async with ctx.db.session() as session:
        pruned = await prune_expired(session, short)
    assert (pruned.inbound_updates, pruned.web_messages) == (2, 2)
    clock.advance(dt.timedelta(days=30))
    async with ctx.db.session() as session:
        pruned = await prune_expired(session, short)
    assert (pruned.inbound_updates, pruned.web_messages) == (1, 1)
    assert await remaining(ctx) == ([], ["linked-old"])

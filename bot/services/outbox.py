"""Queueing outgoing messages and finding where a person's or unit's messages should go.

The scheduler's dispatcher sends what is queued here; a unique ``dedupe_key`` makes every
enqueue idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.messages import Reply
from bot.models import ChannelIdentity, GroupBinding, Official, OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class Recipient:
    """One chat a message can go to."""

    channel: str
    chat_id: str
    language: str = "vi"
    official_id: int | None = None
    unit_id: int | None = None
    is_group: bool = False

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.chat_id}"


def wanted_channels(official: Official) -> set[str] | None:
    """The channels an official chose with /kenh; None means every linked channel."""
    if not official.notify_channels:
        return None
    return {part.strip() for part in official.notify_channels.split(",") if part.strip()}


async def official_recipients(
    session: AsyncSession, official_ids: Iterable[int]
) -> dict[int, list[Recipient]]:
    """Active chats of each official, honouring their channel choice."""
    ids = list(set(official_ids))
    found: dict[int, list[Recipient]] = defaultdict(list)
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        rows = await session.execute(
            select(ChannelIdentity, Official)
            .join(Official, Official.id == ChannelIdentity.official_id)
            .where(
                ChannelIdentity.official_id.in_(chunk),
                ChannelIdentity.active.is_(True),
                Official.active.is_(True),
            )
            .order_by(ChannelIdentity.id)
        )
        for identity, official in rows:
            chosen = wanted_channels(official)
            if chosen is not None and identity.channel.value not in chosen:
                continue
            found[official.id].append(
                Recipient(
                    channel=identity.channel.value,
                    chat_id=identity.chat_id,
                    language=official.language,
                    official_id=official.id,
                    unit_id=official.unit_id,
                )
            )
    return found


async def unit_groups(session: AsyncSession, unit_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """Group chats bound to each unit."""
    ids = list(set(unit_ids))
    found: dict[int, list[Recipient]] = defaultdict(list)
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        rows = await session.scalars(
            select(GroupBinding).where(
                GroupBinding.unit_id.in_(chunk), GroupBinding.active.is_(True)
            )
        )
        for binding in rows:
            found[binding.unit_id].append(
                Recipient(
                    channel=binding.channel.value,
                    chat_id=binding.chat_id,
                    unit_id=binding.unit_id,
                    is_group=True,
                )
            )
    return found


async def enqueue(
    session: AsyncSession,
    ctx: AppContext,
    recipient: Recipient,
    replies: Sequence[Reply],
    *,
    kind: str,
    dedupe_key: str,
    not_before: dt.datetime | None = None,
    priority: int = 50,
    window_day: dt.date | None = None,
    expires_at: dt.datetime | None = None,
    late: bool = False,
) -> bool:
    """Queue a message unless one with the same ``dedupe_key`` exists. True if queued."""
    now = ctx.now()
    values = {
        "dedupe_key": dedupe_key,
        "channel": recipient.channel,
        "chat_id": recipient.chat_id,
        "is_group": recipient.is_group,
        "official_id": recipient.official_id,
        "unit_id": recipient.unit_id,
        "kind": kind,
        "priority": priority,
        "payload": {"replies": [reply.to_dict() for reply in replies]},
        "window_day": window_day,
        "not_before": not_before or now,
        "expires_at": expires_at,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "late": late,
        "created_at": now,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(statement)
    queued = bool(getattr(result, "rowcount", 0))
    if queued and (not_before is None or not_before <= now):
        ctx.outbox_ready.set()
    return queued


async def notify_official(
    session: AsyncSession,
    ctx: AppContext,
    official_id: int,
    build: Callable[[str], Reply],
    *,
    kind: str,
    key: str,
) -> int:
    """Queue an immediate notice to every chat of one official; returns how many."""
    recipients = (await official_recipients(session, [official_id])).get(official_id, [])
    count = 0
    for recipient in recipients:
        queued = await enqueue(
            session,
            ctx,
            recipient,
            [build(recipient.language)],
            kind=kind,
            dedupe_key=f"{kind}:{key}:{recipient.key}",
            priority=10,
        )
        count += int(queued)
    return count

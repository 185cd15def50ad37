"""From planned messages to outbox rows: one row per chat per window, under a unique key.

Every row is made by :meth:`Window.row`, whether the values are Python (a planned message,
bulk-inserted) or SQL columns (the database fan-out's ``INSERT … SELECT``): the key, the
columns and the window's times are stated there once. Rows are inserted with ``ON CONFLICT
(dedupe_key) DO NOTHING``, so a restart or a second instance can only hit the key, and the
personal messages queued first keep their chat's key against the fan-out. Each distinct text
is stored once in ``outbox_payloads``; rows point at it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.schema import CreateTable

from bot.context import AppContext
from bot.models import OutboxMessage, OutboxPayload, OutboxStatus
from scheduler.planner.due import DueItems
from scheduler.planner.messages import PlannedMessage, has_buttons, render_items
from scheduler.planner.recipients import Units, chunked, member_chats
from scheduler.reminders import message_priority

REMINDER_KIND = "reminder"
INSERT_BATCH = 1000
OUTBOX = typing.cast(Table, OutboxMessage.__table__)
PAYLOADS = typing.cast(Table, OutboxPayload.__table__)


@overload
def reminder_key(channel: str, chat_id: str, day: dt.date) -> str: ...


@overload
def reminder_key(
    channel: ColumnElement[str], chat_id: ColumnElement[str], day: dt.date
) -> ColumnElement[str]: ...


def reminder_key(channel: Any, chat_id: Any, day: dt.date) -> Any:
    """``reminder:<channel>:<chat_id>:<yyyy-mm-dd>``, from values or from SQL string columns."""
    return f"{REMINDER_KIND}:" + channel + ":" + chat_id + f":{day.isoformat()}"


@dataclass(frozen=True)
class Window:
    """One day's send window and how its rows are queued."""

    day: dt.date
    not_before: dt.datetime
    expires_at: dt.datetime
    created_at: dt.datetime
    status: OutboxStatus
    late: bool

    @classmethod
    def of(cls, ctx: AppContext, day: dt.date, *, status: OutboxStatus, late: bool) -> Window:
        policy = ctx.settings.reminders
        return cls(
            day,
            ctx.at_local(day, policy.send_time),
            ctx.at_local(day, policy.send_until),
            ctx.now(),
            status,
            late,
        )

    def row(
        self,
        *,
        channel: Any,
        chat_id: Any,
        is_group: Any,
        official_id: Any,
        unit_id: Any,
        priority: Any,
        payload_id: Any,
    ) -> dict[str, Any]:
        """The outbox row of one chat (values or SQL columns)."""
        return {
            "dedupe_key": reminder_key(channel, chat_id, self.day),
            "channel": channel,
            "chat_id": chat_id,
            "is_group": is_group,
            "official_id": official_id,
            "unit_id": unit_id,
            "kind": REMINDER_KIND,
            "priority": priority,
            "payload": {},
            "shared_payload_id": payload_id,
            "window_day": self.day,
            "not_before": self.not_before,
            "expires_at": self.expires_at,
            "status": self.status,
            "attempts": 0,
            "late": self.late,
            "created_at": self.created_at,
            "parts_sent": 0,
            "ambiguous": 0,
        }


def late_since(ctx: AppContext, late: bool) -> str | None:
    """What a late message says about when the window opened ("08:00"), or None."""
    return ctx.settings.reminders.send_time.strftime("%H:%M") if late else None


def _insert(connection: AsyncConnection) -> Any:
    return pg_insert if connection.dialect.name == "postgresql" else sqlite_insert


async def queue_messages(
    session: AsyncSession,
    ctx: AppContext,
    messages: Sequence[PlannedMessage],
    day: dt.date,
    *,
    status: OutboxStatus = OutboxStatus.PENDING,
    late: bool = False,
) -> int:
    """Bulk-insert the rows of planned messages (existing keys are left alone); returns the
    rows inserted. A unit's ten members sharing one item map cost one rendering."""
    window = Window.of(ctx, day, status=status, late=late)
    since = late_since(ctx, late)
    rendered: dict[tuple[Any, ...], str] = {}
    payloads: list[str] = []
    for message in messages:
        recipient = message.recipient
        buttons = has_buttons(recipient.channel)
        cache_key = (id(message.items), message.unit_name, recipient.language, buttons)
        payload = rendered.get(cache_key)
        if payload is None:
            payload = rendered[cache_key] = _json(
                render_items(
                    message.items,
                    buttons=buttons,
                    language=recipient.language,
                    unit_name=message.unit_name,
                    day=day,
                    late_since=since,
                )
            )
        payloads.append(payload)
    connection = await session.connection()
    payload_ids = await store_payloads(connection, set(rendered.values()), window.created_at)
    rows = [
        window.row(
            channel=message.recipient.channel,
            chat_id=message.recipient.chat_id,
            is_group=message.recipient.is_group,
            official_id=message.recipient.official_id,
            unit_id=message.recipient.unit_id,
            priority=message.priority,
            payload_id=payload_ids[payload],
        )
        for message, payload in zip(messages, payloads, strict=True)
    ]
    statement = (
        _insert(connection)(OUTBOX)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OUTBOX.c.id)
    )
    inserted = 0
    for start in range(0, len(rows), INSERT_BATCH):
        result = await connection.execute(statement, rows[start : start + INSERT_BATCH])
        inserted += len(result.all())
    return inserted


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


async def store_payloads(
    connection: AsyncConnection, payloads: set[str], now: dt.datetime
) -> dict[str, int]:
    """Insert each JSON payload once (keyed by its SHA-256); returns payload → row id."""
    by_digest = {hashlib.sha256(payload.encode()).hexdigest(): payload for payload in payloads}
    postgres = connection.dialect.name == "postgresql"
    payload_json = bindparam("payload_json", type_=Text)
    statement = (
        _insert(connection)(PAYLOADS)
        .values(payload=cast(payload_json, JSONB) if postgres else payload_json)
        .on_conflict_do_nothing(index_elements=["digest"])
    )
    params = [
        {"digest": digest, "payload_json": payload, "created_at": now}
        for digest, payload in by_digest.items()
    ]
    for start in range(0, len(params), INSERT_BATCH):
        await connection.execute(statement, params[start : start + INSERT_BATCH])
    ids: dict[str, int] = {}
    for chunk in chunked(list(by_digest), INSERT_BATCH):
        found = await connection.execute(
            select(PAYLOADS.c.digest, PAYLOADS.c.id).where(PAYLOADS.c.digest.in_(chunk))
        )
        for digest, payload_id in found:
            ids[by_digest[digest]] = payload_id
    return ids


#: The rendered unit reminders of one fan-out: per unit, channel and language.
FANOUT = Table(
    "planner_fanout",
    MetaData(),
    Column("unit_id", Integer),
    Column("channel", String(16)),
    Column("language", String(8)),
    Column("payload_id", Integer),
    Column("priority", Integer),
    prefixes=["TEMPORARY"],
)


async def fan_out(
    session: AsyncSession,
    ctx: AppContext,
    due: DueItems,
    units: Units,
    day: dt.date,
    *,
    status: OutboxStatus,
    late: bool,
) -> int:
    """One row per member chat that hears its unit (``recipients.member_chats``) of every unit with
    items, expanded by the database (``INSERT … SELECT``): one rendering per unit, channel
    and language. Returns the rows inserted."""
    unit_ids = sorted(due.unit_items)
    if not unit_ids:
        return 0
    connection = await session.connection()
    members = member_chats().subquery()
    combos: list[tuple[int, str, str]] = []
    for chunk in chunked(unit_ids):
        found = await connection.execute(
            select(members.c.unit_id, members.c.channel, members.c.language)
            .where(members.c.unit_id.in_(chunk), members.c.hears_unit)
            .distinct()
        )
        combos += [(unit_id, channel.value, language) for unit_id, channel, language in found]
    if not combos:
        return 0
    since = late_since(ctx, late)
    payloads = {
        (unit_id, channel, language): _json(
            render_items(
                due.unit_items[unit_id],
                buttons=has_buttons(channel),
                language=language,
                unit_name=units.names.get(unit_id),
                day=day,
                late_since=since,
            )
        )
        for unit_id, channel, language in combos
    }
    window = Window.of(ctx, day, status=status, late=late)
    payload_ids = await store_payloads(connection, set(payloads.values()), window.created_at)
    await connection.execute(CreateTable(FANOUT, if_not_exists=True))
    await connection.execute(delete(FANOUT))
    await connection.execute(
        insert(FANOUT),
        [
            {
                "unit_id": unit_id,
                "channel": channel,
                "language": language,
                "payload_id": payload_ids[payload],
                "priority": message_priority(
                    list(due.unit_items[unit_id].values()), is_group=False
                ),
            }
            for (unit_id, channel, language), payload in payloads.items()
        ],
    )
    row = window.row(
        channel=FANOUT.c.channel,
        chat_id=members.c.chat_id,
        is_group=False,
        official_id=members.c.official_id,
        unit_id=members.c.unit_id,
        priority=FANOUT.c.priority,
        payload_id=FANOUT.c.payload_id,
    )
    rows = (
        select(
            *(
                value if isinstance(value, ColumnElement) else literal(value, OUTBOX.c[name].type)
                for name, value in row.items()
            )
        )
        .select_from(FANOUT)
        .join(
            members,
            (members.c.unit_id == FANOUT.c.unit_id)
            & (members.c.language == FANOUT.c.language)
            & (members.c.channel == FANOUT.c.channel),
        )
        .where(members.c.hears_unit)
    )
    result = await connection.execute(
        _insert(connection)(OUTBOX)
        .from_select(list(row), rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    await connection.execute(delete(FANOUT))
    return max(result.rowcount or 0, 0)

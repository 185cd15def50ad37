"""The audit log: one row for every change, written in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import AuditLog, Official

_INSERT = insert(AuditLog)


async def record(
    session: AsyncSession,
    ctx: AppContext,
    action: str,
    entity: str,
    entity_id: object | None = None,
    *,
    actor: Official | None = None,
    via: str = "",
    **details: Any,
) -> None:
    """Insert an audit row; ``via`` says where it came from (``telegram:123``, ``cli``).

    A plain INSERT on the session's connection rather than an ORM object: the log is only
    ever written, and a change that is otherwise flushed already then needs no second flush.
    """
    connection = await session.connection()
    await connection.execute(
        _INSERT,
        {
            "at": ctx.now(),
            "actor_id": actor.id if actor else None,
            "actor": via,
            "action": action,
            "entity": entity,
            "entity_id": None if entity_id is None else str(entity_id),
            "details": details,
        },
    )


async def record_many(
    session: AsyncSession,
    ctx: AppContext,
    action: str,
    entries: Iterable[tuple[str, object, dict[str, Any]]],
    *,
    via: str = "",
    actor: Official | None = None,
) -> None:
    """Insert one audit row per ``(entity, entity_id, details)`` in a single executemany."""
    at = ctx.now()
    rows = [
        {
            "at": at,
            "actor_id": actor.id if actor else None,
            "actor": via,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "details": details,
        }
        for entity, entity_id, details in entries
    ]
    if rows:
        connection = await session.connection()
        await connection.execute(_INSERT, rows)

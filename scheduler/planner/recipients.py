"""Who is reachable: the chats of units' members, unit heads, groups and leaders.

A chat is reachable when its official is active, the chat identity is active and the
official's ``/kenh`` choice (``notify_channels``, see ``bot.services.outbox.wanted_channels``)
includes its channel. :func:`member_chats` states that once, as one query that the planner's
Python path reads and the database fan-out (``fanout.py``) joins.
"""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Channel, ChannelIdentity, GroupBinding, Official, Role, Unit
from bot.services.outbox import Recipient

#: Ids per ``IN (…)`` list.
CHUNK = 5000
#: Unit members: the staff and the head (leaders and admins hear through their own rules).
MEMBER_ROLES = (Role.STAFF, Role.HEAD)

T = TypeVar("T")


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _wants_channel() -> ColumnElement[bool]:
    """The /kenh choice: empty means every channel, else a comma list naming the channel."""
    chosen = func.coalesce(Official.notify_channels, "")
    return or_(
        chosen == "",
        (literal(",") + func.replace(chosen, " ", "") + literal(",")).like(
            literal("%,") + ChannelIdentity.channel + literal(",%")
        ),
    )


def _reachable() -> tuple[ColumnElement[bool], ...]:
    return (Official.active.is_(True), ChannelIdentity.active.is_(True), _wants_channel())


def member_chats() -> Select[int, str, Role, int | None, str, Channel, str, bool]:
    """Every reachable chat of a unit member, with ``hears_unit``: whether the chat gets the
    unit's reminders itself — not when the unit has an active bound group on that channel,
    which hears them instead."""
    grouped = (
        select(GroupBinding.id)
        .where(
            GroupBinding.unit_id == Official.unit_id,
            GroupBinding.channel == ChannelIdentity.channel,
            GroupBinding.active.is_(True),
        )
        .exists()
    )
    return (
        select(
            Official.id.label("official_id"),
            Official.full_name.label("name"),
            Official.role,
            Official.unit_id,
            Official.language,
            ChannelIdentity.channel,
            ChannelIdentity.chat_id,
            (~grouped).label("hears_unit"),
        )
        .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
        .where(Official.role.in_(MEMBER_ROLES), *_reachable())
    )


@dataclass(frozen=True)
class Member:
    """One reachable chat of a unit member."""

    official_id: int
    name: str
    role: Role
    unit_id: int
    hears_unit: bool
    """The unit's reminders come to this chat (no bound group on its channel)."""
    recipient: Recipient


async def unit_members(
    session: AsyncSession, unit_ids: Sequence[int], *, heads: set[int] | None = None
) -> list[Member]:
    """The reachable member chats of the given units; with ``heads``, only unit heads (role
    head) and these officials (heads by appointment, task handlers)."""
    members: list[Member] = []
    connection = await session.connection()
    query = member_chats()
    if heads is not None:
        query = query.where(or_(Official.role == Role.HEAD, Official.id.in_(heads)))
    for chunk in chunked(unit_ids):
        rows = await connection.execute(
            query.where(Official.unit_id.in_(chunk)).order_by(ChannelIdentity.id)
        )
        for oid, name, role, unit_id, language, channel, chat_id, hears_unit in rows:
            unit = typing.cast(int, unit_id)  # one of ``chunk``
            recipient = Recipient(channel.value, chat_id, language, oid, unit)
            members.append(Member(oid, name, role, unit, bool(hears_unit), recipient))
    return members


async def reachable_handlers(
    session: AsyncSession, handlers: Sequence[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The (official id, unit id) pairs among ``handlers`` whose official is an active member
    of that unit with at least one reachable chat: the handlers who hear their tasks."""
    found: set[tuple[int, int]] = set()
    chats = member_chats().subquery()
    for chunk in chunked(sorted({official for official, _ in handlers})):
        rows = await session.execute(
            select(chats.c.official_id, chats.c.unit_id)
            .where(chats.c.official_id.in_(chunk))
            .distinct()
        )
        found.update((official, typing.cast(int, unit)) for official, unit in rows)
    return found & set(handlers)


async def leader_chats(session: AsyncSession) -> list[tuple[int, str, Recipient]]:
    """(official id, name, chat) of every reachable leader chat."""
    rows = await session.execute(
        select(
            Official.id,
            Official.full_name,
            Official.language,
            ChannelIdentity.channel,
            ChannelIdentity.chat_id,
        )
        .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
        .where(Official.role == Role.LEADER, *_reachable())
        .order_by(ChannelIdentity.id)
    )
    return [
        (oid, name, Recipient(channel.value, chat_id, language, oid))
        for oid, name, language, channel, chat_id in rows
    ]


@dataclass
class Units:
    """Names, heads and active bound groups of the units that have items."""

    names: dict[int, str] = field(default_factory=dict)
    heads: dict[int, int | None] = field(default_factory=dict)
    groups: dict[int, list[tuple[str, str, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """unit id → (channel, chat id, title) of each bound group."""

    def is_head(self, member: Member) -> bool:
        return member.role == Role.HEAD or member.official_id == self.heads.get(member.unit_id)


async def load_units(session: AsyncSession, unit_ids: Sequence[int]) -> Units:
    found = Units()
    for chunk in chunked(unit_ids):
        for uid, name, head_id in await session.execute(
            select(Unit.id, Unit.name, Unit.head_id).where(Unit.id.in_(chunk))
        ):
            found.names[uid] = name
            found.heads[uid] = head_id
        for binding in await session.scalars(
            select(GroupBinding).where(
                GroupBinding.unit_id.in_(chunk), GroupBinding.active.is_(True)
            )
        ):
            found.groups[binding.unit_id].append(
                (binding.channel.value, binding.chat_id, binding.title)
            )
    return found

"""From due items to one message per chat.

A unit's items go to its bound group chats and to its members on channels without a group;
a handler (cán bộ thụ lý) hears the items of their own tasks on every reachable chat; a unit
head also hears the head items personally (even through a group); leaders hear the
extension items they decide plus those every leader decides. Everything one chat should hear
in a window is one :class:`PlannedMessage`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_traits import TRAITS
from bot.context import AppContext
from bot.services.outbox import Recipient
from scheduler.planner.due import DueItems, ItemMap
from scheduler.planner.recipients import Units, leader_chats, unit_members
from scheduler.reminders import message_priority, render_reminder


@dataclass
class PlannedMessage:
    """The reminder one chat gets in one window.

    The members of a unit share one item map (and so one rendering) until a recipient gets
    more items than the others, e.g. a head with escalated tasks: then it gets its own copy.
    """

    recipient: Recipient
    name: str
    unit_name: str | None
    items: ItemMap = field(default_factory=dict)
    shared: bool = False
    priority: int = 0
    """Dispatch order (see ``scheduler.reminders.message_priority``), set once all is added."""

    def add(self, items: ItemMap) -> None:
        if not self.items:
            self.items, self.shared = items, True
            return
        if items is self.items or all(key in self.items for key in items):
            return
        if self.shared:
            self.items, self.shared = dict(self.items), False
        for key, item in items.items():
            self.items.setdefault(key, item)


async def build_messages(
    session: AsyncSession,
    ctx: AppContext,
    due: DueItems,
    units: Units,
    *,
    members_in_sql: bool = False,
) -> list[PlannedMessage]:
    """One message per chat, most urgent first. With ``members_in_sql`` only the messages
    that are not simply "the unit's reminder to one of its members" (groups, heads and
    handlers with more to hear, leaders): ``fanout.fan_out`` inserts the members' rows."""
    messages: dict[tuple[str, str], PlannedMessage] = {}
    group_language = ctx.settings.language

    def deliver(recipient: Recipient, name: str, unit_name: str | None, items: ItemMap) -> None:
        key = (recipient.channel, recipient.chat_id)
        message = messages.get(key)
        if message is None:
            message = messages[key] = PlannedMessage(recipient, name, unit_name)
        message.add(items)

    for unit_id, items in due.unit_items.items():
        unit_name = units.names.get(unit_id, "")
        for channel, chat_id, title in units.groups.get(unit_id, []):
            recipient = Recipient(channel, chat_id, group_language, None, unit_id, is_group=True)
            deliver(recipient, title or unit_name, unit_name, items)
    head_ids = {head for unit_id, head in units.heads.items() if head and unit_id in due.head_items}
    personal_units = set(due.head_items) | set(due.handler_units.values())
    members = await unit_members(
        session,
        sorted(personal_units) if members_in_sql else due.unit_ids,
        heads=head_ids | set(due.handler_units) if members_in_sql else None,
    )
    for member in members:
        unit_name = units.names.get(member.unit_id, "")
        unit_items = due.unit_items.get(member.unit_id, {})
        head_items = due.head_items.get(member.unit_id, {}) if units.is_head(member) else {}
        own_items = due.handler_items.get(member.official_id, {})
        says_it_all = not own_items and all(k in unit_items for k in head_items)
        if members_in_sql and member.hears_unit and says_it_all:
            continue  # the fan-out gives this member the unit's message, which says it all
        if member.hears_unit and unit_items:
            deliver(member.recipient, member.name, unit_name, unit_items)
        if own_items:
            deliver(member.recipient, member.name, unit_name, own_items)
        if head_items:
            deliver(member.recipient, member.name, unit_name, head_items)
    if due.leader_items:
        everyone = due.leader_items.get(None, {})
        for leader_id, name, recipient in await leader_chats(session):
            own = due.leader_items.get(leader_id, {})
            if everyone or own:
                deliver(recipient, name, None, {**everyone, **own})
    priorities: dict[tuple[int, bool], int] = {}
    for message in messages.values():
        key = (id(message.items), message.recipient.is_group)
        if key not in priorities:
            listed = list(message.items.values())
            priorities[key] = message_priority(listed, is_group=message.recipient.is_group)
        message.priority = priorities[key]
    return sorted(messages.values(), key=lambda m: (m.priority, m.recipient.key))


def has_buttons(channel: str) -> bool:
    traits = TRAITS.get(channel)
    return traits.buttons if traits else True


def render_items(
    items: ItemMap,
    *,
    buttons: bool,
    language: str,
    unit_name: str | None,
    day: dt.date,
    late_since: str | None,
) -> dict[str, Any]:
    """The outbox payload of a reminder listing ``items``, in ``language``, with report
    buttons or (``buttons`` false, e.g. Zalo) the one-line report syntax."""
    reply = render_reminder(
        list(items.values()),
        language,
        day=day,
        unit_name=unit_name,
        buttons=buttons,
        late_since=late_since,
    )
    return {"replies": [reply.to_dict()]}


def render_planned(message: PlannedMessage, day: dt.date, late_since: str | None) -> dict[str, Any]:
    """The outbox payload of a planned message, rendered for its channel and language."""
    return render_items(
        message.items,
        buttons=has_buttons(message.recipient.channel),
        language=message.recipient.language,
        unit_name=message.unit_name,
        day=day,
        late_since=late_since,
    )

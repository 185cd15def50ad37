"""Running the real Telegram channel of dondoc against the fake Bot API in tests.

``TelegramBot`` starts a :class:`bot.app.Runtime` whose only component is the real
:class:`TelegramChannel` (polling, or webhook behind the runtime's aiohttp server), with
settings that point ``DONDOC_TELEGRAM_API_URL`` at the fake server. ``World`` puts the units,
officials (linked to Telegram user ids) and tasks of the conversation tests in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.app import RunOptions, Runtime, telegram_channel
from bot.channels.core.retry import RetryPolicy
from bot.channels.telegram.channel import TelegramChannel
from bot.context import AppContext
from bot.db import Database
from bot.messages import Reply
from bot.models import (
    Channel,
    ChannelIdentity,
    Official,
    OutboxMessage,
    OutboxPayload,
    OutboxStatus,
    Role,
    Task,
    Unit,
)
from tests.fakes.telegram_api import FakeTelegramServer, SentMessage

FAST_RETRY = RetryPolicy(backoff=0.02, max_backoff=0.1)

STAFF, HEAD, OTHER_STAFF, LEADER, NEWCOMER = 1001, 1002, 1003, 1004, 1005
GROUP_CHAT = -100777


def telegram_context(
    ctx: AppContext, server: FakeTelegramServer, db: Database | None = None, **settings: Any
) -> AppContext:
    """``ctx`` with the Telegram settings pointing at ``server`` (optionally another
    ``Database`` object on the same URL, like a restarted process would have)."""
    values = {
        "telegram_token": server.token,
        "telegram_api_url": f"{server.url}/bot",
        "telegram_bot_username": "dondoc_test_bot",
        "telegram_rate_limiter": False,
        **settings,
    }
    return AppContext(
        settings=ctx.settings.model_copy(update=values), db=db or ctx.db, clock=ctx.clock
    )


@dataclass
class TelegramBot:
    """The dondoc Telegram channel under test."""

    ctx: AppContext
    webhook_url: str | None = None
    runtime: Runtime = field(init=False)
    channel: TelegramChannel = field(init=False)

    async def start(self) -> TelegramBot:
        options = RunOptions(webhook_url=self.webhook_url, host="127.0.0.1", port=0)
        self.runtime = Runtime(self.ctx, options)
        self.channel = telegram_channel(self.runtime, retry=FAST_RETRY, poll_timeout=5)
        self.runtime.components.append(self.channel)
        if self.webhook_url:
            await self.runtime.start()
        else:
            await self.channel.start()
        return self

    async def stop(self) -> None:
        if self.webhook_url:
            await self.runtime.stop()
        else:
            await self.channel.stop()

    async def crash(self) -> None:
        """Stop like a killed process: in-flight work is abandoned, nothing acknowledged."""
        polling = self.channel._polling
        assert polling is not None
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await self.channel.bot.shutdown()

    async def settled(self) -> None:
        """Wait until every fetched update has been processed (replies included)."""
        poller = self.channel.poller
        assert poller is not None
        await asyncio.wait_for(poller.drained(), 5)

    @property
    def webhook_endpoint(self) -> str:
        runner = self.runtime._runner
        assert runner is not None
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}/telegram/webhook"


async def say(
    server: FakeTelegramServer, user: int, text: str, *, replies: int = 1, chat: int | None = None
) -> list[SentMessage]:
    """A person writes ``text``; returns the bot's new messages to that chat."""
    chat_id = user if chat is None else chat
    before = len(server.sent_messages(chat_id))
    if chat is None:
        server.push_text(user, text)
    else:
        server.push_text(user, text, chat_id=chat, chat_type="supergroup", chat_title="Nhóm SXD")
    sent = await server.wait_for_messages(chat_id, before + replies)
    return sent[before:]


async def press(
    server: FakeTelegramServer, user: int, message: SentMessage, label: str, *, replies: int = 1
) -> list[SentMessage]:
    """A person presses the button labelled ``label`` under ``message``."""
    data = button_data(message, label)
    before = len(server.sent_messages(user))
    server.push_callback(user, data, message.message_id)
    sent = await server.wait_for_messages(user, before + replies)
    return sent[before:]


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    markup = message.reply_markup or {}
    return [
        (b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row
    ]


def button_data(message: SentMessage, label: str) -> str:
    for text, data in buttons(message):
        if text.startswith(label):
            return data
    raise AssertionError(f"no button {label!r} in {buttons(message)}")


@dataclass
class World:
    units: dict[str, Unit] = field(default_factory=dict)
    officials: dict[str, Official] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)


async def build_world(ctx: AppContext) -> World:
    """Two departments, their officials, a leader and three tasks (deadlines around the
    FrozenClock's Monday 08/12/2025)."""
    world = World()
    now = ctx.now()
    async with ctx.db.session() as session:
        for code, name in (("SXD", "Sở Xây dựng"), ("STC", "Sở Tài chính")):
            unit = Unit(code=code, name=name, created_at=now)
            session.add(unit)
            world.units[code] = unit
        await session.flush()
        people = (
            ("CV-SXD", "Nguyễn Thị Lan", "SXD", Role.STAFF, STAFF),
            ("GD-SXD", "Trần Văn Hùng", "SXD", Role.HEAD, HEAD),
            ("CV-STC", "Lê Minh Tuấn", "STC", Role.STAFF, OTHER_STAFF),
            ("CT-UBND", "Phạm Quốc Bảo", None, Role.LEADER, LEADER),
            ("CV-MOI", "Đỗ Thu Hà", "SXD", Role.STAFF, None),
        )
        for code, name, unit_code, role, user in people:
            official = Official(
                code=code,
                full_name=name,
                unit_id=world.units[unit_code].id if unit_code else None,
                role=role,
                created_at=now,
            )
            session.add(official)
            await session.flush()
            world.officials[code] = official
            if user is not None:
                session.add(
                    ChannelIdentity(
                        official_id=official.id,
                        channel=Channel.TELEGRAM,
                        external_user_id=str(user),
                        chat_id=str(user),
                        created_at=now,
                    )
                )
        world.units["SXD"].head_id = world.officials["GD-SXD"].id
        tasks = (
            ("NV-01", "Trình dự thảo điều chỉnh quy hoạch chung thành phố", "SXD", 15, ()),
            ("NV-02", "Kế hoạch đầu tư công năm 2026", "STC", 31, ("SXD",)),
            ("NV-03", "Báo cáo tình hình thu ngân sách", "STC", 1, ()),
        )
        for code, title, lead, day, coordinating in tasks:
            task = Task(
                code=code,
                title=title,
                lead_unit_id=world.units[lead].id,
                deadline=dt.date(2025, 12, day),
                original_deadline=dt.date(2025, 12, day),
                coordinating_units=[world.units[c] for c in coordinating],
                created_at=now,
                updated_at=now,
            )
            session.add(task)
            world.tasks[code] = task
    return world


async def deliver_outbox(ctx: AppContext, runtime: Runtime) -> list[OutboxMessage]:
    """Send the queued notices and reminders (their shared payloads resolved) through the
    channel's outbox sender (the scheduler's dispatcher does this in production)."""
    async with ctx.db.session() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING)
                .order_by(OutboxMessage.id)
            )
        )
        for row in rows:
            sender = runtime.senders[row.channel]
            payload = row.payload
            if row.shared_payload_id is not None:
                payload = (await session.get_one(OutboxPayload, row.shared_payload_id)).payload
            replies: Sequence[Reply] = [Reply.from_dict(r) for r in payload["replies"]]
            await sender.send(row.chat_id, replies, is_group=row.is_group)
            row.status = OutboxStatus.SENT
    return rows


async def seed_reporters(ctx: AppContext, count: int, *, first_user: int) -> None:
    """``count`` units, each with one staff official linked to Telegram user
    ``first_user + n`` (private chat of the same id) and one open task ``T-nnn``."""
    now = ctx.now()
    async with ctx.db.session() as session:
        for n in range(count):
            unit = Unit(code=f"DV-{n:03d}", name=f"Đơn vị {n}", created_at=now)
            session.add(unit)
            await session.flush()
            official = Official(
                code=f"CB-{n:03d}",
                full_name=f"Cán bộ {n}",
                unit_id=unit.id,
                role=Role.STAFF,
                created_at=now,
            )
            session.add(official)
            await session.flush()
            user = str(first_user + n)
            session.add(
                ChannelIdentity(
                    official_id=official.id,
                    channel=Channel.TELEGRAM,
                    external_user_id=user,
                    chat_id=user,
                    created_at=now,
                )
            )
            session.add(
                Task(
                    code=f"T-{n:03d}",
                    title=f"Nhiệm vụ số {n} theo Nghị quyết HĐND thành phố",
                    lead_unit_id=unit.id,
                    deadline=dt.date(2025, 12, 31),
                    created_at=now,
                    updated_at=now,
                )
            )

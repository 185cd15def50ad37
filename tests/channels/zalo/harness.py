"""Running the real Zalo channel of dondoc against the fake Zalo Bot API in tests.

``ZaloBot`` starts a :class:`bot.app.Runtime` whose only component is the real
:class:`ZaloChannel` (polling, or webhook behind the runtime's aiohttp server) with settings
pointing ``DONDOC_ZALO_API_URL`` at the fake. ``World`` holds two departments, their people
and tasks around the FrozenClock's Monday 08/12/2025; people link their Zalo accounts with
real invite codes (``link``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.app import RunOptions, Runtime, zalo_channel
from bot.channel_traits import TELEGRAM, ChannelTraits
from bot.channels.core.retry import RetryPolicy
from bot.channels.zalo.channel import ZaloChannel
from bot.context import AppContext
from bot.messages import Reply
from bot.models import Official, Role, Task, Unit
from bot.sending import SendResult
from bot.services import invites
from scheduler.dispatcher import DispatchStats, OutboxDispatcher
from scheduler.ratelimit import RateLimiter, rates_from_settings
from tests.fakes.zalo_api import FakeZaloServer, SentZaloMessage

FAST_RETRY = RetryPolicy(backoff=0.01, max_backoff=0.05)
WEBHOOK_SECRET = "bí-mật-webhook-123"


def zalo_context(ctx: AppContext, server: FakeZaloServer, **settings: Any) -> AppContext:
    """``ctx`` with the Zalo settings pointing at ``server``."""
    values = {
        "zalo_token": server.token,
        "zalo_api_url": server.url,
        "zalo_webhook_secret": WEBHOOK_SECRET,
        **settings,
    }
    return AppContext(settings=ctx.settings.model_copy(update=values), db=ctx.db, clock=ctx.clock)


@dataclass
class ZaloBot:
    """The dondoc Zalo channel under test (webhook mode when ``webhook_url`` is given)."""

    ctx: AppContext
    webhook_url: str | None = None
    runtime: Runtime = field(init=False)
    channel: ZaloChannel = field(init=False)

    async def start(self) -> ZaloBot:
        options = RunOptions(webhook_url=self.webhook_url, host="127.0.0.1", port=0)
        self.runtime = Runtime(self.ctx, options)
        self.channel = zalo_channel(self.runtime, retry=FAST_RETRY, poll_timeout=1)
        self.runtime.components.append(self.channel)
        await self.runtime.start()
        return self

    async def stop(self) -> None:
        await self.runtime.stop()

    @property
    def base_url(self) -> str:
        runner = self.runtime._runner
        assert runner is not None
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    @property
    def webhook_endpoint(self) -> str:
        return f"{self.base_url}/zalo/webhook"

    async def settled(self) -> None:
        """Wait until every fetched update has been handled (replies included)."""
        processor = self.channel.processor
        assert processor is not None
        async with asyncio.timeout(5):
            while processor.in_flight:  # noqa: ASYNC110 - test helper, bounded
                await asyncio.sleep(0.01)


async def say(
    server: FakeZaloServer, user: str, text: str, *, replies: int = 1
) -> list[SentZaloMessage]:
    """A person writes ``text`` in their private chat; returns the bot's new messages."""
    chat_id = server.chat_id_for(user)
    before = len(server.sent_messages(chat_id))
    server.push_text(user, text)
    sent = await server.wait_for_messages(chat_id, before + replies)
    return sent[before:]


def texts(messages: Sequence[SentZaloMessage]) -> str:
    return "\n---\n".join(m.text or m.caption or "" for m in messages)


@dataclass
class World:
    ctx: AppContext
    units: dict[str, int] = field(default_factory=dict)
    officials: dict[str, int] = field(default_factory=dict)

    async def invite(self, official: str) -> str:
        async with self.ctx.db.session() as session:
            person = await session.get(Official, self.officials[official])
            return await invites.create_invite(session, self.ctx, official=person)

    async def task(self, code: str) -> Task:
        async with self.ctx.db.session() as session:
            task = await session.scalar(select(Task).where(Task.code == code))
            assert task is not None
            return task

    async def official(self, code: str) -> Official:
        async with self.ctx.db.session() as session:
            official = await session.get(Official, self.officials[code])
            assert official is not None
            return official


PEOPLE = (
    ("CV-SXD", "Nguyễn Thị Lan", "SXD", Role.STAFF),
    ("GD-SXD", "Trần Văn Hùng", "SXD", Role.HEAD),
    ("CV-STC", "Lê Minh Tuấn", "STC", Role.STAFF),
    ("CT-UBND", "Phạm Quốc Bảo", None, Role.LEADER),
)
TASKS = (
    ("NV-01", "Trình dự thảo điều chỉnh quy hoạch chung thành phố", "SXD", 9, 40),
    ("NV-02", "Báo cáo tiến độ 45 nghị quyết của HĐND thành phố", "SXD", 3, 10),
    ("NV-03", "Kế hoạch đầu tư công năm 2026", "STC", 31, 0),
)


async def build_world(ctx: AppContext) -> World:
    """Sở Xây dựng (a task due tomorrow, one overdue) and Sở Tài chính, a leader."""
    world = World(ctx)
    now = ctx.now()
    async with ctx.db.session() as session:
        units = {
            code: Unit(code=code, name=name, created_at=now)
            for code, name in (("SXD", "Sở Xây dựng"), ("STC", "Sở Tài chính"))
        }
        session.add_all(units.values())
        await session.flush()
        for code, name, unit, role in PEOPLE:
            official = Official(
                code=code,
                full_name=name,
                unit_id=units[unit].id if unit else None,
                role=role,
                created_at=now,
            )
            session.add(official)
            await session.flush()
            world.officials[code] = official.id
        units["SXD"].head_id = world.officials["GD-SXD"]
        for code, title, lead, day, progress in TASKS:
            deadline = dt.date(2025, 12, day)
            session.add(
                Task(
                    code=code,
                    title=title,
                    lead_unit_id=units[lead].id,
                    deadline=deadline,
                    original_deadline=deadline,
                    progress=progress,
                    created_at=now - dt.timedelta(days=30),
                    updated_at=now,
                )
            )
        world.units = {code: unit.id for code, unit in units.items()}
    return world


async def link(world: World, server: FakeZaloServer, official: str, user: str) -> None:
    """``user`` links their Zalo account with an invite code, as an official would."""
    code = await world.invite(official)
    [answer] = await say(server, user, f"/start {code}")
    assert answer.text is not None and answer.text.startswith("Đã liên kết"), answer.text


class RecordingSender:
    """The outbox's view of another channel (Telegram here): records what it was given."""

    traits: ChannelTraits = TELEGRAM

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Reply]]] = []

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult:
        self.sent.append((chat_id, list(replies)))
        return SendResult(message_id=str(len(self.sent)))


class NoSleep:
    """Records the rate limiter's waits instead of sleeping through them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def drain_outbox(ctx: AppContext, senders: dict[str, Any]) -> DispatchStats:
    """One run of the scheduler's outbox dispatcher with Zalo's configured rate limits
    (waits recorded, not slept)."""
    limiter = RateLimiter(rates_from_settings(ctx.settings.rate_limits), sleep=NoSleep())
    dispatcher = OutboxDispatcher(ctx, senders, limiter=limiter)
    return await dispatcher.drain()

"""The polling loop acknowledges an update only after it was processed.

These tests drive :class:`UpdatePoller` against the fake Bot API with a small processing
function, to pin the offset rules down; the end-to-end tests use the real dispatcher.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from telegram import Bot, Update

from bot.channels.core.retry import RetryPolicy
from bot.channels.telegram.channel import build_bot
from bot.channels.telegram.polling import UpdatePoller
from config import Settings
from tests.fakes.telegram_api import FakeTelegramServer

FAST = RetryPolicy(backoff=0.01, max_backoff=0.05)
POISON_ATTEMPTS = FAST.poison_attempts


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    settings = Settings(
        telegram_token=server.token,
        telegram_api_url=f"{server.url}/bot",
        telegram_rate_limiter=False,
    )
    telegram_bot = build_bot(settings, poll_timeout=2)
    await telegram_bot.initialize()
    yield telegram_bot
    await telegram_bot.shutdown()


class Recorder:
    """Processes updates by recording their text; tests can hold or fail chosen updates."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.by_chat: dict[int, list[str]] = defaultdict(list)
        self.gates: dict[str, asyncio.Event] = {}
        self.failures: dict[str, list[Exception]] = {}
        self.attempts: dict[str, int] = defaultdict(int)
        self.changed = asyncio.Event()

    async def __call__(self, update: Update) -> None:
        assert update.message is not None and update.message.text is not None
        text = update.message.text
        self.attempts[text] += 1
        if text in self.gates:
            await self.gates[text].wait()
        if self.failures.get(text):
            raise self.failures[text].pop(0)
        self.done.append(text)
        self.by_chat[update.message.chat.id].append(text)
        self.changed.set()

    async def wait_done(self, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.done) < count:
                self.changed.clear()
                await self.changed.wait()


async def _run(poller: UpdatePoller) -> asyncio.Task[None]:
    return asyncio.create_task(poller.run())


async def _stop(poller: UpdatePoller, task: asyncio.Task[None]) -> None:
    await poller.stop()
    await asyncio.wait_for(task, 5)


async def test_offset_waits_for_an_unfinished_update(server: FakeTelegramServer, bot: Bot) -> None:
    recorder = Recorder()
    recorder.gates["slow"] = asyncio.Event()
    poller = UpdatePoller(bot, recorder, poll_timeout=1, retry=FAST)
    task = await _run(poller)
    first = server.push_text(1, "first")
    slow = server.push_text(2, "slow")
    for user in range(3, 8):
        server.push_text(user, f"after {user}")
    await recorder.wait_done(6)
    assert "slow" not in recorder.done
    # Everything after "slow" is processed, yet nothing from "slow" on is acknowledged.
    await server.wait_for_call("getUpdates", 3)
    assert first < server.confirmed_offset <= slow
    assert server.pending_updates() == 6

    recorder.gates["slow"].set()
    await recorder.wait_done(7)
    await _stop(poller, task)
    assert server.pending_updates() == 0
    assert sorted(recorder.done) == sorted(["first", "slow", *[f"after {u}" for u in range(3, 8)]])


async def test_one_chat_in_order_other_chats_meanwhile(
    server: FakeTelegramServer, bot: Bot
) -> None:
    recorder = Recorder()
    recorder.gates["a1"] = asyncio.Event()
    poller = UpdatePoller(bot, recorder, poll_timeout=1, retry=FAST)
    task = await _run(poller)
    for text in ("a1", "a2", "a3"):
        server.push_text(10, text)
    server.push_text(20, "b1")
    await recorder.wait_done(1)
    assert recorder.done == ["b1"]  # chat 20 is not held up by chat 10
    recorder.gates["a1"].set()
    await recorder.wait_done(4)
    assert recorder.by_chat[10] == ["a1", "a2", "a3"]
    await _stop(poller, task)


async def test_database_errors_are_retried_until_they_pass(
    server: FakeTelegramServer, bot: Bot
) -> None:
    recorder = Recorder()
    locked = OperationalError("INSERT", {}, Exception("database is locked"))
    recorder.failures["report"] = [locked] * (POISON_ATTEMPTS + 2)
    poller = UpdatePoller(bot, recorder, poll_timeout=1, retry=FAST)
    task = await _run(poller)
    server.push_text(1, "report")
    await recorder.wait_done(1)
    assert recorder.attempts["report"] == POISON_ATTEMPTS + 3
    await _stop(poller, task)
    assert server.pending_updates() == 0


async def test_an_update_that_always_fails_is_given_up(
    server: FakeTelegramServer, bot: Bot
) -> None:
    recorder = Recorder()
    broken = IntegrityError("INSERT", {}, Exception("bug"))
    recorder.failures["poison"] = [broken] * 100
    poller = UpdatePoller(bot, recorder, poll_timeout=1, retry=FAST)
    task = await _run(poller)
    server.push_text(1, "poison")
    server.push_text(1, "next")
    await recorder.wait_done(1)
    assert recorder.done == ["next"]
    assert recorder.attempts["poison"] == POISON_ATTEMPTS
    await _stop(poller, task)
    assert server.pending_updates() == 0


async def test_get_updates_failures_do_not_stop_polling(
    server: FakeTelegramServer, bot: Bot
) -> None:
    recorder = Recorder()
    server.fail("getUpdates", 500, times=2)
    server.fail("getUpdates", 502, times=1)
    poller = UpdatePoller(bot, recorder, poll_timeout=1, retry=FAST)
    task = await _run(poller)
    server.push_text(1, "still here")
    await recorder.wait_done(1)
    await _stop(poller, task)
    assert len(server.calls_to("getUpdates")) >= 4


async def test_cancelled_mid_update_leaves_it_for_the_next_run(
    server: FakeTelegramServer, bot: Bot
) -> None:
    recorder = Recorder()
    recorder.gates["held"] = asyncio.Event()
    poller = UpdatePoller(bot, recorder, poll_timeout=1, retry=FAST)
    task = await _run(poller)
    server.push_text(1, "held")
    await server.wait_for_call("getUpdates", 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert server.pending_updates() == 1

    again = Recorder()
    poller = UpdatePoller(bot, again, poll_timeout=1, retry=FAST)
    task = await _run(poller)
    await again.wait_done(1)
    await _stop(poller, task)
    assert again.done == ["held"]
    assert server.pending_updates() == 0

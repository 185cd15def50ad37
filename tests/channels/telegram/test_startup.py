"""Start-up: a refused token is one clear line and the channel stays off; an unreachable
Bot API makes the channel connect in the background. Either way the rest of the bot runs."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot.app import RunOptions, Runtime, scheduler_component, telegram_channel, web_component
from bot.context import AppContext
from tests.channels.sleeper import ControlledSleep, connected
from tests.channels.telegram.harness import FAST_RETRY, STAFF, World, say, telegram_context
from tests.fakes.telegram_api import FakeTelegramServer


async def test_a_refused_token_is_one_line_and_the_channel_stays_off(
    ctx: AppContext, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = telegram_context(ctx, server, telegram_token="123456:WRONG-token")
    runtime = Runtime(wrong, RunOptions())
    sleep = ControlledSleep()
    channel = telegram_channel(runtime, retry=FAST_RETRY, sleep=sleep)
    try:
        await channel.start()
        assert runtime.channel_states == {"telegram": "off"}
        assert "telegram" not in runtime.senders
        assert channel.connector.task is None  # no retries
    finally:
        await channel.stop()
    assert sleep.delays == []
    [refused] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert refused.getMessage() == (
        "telegram: Telegram refused DONDOC_TELEGRAM_TOKEN (invalid or revoked token): check it "
        "with @BotFather; the channel stays off"
    )
    assert refused.exc_info is None
    assert "WRONG-token" not in caplog.text


async def test_an_unreachable_api_does_not_stop_start_up(
    ctx: AppContext, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    gone = telegram_context(ctx, server, telegram_api_url="http://127.0.0.1:9/bot")
    runtime = Runtime(gone, RunOptions())
    channel = telegram_channel(runtime, retry=FAST_RETRY, sleep=ControlledSleep())
    try:
        await channel.start()
        assert runtime.channel_states == {"telegram": "down"}
        assert "telegram" not in runtime.senders
    finally:
        await channel.stop()
    [line] = [r for r in caplog.records if r.name == "bot.channels.core.reconnect"]
    assert line.getMessage().startswith(
        "telegram: cannot reach the Telegram Bot API at http://127.0.0.1:9/bot"
    )
    assert line.exc_info is None


async def _health(runtime: Runtime) -> tuple[int, dict[str, object]]:
    runner = runtime._runner
    assert runner is not None
    host, port = runner.addresses[0][:2]
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://{host}:{port}/healthz") as response,
    ):
        return response.status, await response.json()


async def test_the_rest_starts_while_telegram_is_down_and_it_connects_with_backoff(
    tg_ctx: AppContext,
    world: World,
    server: FakeTelegramServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO)
    server.fail("getMe", 502, times=None)
    sleep = ControlledSleep()
    runtime = Runtime(tg_ctx, RunOptions(host="127.0.0.1", port=0))
    channel = telegram_channel(runtime, retry=FAST_RETRY, poll_timeout=1, sleep=sleep)
    runtime.components = [channel, web_component(runtime), scheduler_component(runtime)]
    await runtime.start()
    try:
        assert "Dondoc" in capsys.readouterr().out  # everything else runs
        assert [c.name for c in runtime._started] == ["telegram", "web", "scheduler"]
        assert await _health(runtime) == (
            200,
            {
                "ok": False,
                "checks": {"database": "up", "telegram": "down"},
                "channels": ["web"],
            },
        )
        for attempt in range(1, 5):
            await sleep.waiting(attempt)
            await sleep.release()
        await sleep.waiting(5)
        # Doubling from 0.02 s, capped at 0.1 s.
        assert sleep.delays == [0.02, 0.04, 0.08, 0.1, 0.1]
        server.clear_faults()
        await sleep.release()
        await connected(channel)
        assert runtime.channel_states["telegram"] == "up"
        status, body = await _health(runtime)
        assert (status, body["ok"], body["checks"]) == (
            200,
            True,
            {"database": "up", "telegram": "up"},
        )
        assert body["channels"] == ["telegram", "web"]
        [reply] = await say(server, STAFF, "/trogiup")
        assert "/baocao" in reply.text
    finally:
        await runtime.stop()
    lines = [r for r in caplog.records if r.name == "bot.channels.core.reconnect"]
    assert len(lines) == 6  # the first failure, four more attempts, connected
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in lines)
    assert lines[1].getMessage().startswith("telegram: attempt 2: cannot reach")
    assert lines[-1].getMessage() == "telegram: connected after 6 attempts"
    assert all(server.token not in r.getMessage() for r in lines)


async def test_a_token_refused_after_an_outage_turns_the_channel_off_without_retrying(
    tg_ctx: AppContext, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.fail("getMe", 502, times=1)
    server.fail("getMe", 401, times=None, description="Unauthorized")
    sleep = ControlledSleep()
    runtime = Runtime(tg_ctx, RunOptions())
    channel = telegram_channel(runtime, retry=FAST_RETRY, sleep=sleep)
    try:
        await channel.start()
        await sleep.waiting(1)
        await sleep.release()
        await connected(channel)
        assert runtime.channel_states["telegram"] == "off"
    finally:
        await channel.stop()
    assert sleep.delays == [0.02]
    assert len(server.calls_to("getMe")) == 2
    [refused] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert refused.getMessage() == (
        "telegram: Telegram refused DONDOC_TELEGRAM_TOKEN (invalid or revoked token): check it "
        "with @BotFather; the channel stays off"
    )

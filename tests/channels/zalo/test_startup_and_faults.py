"""Start-up checks and what the channel does when Zalo answers 401, 403, 429 or 5xx."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.app import RunOptions, Runtime, zalo_channel
from bot.context import AppContext
from bot.models import AuditLog, Base, ChannelIdentity
from tests.channels.sleeper import ControlledSleep, connected
from tests.channels.zalo.harness import FAST_RETRY, World, ZaloBot, link, say, zalo_context
from tests.fakes.zalo_api import FakeZaloServer

WRONG_TOKEN = "1234567890:not-the-right-secret"


async def test_a_refused_token_is_one_clear_line_and_the_channel_stays_off(
    ctx: AppContext, server: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    runtime = Runtime(zalo_context(ctx, server, zalo_token=WRONG_TOKEN), RunOptions(port=0))
    channel = zalo_channel(runtime, retry=FAST_RETRY, sleep=ControlledSleep())
    try:
        await channel.start()
        assert runtime.channel_states == {"zalo": "off"}
        assert "zalo" not in runtime.senders
        assert channel.connector.task is None
    finally:
        await channel.stop()
    [refused] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert refused.getMessage() == (
        "zalo: Zalo refused DONDOC_ZALO_TOKEN (invalid or revoked token): copy the token again "
        "from Zalo Bot Creator; the channel stays off"
    )
    assert "not-the-right-secret" not in caplog.text


async def test_an_unreachable_api_does_not_stop_start_up(
    ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    settings = ctx.settings.model_copy(
        update={"zalo_token": WRONG_TOKEN, "zalo_api_url": "http://127.0.0.1:9"}
    )
    runtime = Runtime(AppContext(settings=settings, db=ctx.db, clock=ctx.clock))
    channel = zalo_channel(runtime, retry=FAST_RETRY, sleep=ControlledSleep())
    try:
        await channel.start()
        assert runtime.channel_states == {"zalo": "down"}
        assert "zalo" not in runtime.senders
    finally:
        await channel.stop()
    [line] = [r for r in caplog.records if r.name == "bot.channels.core.reconnect"]
    assert line.getMessage().startswith("zalo: cannot reach the Zalo Bot API at http://127.0.0.1:9")
    assert line.exc_info is None
    assert "not-the-right-secret" not in caplog.text


async def test_zalo_answering_5xx_at_start_up_connects_later_with_backoff(
    zalo_ctx: AppContext, world: World, server: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    server.fail("getMe", 503, times=None)
    sleep = ControlledSleep()
    runtime = Runtime(zalo_ctx, RunOptions(host="127.0.0.1", port=0))
    channel = zalo_channel(runtime, retry=FAST_RETRY, poll_timeout=1, sleep=sleep)
    runtime.components = [channel]
    await runtime.start()
    try:
        assert runtime.channel_states == {"zalo": "down"}
        await sleep.waiting(1)
        await sleep.release()
        await sleep.waiting(2)
        assert sleep.delays == [0.01, 0.02]
        server.clear_faults()
        await sleep.release()
        await connected(channel)
        assert runtime.channel_states["zalo"] == "up"
        assert "zalo" in runtime.senders
        await link(world, server, "CV-SXD", "lan")
    finally:
        await runtime.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.channels.core.reconnect"]
    assert len(lines) == 3
    assert lines[1].startswith("zalo: attempt 2: cannot reach the Zalo Bot API")
    assert lines[2] == "zalo: connected after 3 attempts"


async def test_dondoc_run_keeps_running_without_zalo_on_a_refused_token(
    server: FakeZaloServer, tmp_path: Path
) -> None:
    """No exit (a supervisor would restart it again and again): one line, the rest runs."""
    env = {
        **os.environ,
        "DONDOC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/run.db",
        "DONDOC_ZALO_TOKEN": WRONG_TOKEN,
        "DONDOC_ZALO_API_URL": server.url,
        "DONDOC_WEB_PORT": "0",
        "DONDOC_CONFIG": str(tmp_path / "dondoc.toml"),
        "DONDOC_LANGUAGE": "en",
    }
    env.pop("DONDOC_TELEGRAM_TOKEN", None)
    (tmp_path / "dondoc.toml").write_text("")
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "migrate", env=env, cwd=tmp_path
    )
    async with asyncio.timeout(60):
        assert await migrate.wait() == 0
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(60):
            running = await process.stdout.readline()
        assert running.startswith(b"Dondoc is running at")
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):
            stdout, stderr = await process.communicate()
    assert process.returncode == 0
    refused = [line for line in stderr.decode().splitlines() if "DONDOC_ZALO_TOKEN" in line]
    assert len(refused) == 1
    assert refused[0].endswith(
        "ERROR bot.channels.core.reconnect: zalo: Zalo refused DONDOC_ZALO_TOKEN (invalid or "
        "revoked token): copy the token again from Zalo Bot Creator; the channel stays off"
    )
    assert b"Traceback" not in stderr, stderr.decode()
    assert b"not-the-right-secret" not in running + stdout + stderr


async def test_polling_backs_off_on_429_and_5xx_and_keeps_going(
    server: FakeZaloServer, world: World, zalo: ZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await link(world, server, "CV-SXD", "lan")
    polls = len(server.calls_to("getUpdates"))
    server.fail("getUpdates", 429, times=2, retry_after=0)
    server.fail("getUpdates", 502, times=2)
    # The poll open now ends empty; the next four fail, and polling goes on after them.
    await server.wait_for_call("getUpdates", polls + 6)
    [answer] = await say(server, "lan", "trogiup")
    assert (answer.text or "").startswith("Các lệnh đồng chí có thể dùng:")
    assert "zalo getUpdates failed (2 in a row)" in caplog.text
    polls = len(server.calls_to("getUpdates"))
    server.fail("getUpdates", 401, times=1)
    await server.wait_for_call("getUpdates", polls + 2)
    [again] = await say(server, "lan", "huy")
    assert again.text == "Không có thao tác nào đang dở."
    assert "zalo refused the bot token while polling" in caplog.text
    assert "fake-zalo-secret" not in caplog.text  # the token never reaches the logs


async def test_answers_are_retried_on_429_and_5xx(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", "lan")
    chat = server.chat_id_for("lan")
    server.fail("sendMessage", 429, times=1, retry_after=0, chat_id=chat)
    server.fail("sendMessage", 500, times=2, chat_id=chat)
    [answer] = await say(server, "lan", "baocao NV-01 45 Đang hoàn thiện")
    assert "Đã lưu báo cáo." in (answer.text or "")
    await zalo.settled()
    assert len(server.sent_messages(chat)) == 2  # the welcome and this answer, once each
    assert (await world.task("NV-01")).progress == 45


async def test_a_blocked_chat_is_marked_inactive(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", "lan")
    chat = server.chat_id_for("lan")
    server.fail("sendMessage", 403, times=None, chat_id=chat)
    server.push_text("lan", "trogiup")
    await server.wait_for_call("sendMessage", 2)
    await zalo.settled()
    async with world.ctx.db.session() as session:
        identity = await session.scalar(select(ChannelIdentity))
        audit = await session.scalar(
            select(AuditLog).where(AuditLog.action == "identity.deactivate")
        )
    assert identity is not None and identity.active is False
    assert audit is not None and audit.details["channel"] == "zalo"


async def test_a_polled_update_waits_out_a_database_outage(
    server: FakeZaloServer, world: World, zalo: ZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    """getUpdates has no offsets: a fetched update exists only in memory, so it is retried
    until the database is back instead of being dropped."""
    await link(world, server, "CV-SXD", "lan")
    chat = server.chat_id_for("lan")
    async with world.ctx.db.engine.begin() as conn:
        await conn.execute(text("DROP TABLE inbound_updates"))
    server.push_text("lan", "baocao NV-01 75 Đã xin ý kiến các sở")
    async with asyncio.timeout(5):
        while "not processed" not in caplog.text:  # noqa: ASYNC110 - waiting for a log line
            await asyncio.sleep(0.01)
    async with world.ctx.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    [_, saved] = await server.wait_for_messages(chat, 2)
    assert "Đã lưu báo cáo." in (saved.text or "")
    assert (await world.task("NV-01")).progress == 75

"""Start-up checks and what the channel does when Zalo answers 401, 403, 429 or 5xx."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.app import RunOptions, Runtime, StartupError
from bot.channels.zalo.channel import ZaloChannel
from bot.context import AppContext
from bot.models import AuditLog, Base, ChannelIdentity
from tests.channels.zalo.harness import World, ZaloBot, link, say, zalo_context
from tests.fakes.zalo_api import FakeZaloServer

WRONG_TOKEN = "1234567890:not-the-right-secret"


async def test_a_refused_token_stops_start_up_with_one_clear_line(
    ctx: AppContext, server: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    runtime = Runtime(zalo_context(ctx, server, zalo_token=WRONG_TOKEN), RunOptions(port=0))
    channel = ZaloChannel(runtime)
    with pytest.raises(StartupError) as raised:
        await channel.start()
    assert str(raised.value) == (
        "Zalo refused DONDOC_ZALO_TOKEN (invalid or revoked token): copy the token again "
        "from Zalo Bot Creator"
    )
    assert "zalo" not in runtime.senders
    assert "not-the-right-secret" not in caplog.text


async def test_an_unreachable_api_stops_start_up(ctx: AppContext) -> None:
    settings = ctx.settings.model_copy(
        update={"zalo_token": WRONG_TOKEN, "zalo_api_url": "http://127.0.0.1:9"}
    )
    runtime = Runtime(AppContext(settings=settings, db=ctx.db, clock=ctx.clock))
    with pytest.raises(StartupError, match=r"^cannot reach the Zalo Bot API at http://127.0.0.1:9"):
        await ZaloChannel(runtime).start()


async def test_dondoc_run_exits_non_zero_on_a_refused_token(
    server: FakeZaloServer, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DONDOC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/run.db",
        "DONDOC_ZALO_TOKEN": WRONG_TOKEN,
        "DONDOC_ZALO_API_URL": server.url,
        "DONDOC_WEB_PORT": "0",
        "DONDOC_CONFIG": str(tmp_path / "dondoc.toml"),
    }
    env.pop("DONDOC_TELEGRAM_TOKEN", None)
    (tmp_path / "dondoc.toml").write_text("")
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
    async with asyncio.timeout(30):
        stdout, stderr = await process.communicate()
    assert process.returncode == 1
    assert stderr.decode().strip().splitlines()[-1] == (
        "Cannot start: Zalo refused DONDOC_ZALO_TOKEN (invalid or revoked token): copy the "
        "token again from Zalo Bot Creator"
    )
    assert b"not-the-right-secret" not in stdout + stderr


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

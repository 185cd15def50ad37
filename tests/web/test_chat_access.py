"""Web-chat links end like dashboard sessions do (after ``web_chat_link_days``), and a revoked
official's browser chat and dashboard are closed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.models import AuditLog
from bot.services.access import revoke_access
from tests.web.conftest import Web, World
from tests.web.test_chat import ChatClient, invite, register

UNLINKED = "Trình duyệt này chưa liên kết với cán bộ nào"


async def test_the_chat_cookie_lives_as_long_as_a_link(web: Web) -> None:
    response = await web.client.get("/chat")
    cookie = response.headers["Set-Cookie"]
    assert f"Max-Age={30 * 24 * 3600}" in cookie


async def test_a_browser_link_expires_after_the_setting(
    web: Web, world: World, clock: FrozenClock
) -> None:
    chat = await register(web, "CV-STC-01")
    clock.advance(dt.timedelta(days=29))
    reply = await chat.say("/nhiemvu")
    assert "NQ-01" in reply["text"]
    clock.advance(dt.timedelta(days=1, minutes=1))
    reply = await chat.say("/nhiemvu")
    assert reply["text"].startswith("Trình duyệt này chưa được liên kết")
    page = await (await web.client.get("/chat")).text()
    assert UNLINKED in page
    async with web.ctx.db.session() as session:
        actions = list(await session.scalars(select(AuditLog.action)))
    assert actions.count("identity.expire") == 1

    # Linking again with a new invite starts a new 30 days.
    reply = await chat.say(f"/start {await invite(web, 'CV-STC-01')}")
    assert "Đã liên kết tài khoản" in reply["text"]
    clock.advance(dt.timedelta(days=20))
    reply = await chat.say("/nhiemvu")
    assert "NQ-01" in reply["text"]


async def test_a_revoked_official_loses_web_chat_and_dashboard(web: Web, world: World) -> None:
    chat = await register(web, "GD-STC")
    await web.login("GD-STC")
    assert (await web.client.get("/")).status == 200
    async with web.ctx.db.session() as session:
        await revoke_access(session, web.ctx, "GD-STC")
    reply = await chat.say("/tonghop")
    assert reply["text"].startswith("Tài khoản của đồng chí đã bị thu hồi quyền truy cập")
    assert UNLINKED in await (await web.client.get("/chat")).text()
    assert (await web.client.get("/")).status == 401
    reopened = await ChatClient.open(web)
    assert reopened.history[-1]["text"].startswith("Tài khoản của đồng chí")

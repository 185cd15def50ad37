"""Demo mode (pickers for the demo officials) and the web component of a running bot."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import Runtime, add_components
from bot.context import AppContext
from bot.models import AuditLog, ChannelIdentity
from bot.services import audit
from bot.web.component import WebComponent
from bot.web.demo import resolve_demo_mode
from tests.web.conftest import Web, World, serve


@pytest.fixture
async def demo_web(ctx: AppContext) -> AsyncIterator[Web]:
    settings = ctx.settings.model_copy(update={"demo_mode": True})
    async for harness in serve(AppContext(settings=settings, db=ctx.db, clock=ctx.clock)):
        yield harness


def chat_csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match
    return match.group(1)


async def test_the_demo_rule(ctx: AppContext) -> None:
    settings = ctx.settings
    async with ctx.db.session() as session:
        assert await resolve_demo_mode(session, settings) is False  # no demo data
        await audit.record(session, ctx, "demo.load", "database", via="cli")
        await session.flush()
        assert await resolve_demo_mode(session, settings) is True
        for change in (
            {"telegram_token": "123:abc"},
            {"zalo_token": "zz"},
            {"web_host": "0.0.0.0"},
            {"demo_mode": False},
        ):
            assert await resolve_demo_mode(session, settings.model_copy(update=change)) is False
        explicit = settings.model_copy(update={"demo_mode": True, "telegram_token": "1:a"})
        assert await resolve_demo_mode(session, explicit) is True


async def test_demo_chat_picker_links_the_browser_and_audits_it(
    demo_web: Web, world: World
) -> None:
    page = await (await demo_web.client.get("/chat")).text()
    assert 'id="demo-official"' in page and "Lê Ngọc Châu" in page
    response = await demo_web.client.post(
        "/chat/demo", data={"csrf": chat_csrf_of(page), "official": "GD-STC"}
    )
    assert response.url.path == "/chat"
    assert "Đồng chí đang trò chuyện với tư cách Trần Văn Nam" in await response.text()
    async with demo_web.ctx.db.session() as session:
        identity = await session.scalar(select(ChannelIdentity))
        row = await session.scalar(select(AuditLog).where(AuditLog.action == "identity.link"))
    assert identity is not None and identity.official_id == world.officials["GD-STC"].id
    assert row is not None and row.details["demo"] is True


async def test_demo_chat_picker_needs_its_csrf_token(demo_web: Web, world: World) -> None:
    await demo_web.client.get("/chat")
    response = await demo_web.client.post("/chat/demo", data={"official": "LD-01"})
    assert response.status == 403
    async with demo_web.ctx.db.session() as session:
        assert await session.scalar(select(ChannelIdentity)) is None


async def test_demo_dashboard_login_picker(demo_web: Web, world: World) -> None:
    page = await (await demo_web.client.get("/login")).text()
    assert 'action="/login/demo"' in page
    response = await demo_web.client.post("/login/demo", data={"official": "LD-01"})
    assert response.url.path == "/"
    assert "Tổng quan tiến độ nhiệm vụ" in await response.text()


async def test_without_demo_mode_there_are_no_pickers(web: Web, world: World) -> None:
    assert 'id="demo-official"' not in await (await web.client.get("/chat")).text()
    assert "/login/demo" not in await (await web.client.get("/login")).text()
    response = await web.client.post("/login/demo", data={"official": "LD-01"})
    assert response.status == 403
    assert (await web.client.get("/")).status == 401


def test_the_web_component_always_runs(ctx: AppContext) -> None:
    runtime = Runtime(ctx)
    add_components(runtime)
    assert any(isinstance(c, WebComponent) for c in runtime.components)
    assert "web" in runtime.senders


async def test_start_prints_where_dondoc_runs(
    ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    component = WebComponent(Runtime(ctx))
    await component.start()
    assert capsys.readouterr().out.strip() == (
        "Dondoc is running at http://127.0.0.1:8080 (dashboard /, web chat /chat)"
    )


async def test_static_files_are_served(web: Web) -> None:
    for name in ("dondoc.css", "chat.js", "dashboard.js"):
        assert (await web.client.get(f"/static/{name}")).status == 200

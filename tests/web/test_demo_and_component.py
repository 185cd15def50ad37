"""Demo mode (pickers for the demo officials) and the web component of a running bot."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import RunOptions, Runtime, add_components, web_component
from bot.context import AppContext
from bot.demo import OFFICIAL_CODES, TASK_CODES, UNIT_CODES, load_demo
from bot.importing import import_files
from bot.models import AuditLog, ChannelIdentity, Official, Role, Task, Unit
from bot.web.component import WebComponent
from bot.web.demo import demo_officials, resolve_demo_mode
from tests.bot.test_importing import write_csv
from tests.web.conftest import Web, World, build_world, serve


@pytest.fixture
async def demo_web(ctx: AppContext) -> AsyncIterator[Web]:
    """``make run`` on a fresh clone: the demo data, a loopback address, no channel token."""
    await load_demo(ctx)
    async for harness in serve(ctx):
        yield harness


def chat_csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match
    return match.group(1)


async def demo_mode(ctx: AppContext, **change: object) -> bool:
    async with ctx.db.session() as session:
        return await resolve_demo_mode(session, ctx.settings.model_copy(update=change))


async def test_the_demo_rule(ctx: AppContext) -> None:
    assert await demo_mode(ctx) is False  # no demo data
    await load_demo(ctx)
    assert await demo_mode(ctx) is True
    for change in (
        {"telegram_token": "123:abc"},
        {"zalo_token": "zz"},
        {"web_host": "0.0.0.0"},
        {"public_base_url": "https://dondoc.example.gov.vn"},
        {"demo_mode": False},
    ):
        assert await demo_mode(ctx, **change) is False, change
    assert await demo_mode(ctx, demo_mode=True, telegram_token="1:a") is True


async def test_a_real_import_into_the_demo_database_ends_demo_mode(
    ctx: AppContext, tmp_path: Path
) -> None:
    await load_demo(ctx)
    # Real people under the demo's own codes: only the audited import tells them apart.
    units = write_csv(tmp_path / "units.csv", [["Mã đơn vị", "Tên đơn vị"], ["SO-TC", "Sở TC"]])
    officials = write_csv(
        tmp_path / "officials.csv",
        [
            ["Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị", "Vai trò"],
            ["SO-TC-TT", "Nguyễn Văn Hùng", "Giám đốc Sở", "SO-TC", "thủ trưởng"],
        ],
    )
    await import_files(ctx, [units, officials])
    assert await demo_mode(ctx) is False


async def test_an_official_the_demo_did_not_create_ends_demo_mode(ctx: AppContext) -> None:
    await load_demo(ctx)
    async with ctx.db.session() as session:
        session.add(
            Official(
                code="GD-THAT",
                full_name="Người thật",
                role=Role.LEADER,
                language="vi",
                created_at=ctx.now(),
            )
        )
    assert await demo_mode(ctx) is False
    async with ctx.db.session() as session:
        offered = await demo_officials(session)
    assert offered and all(o.code in OFFICIAL_CODES for o in offered)
    assert await demo_mode(ctx, demo_mode=True) is True


async def test_the_pickers_offer_only_the_demos_officials(ctx: AppContext) -> None:
    await build_world(ctx)  # real officials (LD-01 …)
    settings = ctx.settings.model_copy(update={"demo_mode": True})
    async for web in serve(AppContext(settings=settings, db=ctx.db, clock=ctx.clock)):
        page = await (await web.client.get("/chat")).text()
        assert "Lê Ngọc Châu" not in page and "LD-01" not in page
        response = await web.client.post(
            "/chat/demo", data={"csrf": chat_csrf_of(page), "official": "LD-01"}
        )
        assert response.status == 404
        assert "LD-01" not in await (await web.client.get("/login")).text()
        response = await web.client.post("/login/demo", data={"official": "LD-01"})
        assert response.status == 404
        assert (await web.client.get("/")).status == 401


async def test_start_up_warns_when_demo_mode_is_on(
    demo_web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.web.component"):
        await demo_web.component.start()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Demo mode is on" in warnings[0]


async def test_start_up_is_quiet_without_demo_mode(
    web: Web, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        await web.component.start()
    assert not [r for r in caplog.records if "Demo mode" in r.getMessage()]


async def test_demo_chat_picker_links_the_browser_and_audits_it(demo_web: Web) -> None:
    page = await (await demo_web.client.get("/chat")).text()
    assert 'id="demo-official"' in page and "Lê Ngọc Châu" in page
    response = await demo_web.client.post(
        "/chat/demo", data={"csrf": chat_csrf_of(page), "official": "CT-UBND"}
    )
    assert response.url.path == "/chat"
    assert "Đồng chí đang trò chuyện với tư cách Lê Ngọc Châu" in await response.text()
    async with demo_web.ctx.db.session() as session:
        identity = await session.scalar(select(ChannelIdentity))
        chairman = await session.scalar(select(Official).where(Official.code == "CT-UBND"))
        row = await session.scalar(select(AuditLog).where(AuditLog.action == "identity.link"))
    assert identity is not None and chairman is not None
    assert identity.official_id == chairman.id
    assert row is not None and row.details["demo"] is True


async def test_demo_chat_picker_needs_its_csrf_token(demo_web: Web) -> None:
    await demo_web.client.get("/chat")
    response = await demo_web.client.post("/chat/demo", data={"official": "CT-UBND"})
    assert response.status == 403
    async with demo_web.ctx.db.session() as session:
        assert await session.scalar(select(ChannelIdentity)) is None


async def test_demo_dashboard_login_picker(demo_web: Web) -> None:
    page = await (await demo_web.client.get("/login")).text()
    assert 'action="/login/demo"' in page
    response = await demo_web.client.post("/login/demo", data={"official": "CT-UBND"})
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


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("vi", "Dondoc đang chạy tại http://127.0.0.1:0 (bảng điều khiển /, trò chuyện web /chat)"),
        ("en", "Dondoc is running at http://127.0.0.1:0 (dashboard /, web chat /chat)"),
    ],
)
async def test_start_prints_where_dondoc_runs_once_everything_runs(
    ctx: AppContext, capsys: pytest.CaptureFixture[str], language: str, line: str
) -> None:
    ctx.settings = ctx.settings.model_copy(update={"language": language})
    runtime = Runtime(ctx, RunOptions(port=0))
    runtime.components.append(web_component(runtime))
    try:
        await runtime.start()
    finally:
        await runtime.stop()
    assert capsys.readouterr().out.strip() == line


async def test_static_files_are_served(web: Web) -> None:
    for name in ("dondoc.css", "chat.js", "dashboard.js"):
        assert (await web.client.get(f"/static/{name}")).status == 200


async def test_the_demo_code_lists_are_what_the_demo_loads(ctx: AppContext) -> None:
    await load_demo(ctx)
    async with ctx.db.session() as session:
        officials = set(await session.scalars(select(Official.code)))
        units = set(await session.scalars(select(Unit.code)))
        tasks = set(await session.scalars(select(Task.code)))
    assert (officials, units, tasks) == (OFFICIAL_CODES, UNIT_CODES, TASK_CODES)

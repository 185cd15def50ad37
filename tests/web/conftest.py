"""A small city for the web tests, and the real web component served by aiohttp's test server.

Today (the ``clock`` fixture) is Monday 08/12/2025 09:00 in Hải Phòng. Two departments with
tasks in every official category, a leader, an admin, unit heads and a staff official.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Browser, async_playwright
from sqlalchemy import select

from bot.app import Runtime, web_component
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.demo import load_demo
from bot.models import (
    Attachment,
    DeadlineChange,
    ExtensionRequest,
    Official,
    Report,
    ReportKind,
    Role,
    Task,
    Unit,
)
from bot.services import login_links
from bot.web.component import WebComponent
from config import Settings
from tests.conftest import DEFAULT_NOW, HCM


def local(day: int, month: int = 12, hour: int = 9) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=HCM)


UNITS = [("STC", "Sở Tài chính"), ("SXD", "Sở Xây dựng"), ("VP", "Văn phòng UBND thành phố")]
OFFICIALS = [
    ("LD-01", "Lê Ngọc Châu", Role.LEADER, None),
    ("VP-01", "Phạm Thu Lan", Role.ADMIN, "VP"),
    ("GD-STC", "Trần Văn Nam", Role.HEAD, "STC"),
    ("CV-STC-01", "Nguyễn Thị Hoa", Role.STAFF, "STC"),
    ("GD-SXD", "Lê Minh Tuấn", Role.HEAD, "SXD"),
]
# code, title, lead unit, deadline, progress, completed on
TASKS = [
    (
        "NQ-01",
        "Triển khai 45 nghị quyết của HĐND thành phố",
        "STC",
        dt.date(2025, 12, 15),
        40,
        None,
    ),
    ("NV-02", "Kế hoạch đầu tư công năm 2026", "STC", dt.date(2025, 12, 1), 50, None),
    ("NV-03", "Điều chỉnh quy hoạch chung thành phố", "SXD", dt.date(2025, 12, 31), 20, None),
    ("NV-04", "Kịch bản tăng trưởng năm 2026", "SXD", dt.date(2025, 12, 10), 100, local(5)),
    ("NV-05", "Chương trình phát triển du lịch", "STC", dt.date(2025, 12, 1), 100, local(5)),
    ("NV-06", "Đề án thành phố âm nhạc", "SXD", dt.date(2025, 11, 28), 10, None),
    ("NV-07", "Chương trình phát triển bóng đá", "STC", dt.date(2025, 12, 12), 0, None),
]


@dataclass
class World:
    units: dict[str, Unit]
    officials: dict[str, Official]
    tasks: dict[str, Task]


async def build_world(ctx: AppContext) -> World:
    now = ctx.now()
    async with ctx.db.session() as session:
        units = {code: Unit(code=code, name=name, created_at=now) for code, name in UNITS}
        session.add_all(units.values())
        await session.flush()
        officials = {
            code: Official(
                code=code,
                full_name=name,
                role=role,
                unit_id=units[unit].id if unit else None,
                language="vi",
                created_at=now,
            )
            for code, name, role, unit in OFFICIALS
        }
        session.add_all(officials.values())
        tasks = {}
        for code, title, lead, deadline, progress, completed in TASKS:
            tasks[code] = Task(
                code=code,
                title=title,
                lead_unit_id=units[lead].id,
                deadline=deadline,
                original_deadline=deadline,
                progress=progress,
                completed_at=completed,
                completed_on=ctx.local_date(completed) if completed else None,
                source_document="45/NQ-HĐND" if code == "NQ-01" else "",
                created_at=local(1, 11),
                updated_at=now,
            )
        tasks["NQ-01"].coordinating_units = [units["SXD"]]
        tasks["NQ-01"].original_deadline = dt.date(2025, 12, 10)
        session.add_all(tasks.values())
        await session.flush()
        session.add(
            DeadlineChange(
                task_id=tasks["NQ-01"].id,
                old_deadline=dt.date(2025, 12, 10),
                new_deadline=dt.date(2025, 12, 15),
                reason="Chờ ý kiến các sở",
                changed_at=local(3),
            )
        )
        report = Report(
            task_id=tasks["NQ-01"].id,
            official_id=officials["CV-STC-01"].id,
            kind=ReportKind.PROGRESS,
            progress=40,
            note="Đã trình dự thảo kế hoạch",
            channel="telegram",
            source_message_id="t-1",
            created_at=local(5),
            attachments=[
                Attachment(
                    channel="telegram",
                    kind="document",
                    url="https://example.org/du-thao.pdf",
                    name="du-thao-ke-hoach.pdf",
                )
            ],
        )
        session.add(report)
        tasks["NQ-01"].last_report_at = local(5)
        session.add(
            ExtensionRequest(
                task_id=tasks["NV-02"].id,
                requested_by_id=officials["CV-STC-01"].id,
                old_deadline=dt.date(2025, 12, 1),
                new_deadline=dt.date(2025, 12, 20),
                reason="Chờ số liệu quyết toán",
                requested_at=local(4),
            )
        )
    return World(units, officials, tasks)


@pytest.fixture
async def world(ctx: AppContext) -> World:
    return await build_world(ctx)


@dataclass
class Web:
    runtime: Runtime
    component: WebComponent
    client: TestClient

    @property
    def ctx(self) -> AppContext:
        return self.runtime.ctx

    async def login_link(self, official_code: str) -> str:
        """A fresh one-time login token for an official, as /dangnhap makes it."""
        async with self.ctx.db.session() as session:
            official = await session.scalar(select(Official).where(Official.code == official_code))
            assert official is not None
            return await login_links.create_login_link(session, self.ctx, official, via="test")

    async def login(self, official_code: str) -> None:
        token = await self.login_link(official_code)
        response = await self.client.post(f"/login/{token}")
        assert response.status == 200, await response.text()
        assert response.url.path == "/"

    async def csrf(self, path: str = "/") -> str:
        page = await (await self.client.get(path)).text()
        match = re.search(r'name="csrf" value="([^"]+)"', page)
        assert match, "no CSRF field on the page"
        return match.group(1)


async def serve(ctx: AppContext) -> AsyncIterator[Web]:
    runtime = Runtime(ctx)
    component = web_component(runtime)
    client = TestClient(TestServer(runtime.web_app))
    await client.start_server()
    try:
        yield Web(runtime, component, client)
    finally:
        await component.stop()
        await client.close()


@pytest.fixture
async def web(ctx: AppContext) -> AsyncIterator[Web]:
    async for harness in serve(ctx):
        yield harness


# --- browser tests (Debian's Chromium driven by Playwright; helpers in tests/web/browser.py) ---

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def demo(sqlite_url: str) -> AsyncIterator[Web]:
    """The demo city on SQLite, served on 127.0.0.1 (demo mode off: real logins)."""
    db = Database(sqlite_url)
    await db.create_all()
    ctx = AppContext(
        settings=Settings(database_url=sqlite_url, demo_mode=False),
        db=db,
        clock=FrozenClock(DEFAULT_NOW),
    )
    await load_demo(ctx)
    async for harness in serve(ctx):
        yield harness
    await db.dispose()

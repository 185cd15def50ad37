"""Headless Chromium on the task list (filters, search without accents, paging, export) and
every page on a phone (390 × 844): no page wider than the screen.

Fixtures ``browser`` and ``demo`` (the Hải Phòng demo city) are in tests/web/conftest.py;
expected rows come from the same query module the page uses, on the same database.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from bot.exporting import TASKS_SHEET
from bot.folding import fold
from bot.models import Official, Task, Unit
from bot.services.task_query import PAGE_SIZE, TaskFilters, select_tasks, task_ids
from bot.status import Status
from tests.web.browser import SCREENSHOTS, new_page, sign_in, url
from tests.web.conftest import Web

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


async def expected_codes(web: Web, filters: TaskFilters) -> list[str]:
    """The codes a leader's list shows for ``filters``, in order."""
    async with web.ctx.db.session() as session:
        selection = await select_tasks(session, filters, scope_unit_id=None, today=web.ctx.today())
        ids = await task_ids(session, selection)
        code_of = {i: code for i, code in await session.execute(select(Task.id, Task.code))}
    return [code_of[ident] for ident in ids]


async def shown_codes(page: Page) -> list[str]:
    return await page.locator("#task-list tbody td.code").all_inner_texts()


async def test_filter_search_page_two_and_export(browser: Browser, demo: Web) -> None:
    async with demo.ctx.db.session() as session:
        unit = await session.scalar(
            select(Unit)
            .join(Task, Task.lead_unit_id == Unit.id)
            .where(Task.completed_at.is_(None), Task.deadline < demo.ctx.today())
            .order_by(Unit.code)
            .limit(1)
        )
        assert unit is not None
        sample = await session.scalar(select(Task).order_by(Task.code.desc()).limit(1))
        assert sample is not None
    page = await new_page(browser)
    await sign_in(page, demo, "CT-UBND")
    await page.click('header a[href="/tasks"]')
    await expect(page.locator("h1")).to_have_text("Danh sách nhiệm vụ")
    everything = await expected_codes(demo, TaskFilters())
    await expect(page.locator("#task-count")).to_have_text(f"{len(everything)} nhiệm vụ")

    # Unit and status
    await page.select_option('select[name="unit"]', unit.code)
    await page.select_option('select[name="status"]', Status.OVERDUE.value)
    await page.click("#filter-button")
    overdue = await expected_codes(demo, TaskFilters(unit=unit.code, status=Status.OVERDUE))
    assert overdue
    await expect(page.locator("#task-count")).to_have_text(f"{len(overdue)} nhiệm vụ")
    assert await shown_codes(page) == overdue[:PAGE_SIZE]
    assert all("Quá hạn" in text for text in await page.locator("td .status").all_inner_texts())

    # The export button downloads exactly those tasks
    async with page.expect_download() as download_info:
        await page.click("#export-filtered button")
    download = await download_info.value
    path = await download.path()
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))[TASKS_SHEET]
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0]]
    header = next(i for i, row in enumerate(rows) if row[0] == "Mã nhiệm vụ")
    assert sorted(str(row[0]) for row in rows[header + 1 :]) == sorted(overdue)

    # Words of a title typed without accents
    words = " ".join(fold(sample.title).split()[:3])
    await page.click("text=Xóa bộ lọc")
    await page.fill('#filters input[name="q"]', words)
    await page.click("#filter-button")
    found = await expected_codes(demo, TaskFilters(q=words))
    assert sample.code in found
    assert await shown_codes(page) == found[:PAGE_SIZE]
    await expect(page.locator('#filters input[name="q"]')).to_have_value(words)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "task-list.png"), full_page=False)

    # Page 2 of everything
    assert len(everything) > PAGE_SIZE  # the demo city has more than one page
    await page.goto(url(demo, "/tasks"))
    await page.click('nav.paging a[rel="next"]')
    await expect(page.locator('nav.paging [aria-current="page"]')).to_have_text("2")
    assert await shown_codes(page) == everything[PAGE_SIZE : 2 * PAGE_SIZE]


async def phone_paths(web: Web) -> list[str]:
    """Every page a signed-in official opens; add new pages here."""
    async with web.ctx.db.session() as session:
        task = await session.scalar(select(Task.code).order_by(Task.code).limit(1))
        unit = await session.scalar(select(Unit.code).order_by(Unit.code).limit(1))
    return [
        "/",
        "/?scope=mine",
        "/tasks",
        "/tasks?status=overdue",
        f"/tasks/{task}",
        "/tasks/new",
        f"/tasks/{task}/edit",
        f"/units/{unit}",
        "/chat",
    ]


async def office_phone_paths(web: Web) -> list[str]:
    """The administration pages only the office (Văn phòng UBND, an admin) opens."""
    async with web.ctx.db.session() as session:
        official = await session.scalar(select(Official.code).order_by(Official.code).limit(1))
    return ["/imports", "/officials", "/officials/new", f"/officials/{official}/edit"]


async def test_no_page_is_wider_than_a_phone(browser: Browser, demo: Web) -> None:
    page = await new_page(browser, **PHONE)
    await page.goto(url(demo, "/login"))
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "/login"
    await sign_in(page, demo, "CT-UBND")
    for path in await phone_paths(demo):
        await page.goto(url(demo, path))
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
    await page.goto(url(demo, "/"))
    label = "document.querySelector('svg.chart .chart-label').getBoundingClientRect().height"
    assert await page.evaluate(label) >= 9, "the chart's unit names are too small to read"
    await page.goto(url(demo, "/tasks?status=overdue"))
    await page.screenshot(path=str(SCREENSHOTS / "task-list-phone.png"), full_page=False)

    office = await new_page(browser, **PHONE)
    await sign_in(office, demo, "VP-QT")
    for path in await office_phone_paths(demo):
        response = await office.goto(url(demo, path))
        assert response is not None and response.status == 200, path
        width = await office.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"

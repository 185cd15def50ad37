"""Task administration in headless Chromium on the Hải Phòng demo data: the office creates a
task, edits and reassigns it, suspends and reopens it, and reads the change history; the
form stays usable on a phone. Makes docs/screenshots/task-admin.png."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import select

from bot.models import Official, Role, Task, TaskState, Unit, UnitKind
from tests.web.browser import SCREENSHOTS, new_page, sign_in, url
from tests.web.conftest import Web

pytestmark = pytest.mark.browser


async def _two_departments(web: Web) -> list[tuple[Unit, Official]]:
    """Two departments of the demo city, each with one of its staff officials."""
    async with web.ctx.db.session() as session:
        units = list(
            await session.scalars(
                select(Unit).where(Unit.kind == UnitKind.DEPARTMENT).order_by(Unit.code).limit(2)
            )
        )
        found = []
        for unit in units:
            staff = await session.scalar(
                select(Official)
                .where(Official.unit_id == unit.id, Official.role == Role.STAFF)
                .order_by(Official.code)
                .limit(1)
            )
            assert staff is not None
            found.append((unit, staff))
    return found


async def test_create_edit_reassign_suspend_and_reopen_a_task(browser: Browser, demo: Web) -> None:
    (first, first_staff), (second, second_staff) = await _two_departments(demo)
    page = await new_page(browser)
    await sign_in(page, demo, "VP-QT")

    await page.click("#new-task-link")
    await expect(page.locator("h1")).to_have_text("Thêm nhiệm vụ")
    await page.fill('input[name="code"]', "nq45-tt")
    await page.fill('textarea[name="title"]', "Chương trình phát triển thể thao thành tích cao")
    await page.fill('input[name="source_document"]', "45/NQ-HĐND")
    await page.fill('input[name="deadline"]', "2025-12-26")
    await page.select_option('select[name="lead_unit"]', first.code)
    await page.check(f'input[name="coordinating_units"][value="{second.code}"]')
    await page.select_option('select[name="leader_in_charge"]', "PCT-01")
    await page.select_option('select[name="handler"]', first_staff.code)
    await page.click("#save-task")
    await expect(page.locator("h1")).to_have_text("Nhiệm vụ NQ45-TT")
    await expect(page.locator("#history")).to_contain_text("Thêm nhiệm vụ")

    await page.click("#edit-task")
    await expect(page.locator("h1")).to_have_text("Sửa nhiệm vụ NQ45-TT")
    await page.fill('textarea[name="title"]', "Chương trình thể thao thành tích cao 2026-2030")
    await page.select_option('select[name="lead_unit"]', second.code)
    # The handler still belongs to the old unit: refused, and the form comes back as typed.
    await page.uncheck(f'input[name="coordinating_units"][value="{second.code}"]')
    await page.click("#save-task")
    await expect(page.locator("#form-error")).to_contain_text("không thuộc đơn vị chủ trì")
    await expect(page.locator('textarea[name="title"]')).to_have_value(
        "Chương trình thể thao thành tích cao 2026-2030"
    )
    await page.select_option('select[name="handler"]', second_staff.code)
    await page.check(f'input[name="coordinating_units"][value="{first.code}"]')
    await page.fill('textarea[name="reason"]', "Theo kết luận giao ban tuần")
    await page.click("#save-task")
    await expect(page.locator("h1")).to_have_text("Nhiệm vụ NQ45-TT")
    history = page.locator("#history")
    await expect(history).to_contain_text(f"Đơn vị chủ trì: {first.name} → {second.name}")
    await expect(history).to_contain_text(
        f"Cán bộ thụ lý: {first_staff.full_name} → {second_staff.full_name}"
    )
    await expect(history).to_contain_text("Theo kết luận giao ban tuần")

    await page.fill("#suspend-form textarea", "Chờ chủ trương của Ban Thường vụ Thành ủy")
    await page.click("#suspend-form button")
    await expect(page.locator("#task-state")).to_contain_text("Tạm dừng")
    await expect(page.locator("#task-state")).to_contain_text("Chờ chủ trương")
    await expect(page.locator("#suspend-form")).to_have_count(0)

    await page.fill("#reopen-form textarea", "Đã có chủ trương")
    await page.click("#reopen-form button")
    await expect(page.locator("#task-state")).to_have_count(0)
    await expect(history).to_contain_text("Mở lại")
    await expect(history).to_contain_text("Tình trạng: Tạm dừng → Đang thực hiện")
    async with demo.ctx.db.session() as session:
        task = await session.scalar(select(Task).where(Task.code == "NQ45-TT"))
        assert task is not None and task.state is TaskState.ACTIVE
        assert task.lead_unit_id == second.id and task.handler_id == second_staff.id

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.locator("#history").scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "task-admin.png"), full_page=True)

    await page.set_viewport_size({"width": 390, "height": 844})  # a phone: the form stacks
    await page.goto(url(demo, "/tasks/NQ45-TT/edit"))
    await expect(page.locator("#save-task")).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400

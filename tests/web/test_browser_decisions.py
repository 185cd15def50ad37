"""In a real browser: a leader opens the decisions inbox on the overview, approves a request
until another date with a comment, and reads the decision in the task's history."""

from __future__ import annotations

import datetime as dt

from playwright.async_api import Browser, expect
from sqlalchemy import select

from bot.i18n import format_date
from bot.models import ExtensionRequest, ExtensionStatus, Official, Task
from tests.web.browser import new_page, sign_in, url
from tests.web.conftest import Web

COMMENT = "Đồng ý gia hạn; Sở báo cáo kết quả trước ngày gia hạn 05 ngày."


async def test_leader_approves_another_date_with_a_comment(browser: Browser, demo: Web) -> None:
    ctx = demo.ctx
    async with ctx.db.session() as session:
        request = await session.scalar(
            select(ExtensionRequest)
            .join(Task, Task.id == ExtensionRequest.task_id)
            .where(Task.code == "KT-2026", ExtensionRequest.status == ExtensionStatus.PENDING)
        )
        assert request is not None
        leader = await session.scalar(select(Official).where(Official.code == "CT-UBND"))
        assert leader is not None
    other = request.new_deadline + dt.timedelta(days=7)
    page = await new_page(browser)
    await sign_in(page, demo, "CT-UBND")

    form = page.locator(f'form.decide[action="/extensions/{request.id}"]')
    date = form.locator('input[name="deadline"]')
    await expect(date).to_have_value(request.new_deadline.isoformat())
    await date.fill(other.isoformat())
    await form.locator('textarea[name="note"]').fill(COMMENT)
    await form.locator("button", has_text="Đồng ý gia hạn").click()
    await expect(page.locator("h1")).to_have_text("Tổng quan tiến độ nhiệm vụ")
    await expect(page.locator(f'form.decide[action="/extensions/{request.id}"]')).to_have_count(0)

    await page.goto(url(demo, "/tasks/KT-2026"))
    history = page.locator("section.card", has_text="Lịch sử thay đổi hạn")
    row = history.locator("tbody tr").filter(has_text=COMMENT)
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text(
        f"Đồng ý đến ngày khác (đề nghị {format_date(request.new_deadline)})"
    )
    await expect(row).to_contain_text(leader.full_name)
    await expect(row).to_contain_text(format_date(request.old_deadline))
    await expect(row).to_contain_text(format_date(other))
    await expect(page.locator("dl.facts")).to_contain_text(format_date(other))

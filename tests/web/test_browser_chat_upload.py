"""Headless Chromium: the web chat's attach button answers the report's "send the file" step,
and the file is on the task page for a leader. Fixtures in tests/web/conftest.py."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from bot.services import invites
from tests.web.browser import last_bot_message, new_page, say, sign_in, url
from tests.web.conftest import Web
from tests.web.test_browser import reporting_official

pytestmark = pytest.mark.browser

CONTENT = b"%PDF-1.4 Ke hoach trien khai\n"


async def test_a_file_attached_in_the_chat_reaches_the_task_page(
    browser: Browser, demo: Web
) -> None:
    ctx = demo.ctx
    official, task = await reporting_official(ctx)
    async with ctx.db.session() as session:
        code = await invites.create_invite(session, ctx, official=await session.merge(official))
    page = await new_page(browser, 390, 844)
    await page.goto(url(demo, "/chat"))
    await expect(page.locator("#status")).to_have_text("Đã kết nối")
    await say(page, f"/start {code}")
    await last_bot_message(page, "Đã liên kết tài khoản")
    await say(page, f"/baocao {task.code}")
    await page.locator(".msg.out button", has_text="75%").last.click()
    await say(page, "Đã trình dự thảo")
    advice_step = page.locator(".msg.out").filter(has_text="Có vướng mắc, kiến nghị").last
    await advice_step.locator("button", has_text="Không có kiến nghị").click()
    await last_bot_message(page, "Gửi tệp sản phẩm")

    await page.set_input_files(
        "#file", {"name": "ke-hoach.pdf", "mimeType": "application/pdf", "buffer": CONTENT}
    )
    await expect(page.locator("#chosen")).to_have_text("📎 ke-hoach.pdf")
    await page.click("#send")
    await expect(page.locator(".msg.in a", has_text="ke-hoach.pdf")).to_be_visible()
    await last_bot_message(page, "ke-hoach.pdf")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.locator(".msg.out button", has_text="Xác nhận").last.click()
    await last_bot_message(page, "ke-hoach.pdf")

    dashboard = await new_page(browser)
    await sign_in(dashboard, demo, "CT-UBND")
    await dashboard.goto(url(demo, f"/tasks/{task.code}"))
    link = dashboard.locator("a", has_text="ke-hoach.pdf")
    async with dashboard.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert (await download.path()).read_bytes() == CONTENT

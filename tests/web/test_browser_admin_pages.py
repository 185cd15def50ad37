"""Headless Chromium on the administration pages of the Hải Phòng demo: the Văn phòng UBND
admin uploads a tasks workbook with an error (the row and column are on the page), then a
good one (the counts, then the new task's page), adds an official and issues an invite with
its Telegram link and QR code. Also at a phone's 390 px. Screenshots into docs/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.async_api import Browser, Dialog, Page, expect
from sqlalchemy import select

from bot.models import Official
from tests.web.browser import SCREENSHOTS, new_page, sign_in, url
from tests.web.conftest import Web

pytestmark = pytest.mark.browser

ADMIN = "VP-QT"
HEADER = ["Mã nhiệm vụ", "Tên nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Sản phẩm"]
TITLE = "Kế hoạch chuyển đổi số trong tiếp nhận hồ sơ hành chính"


def write_workbook(path: Path, deadline: str) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Nhiệm vụ"
    sheet.append(HEADER)
    sheet.append(["NV-WEB-01", TITLE, "VP-UBND", deadline, "Kế hoạch"])
    sheet.append(["NV-WEB-02", "Báo cáo sơ kết chuyển đổi số", "SO-KHCN", "15/01/2026", ""])
    book.save(path)
    return path


async def fits_a_phone(page: Page) -> None:
    await page.set_viewport_size({"width": 390, "height": 844})
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_upload_a_workbook_with_an_error_then_a_good_one(
    browser: Browser, demo: Web, tmp_path: Path
) -> None:
    page = await new_page(browser)
    await sign_in(page, demo, ADMIN)
    await page.click("#nav-imports")
    await expect(page.locator("h1")).to_have_text("Nhập dữ liệu từ tệp Excel/CSV")

    huge = tmp_path / "qua-lon.xlsx"
    huge.write_bytes(b"\0" * (demo.ctx.settings.import_max_bytes + 1))
    file_input = page.locator('input[name="file"]')
    await file_input.set_input_files(str(huge))
    assert "lớn hơn 20 MB" in await file_input.evaluate("input => input.validationMessage")
    await page.click("#check-button")  # the browser keeps the form: nothing is sent
    await expect(page.locator("#import-problem, #import-errors, #import-result")).to_have_count(0)

    bad = write_workbook(tmp_path / "nhiem-vu-thang-12.xlsx", "31/02/2026")
    await page.set_input_files('input[name="file"]', str(bad))
    await page.click("#check-button")
    errors = page.locator("#import-errors")
    await expect(errors).to_contain_text("Tệp nhiem-vu-thang-12.xlsx có 1 lỗi")
    cells = errors.locator("tbody tr").first.locator("td")
    await expect(cells.nth(0)).to_have_text("nhiem-vu-thang-12.xlsx")
    await expect(cells.nth(1)).to_have_text("Nhiệm vụ")
    await expect(cells.nth(2)).to_have_text("2")
    await expect(cells.nth(3)).to_have_text("Thời hạn")
    await expect(cells.nth(4)).to_contain_text("31/02/2026")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "import-upload.png"), full_page=True)
    await fits_a_phone(page)

    good = write_workbook(tmp_path / "nhiem-vu-thang-12.xlsx", "31/01/2026")
    await page.set_input_files('input[name="file"]', str(good))
    await page.click("#check-button")
    result = page.locator("#import-result")
    await expect(result).to_contain_text("không có lỗi")
    await expect(result.locator('tr[data-kind="tasks"] [data-count="new"]')).to_have_text("2")
    await page.goto(url(demo, "/tasks/NV-WEB-01"))
    await expect(page.locator("h1")).to_have_text("Không tìm thấy")  # only checked

    await page.goto(url(demo, "/imports"))
    await page.set_input_files('input[name="file"]', str(good))
    await page.click("#import-button")
    await expect(result).to_contain_text("Đã nhập tệp nhiem-vu-thang-12.xlsx")
    await expect(result.locator('tr[data-kind="tasks"] [data-count="new"]')).to_have_text("2")
    await expect(page.locator("table").last).to_contain_text("Đỗ Thị Lan Anh")  # history

    await page.goto(url(demo, "/tasks/NV-WEB-01"))
    await expect(page.locator(".task-title")).to_have_text(TITLE)
    await expect(page.locator("dl.facts")).to_contain_text("31/01/2026")


async def test_add_an_official_and_issue_an_invite(browser: Browser, demo: Web) -> None:
    demo.ctx.settings.telegram_bot_username = "DondocHaiPhongBot"
    page = await new_page(browser)
    await sign_in(page, demo, ADMIN)
    await page.click("#nav-officials")
    await expect(page.locator("h1")).to_have_text("Quản lý cán bộ")
    await page.select_option('select[name="unit"]', "SO-TC")
    await page.click("#officials-filter button[type=submit]")
    await expect(page.locator("#officials-table")).to_contain_text("Sở Tài chính")
    await page.screenshot(path=str(SCREENSHOTS / "officials.png"), full_page=False)
    await fits_a_phone(page)

    await page.click("#new-official")
    await page.fill('input[name="code"]', "SO-TC-CV-99")
    await page.fill('input[name="full_name"]', "Vũ Thị Mai")
    await page.fill('input[name="title"]', "Chuyên viên Phòng Ngân sách")
    await page.select_option('select[name="unit"]', "SO-TC")
    await page.fill('input[name="phone"]', "0912 345")  # too short
    await page.click("#save-official")
    await expect(page.locator("#form-error")).to_contain_text("không phải số Việt Nam")
    await expect(page.locator('input[name="full_name"]')).to_have_value("Vũ Thị Mai")
    await fits_a_phone(page)
    await page.fill('input[name="phone"]', "0912 345 678")
    await page.click("#save-official")
    await expect(page.locator("#officials-notice")).to_contain_text("Đã thêm cán bộ SO-TC-CV-99")

    row = page.locator('tr[data-code="SO-TC-CV-99"]')
    await expect(row).to_contain_text("Chưa liên kết")
    await row.locator("button.invite").click()
    await expect(page.locator("h1")).to_have_text("Mã mời cho đồng chí Vũ Thị Mai")
    code = await page.inner_text("#invite-code")
    await expect(page.locator("#invite-link")).to_have_attribute(
        "href", f"https://t.me/DondocHaiPhongBot?start={code}"
    )
    qr = page.locator("#invite-qr")
    await expect(qr).to_be_visible()
    assert await qr.evaluate("image => image.naturalWidth") > 50
    await fits_a_phone(page)
    async with demo.ctx.db.session() as session:
        added = await session.scalar(select(Official).where(Official.code == "SO-TC-CV-99"))
        assert added is not None and added.phone == "+84912345678"

    await page.goto(url(demo, "/officials?q=SO-TC-CV-99"))
    asked: list[str] = []

    async def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await (dialog.dismiss() if len(asked) == 1 else dialog.accept())

    page.on("dialog", answer)
    await row.locator("button.deactivate").click()  # dismissed: nothing happens
    await expect(row).to_contain_text("Đang hoạt động")
    await row.locator("button.deactivate").click()
    await expect(page.locator("#officials-notice")).to_contain_text("Đã thu hồi quyền truy cập")
    await expect(row).to_contain_text("Đã thu hồi quyền")
    assert len(asked) == 2 and "Vũ Thị Mai" in asked[0]

"""Small helpers of the browser tests (their fixtures ``chromium``, ``browser`` and ``demo`` are in
tests/web/conftest.py): a page of a given size, URLs, the web chat, signing in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import Browser, Page, expect

if TYPE_CHECKING:
    from tests.web.conftest import Web

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TIMEOUT_MS = 10_000


async def new_page(browser: Browser, width: int = 1280, height: int = 900) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
    page.set_default_timeout(TIMEOUT_MS)
    return page


def url(web: Web, path: str) -> str:
    return str(web.client.make_url(path))


async def say(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def last_bot_message(page: Page, containing: str) -> None:
    await expect(page.locator(".msg.out").filter(has_text=containing).last).to_be_visible()


async def sign_in(page: Page, web: Web, official_code: str) -> None:
    """Sign ``official_code`` in through a one-time login link, as a real official does."""
    token = await web.login_link(official_code)
    await page.goto(url(web, f"/login/{token}"))
    await page.click("#login-button")
    await expect(page.locator("h1")).not_to_have_text("Đăng nhập")

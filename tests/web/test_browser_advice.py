"""In a real browser on the demo city: a leader sees the recommendation awaiting direction on
the overview, answers it there, and the task page then shows the recommendation with its
direction (the demo's answered one too)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import select

from bot.models import Recommendation
from bot.services.recommendations import LOADED, pending_recommendations
from tests.web.browser import new_page, sign_in, url
from tests.web.conftest import Web

pytestmark = pytest.mark.browser

DIRECTION = "Đồng ý bổ sung kinh phí; giao Sở Tài chính tham mưu trong tháng 12."


async def test_a_leader_answers_a_recommendation_and_the_task_page_shows_both(
    browser: Browser, demo: Web
) -> None:
    ctx = demo.ctx
    async with ctx.db.session() as session:
        total, [waiting] = await pending_recommendations(session)
        answered = await session.scalar(
            select(Recommendation).where(Recommendation.answered_at.is_not(None)).options(*LOADED)
        )
    assert total == 1 and answered is not None
    page = await new_page(browser)
    await sign_in(page, demo, "CT-UBND")
    section = page.locator("#pending-advice")
    await expect(section.locator("h2")).to_have_text("Kiến nghị chờ cho ý kiến (1)")
    row = section.locator("tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text(waiting.task.code)
    await expect(row).to_contain_text(waiting.text)
    await row.locator('textarea[name="text"]').fill(DIRECTION)
    await row.locator('button[type="submit"]').click()
    await expect(section.locator("h2")).to_have_text("Kiến nghị chờ cho ý kiến (0)")

    await page.goto(url(demo, f"/tasks/{waiting.task.code}"))
    card = page.locator("#advice")
    item = card.locator("li.recommendation")
    await expect(item).to_contain_text(waiting.text)
    await expect(item).to_contain_text("chỉ đạo:")
    await expect(item).to_contain_text(DIRECTION)
    await expect(item.locator("form")).to_have_count(0)  # answered: no form any more
    await expect(card.locator('form textarea[name="text"]')).to_have_count(1)  # on the task

    await page.goto(url(demo, f"/tasks/{answered.task.code}"))
    card = page.locator("#advice")
    await expect(card).to_contain_text(answered.text)
    await expect(card).to_contain_text(answered.directions[0].text)

"""Headless Chromium over the real web server, on the Hải Phòng demo data.

Debian's ``chromium`` package driven by Playwright through ``executable_path``; nothing
downloads a browser. Skipped when /usr/bin/chromium is missing, except under CI (``CI=true``),
where that is a failure. The screenshots in docs/screenshots/ are made here.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.messages import Button, Reply
from bot.models import ChannelIdentity, Official, Report, Role, Task
from bot.services import invites
from bot.services.explanations import is_late, open_requests
from bot.services.outbox import Recipient, enqueue
from bot.services.people import person_label
from bot.services.summary import build_summary
from bot.status import STATUS_ORDER
from scheduler.dispatcher import OutboxDispatcher
from tests.web.browser import (
    SCREENSHOTS,
    last_bot_message,
    new_page,
    say,
    url,
)
from tests.web.conftest import Web, serve

pytestmark = pytest.mark.browser


async def test_login_link_overview_figures_and_a_task(browser: Browser, demo: Web) -> None:
    ctx = demo.ctx
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)
        overdue = summary.overdue[0]
    page = await new_page(browser)
    await page.goto(url(demo, "/"))
    await expect(page.locator("h1")).to_have_text("Đăng nhập")

    token = await demo.login_link("CT-UBND")
    await page.goto(url(demo, f"/login/{token}"))
    await page.click("#login-button")
    await expect(page.locator("h1")).to_have_text("Tổng quan tiến độ nhiệm vụ")
    assert await page.inner_text('[data-status="total"]') == str(summary.total)
    for status in STATUS_ORDER:
        shown = await page.inner_text(f'[data-status="{status.value}"]')
        assert shown == str(summary.counts[status]), status

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "dashboard.png"))

    table = page.locator("table.sortable").first
    first_unit = table.locator("tbody tr").first.locator("td").nth(1)
    await expect(first_unit).to_have_text(summary.units[0].name)
    await table.locator("th").nth(1).click()  # sort by unit name
    names = await table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names, key=str.casefold) or names[0] != summary.units[0].name
    await table.locator("th").nth(5).click()  # overdue column, ascending
    await table.locator("th").nth(5).click()  # descending: most overdue first again
    counts = [int(x) for x in await table.locator("tbody tr td:nth-child(6)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)

    await page.click(f'a[href="/tasks/{overdue.code}"] >> nth=0')
    await expect(page.locator("h1")).to_have_text(f"Nhiệm vụ {overdue.code}")
    await expect(page.locator(".task-title")).to_have_text(overdue.title)
    await expect(page.locator(".status.overdue")).to_be_visible()
    async with ctx.db.session() as session:
        shown = await session.scalar(
            select(Task)
            .where(Task.code == overdue.code)
            .options(selectinload(Task.leader_in_charge), selectinload(Task.handler))
        )
    assert shown is not None and shown.leader_in_charge is not None
    people = page.locator("dl")
    await expect(people).to_contain_text(person_label(shown.leader_in_charge))
    if shown.handler is not None:
        await expect(people).to_contain_text(person_label(shown.handler))

    await page.set_viewport_size({"width": 390, "height": 844})  # a phone
    await page.goto(url(demo, "/"))
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400


async def reporting_official(ctx: AppContext) -> tuple[Official, Task]:
    """A staff official whose unit leads an open task that is not late."""
    async with ctx.db.session() as session:
        task = await session.scalar(
            select(Task)
            .where(
                Task.completed_at.is_(None),
                Task.deadline >= ctx.today(),
                Task.progress < 75,
            )
            .order_by(Task.code)
            .limit(1)
        )
        assert task is not None
        official = await session.scalar(
            select(Official)
            .where(Official.unit_id == task.lead_unit_id, Official.role == Role.STAFF)
            .options(selectinload(Official.unit))
            .limit(1)
        )
        assert official is not None
        return official, task


async def test_web_chat_registration_report_by_buttons_live_reminder_and_dashboard(
    browser: Browser, demo: Web
) -> None:
    ctx = demo.ctx
    official, task = await reporting_official(ctx)
    async with ctx.db.session() as session:
        code = await invites.create_invite(session, ctx, official=await session.merge(official))
    page = await new_page(browser, 900, 1000)
    await page.goto(url(demo, "/chat"))
    await expect(page.locator("#status")).to_have_text("Đã kết nối")

    await say(page, f"/start {code}")
    await last_bot_message(page, f"Đã liên kết tài khoản với {official.full_name}")
    await expect(page.locator("#who")).to_contain_text(official.full_name)
    await say(page, "/baocao")
    await page.click(f'button[data-data="rp:{task.code}"]')
    await page.locator(".msg.out button", has_text="75%").last.click()
    await last_bot_message(page, "Tiến độ 75%")
    await say(page, "Đã trình dự thảo lên UBND thành phố")
    advice_step = page.locator(".msg.out").filter(has_text="Có vướng mắc, kiến nghị").last
    await advice_step.locator("button", has_text="Không có kiến nghị").click()
    file_step = page.locator(".msg.out").filter(has_text="Gửi tệp sản phẩm").last
    await file_step.locator("button", has_text="Bỏ qua").click()
    confirm_step = page.locator(".msg.out").filter(has_text="Xác nhận báo cáo").last
    await confirm_step.locator("button", has_text="Xác nhận").click()
    await last_bot_message(page, "Đã lưu báo cáo")
    async with ctx.db.session() as session:
        report = await session.scalar(select(Report).where(Report.channel == "web"))
        chat_id = await session.scalar(
            select(ChannelIdentity.chat_id).where(ChannelIdentity.channel == "web")
        )
    assert report is not None and report.progress == 75 and report.task_id == task.id
    assert report.note == "Đã trình dự thảo lên UBND thành phố"
    assert chat_id is not None

    # A reminder queued in the outbox arrives live through the scheduler's dispatcher.
    reminder = Reply(
        f"Nhắc việc: nhiệm vụ {task.code} sắp đến hạn. Vui lòng cập nhật tiến độ.",
        [[Button(f"Báo cáo {task.code}", f"rp:{task.code}")]],
    )
    async with ctx.db.session() as session:
        await enqueue(
            session,
            ctx,
            Recipient(channel="web", chat_id=chat_id, official_id=official.id),
            [reminder],
            kind="reminder",
            dedupe_key=f"test-reminder:{chat_id}",
        )
    stats = await OutboxDispatcher(ctx, demo.runtime.senders).drain()
    assert stats.claimed == 1
    await last_bot_message(page, f"Nhắc việc: nhiệm vụ {task.code}")
    await expect(page.locator(f'button[data-data="rp:{task.code}"]').last).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "chat.png"))

    # The report is on the dashboard (login link from /dangnhap in the same chat).
    await say(page, "/dangnhap")
    # The live page shows the real link (the stored history keeps it masked).
    link = page.locator(".msg.out a", has_text=re.compile(r"/login/[\w-]{20,}")).last
    await expect(link).to_be_visible()
    href = await link.get_attribute("href") or ""
    assert href.startswith("http://127.0.0.1:8080/login/")  # the configured address
    await page.goto(url(demo, href.removeprefix("http://127.0.0.1:8080")))
    await page.click("#login-button")
    await expect(page.locator("h1")).to_contain_text(official.unit.name if official.unit else "")
    await page.goto(url(demo, f"/tasks/{task.code}"))
    row = page.locator("table tbody tr").filter(has_text="Đã trình dự thảo lên UBND thành phố")
    await expect(row).to_contain_text("75%")
    await expect(row).to_contain_text(official.full_name)
    await expect(page.locator("progress")).to_have_attribute("value", "75")


async def test_demo_picker_and_a_digest_arriving_while_the_page_is_open(
    browser: Browser, demo: Web
) -> None:
    ctx = AppContext(
        settings=demo.ctx.settings.model_copy(update={"demo_mode": True}),
        db=demo.ctx.db,
        clock=demo.ctx.clock,
    )
    async for picker_web in serve(ctx):
        page = await new_page(browser, 900, 800)
        await page.goto(url(picker_web, "/chat"))
        await page.select_option("#demo-official", "CT-UBND")
        await page.click("#demo-choose")
        await expect(page.locator("#who")).to_contain_text("Lê Ngọc Châu")
        await last_bot_message(page, "Đã liên kết tài khoản với Lê Ngọc Châu")
        await expect(page.locator("#status")).to_have_text("Đã kết nối")
        async with ctx.db.session() as session:
            chat_id = await session.scalar(
                select(ChannelIdentity.chat_id).where(ChannelIdentity.channel == "web")
            )
        assert chat_id is not None
        day = ctx.today().strftime("%d/%m/%Y")
        await picker_web.runtime.senders["web"].send(chat_id, [Reply(f"Tổng hợp ngày {day}")])
        await last_bot_message(page, f"Tổng hợp ngày {day}")
        assert re.fullmatch(
            r"\d\d:\d\d \d\d/\d\d/\d{4}", await page.locator(".msg .at").last.inner_text()
        )


async def test_open_explanation_requests_on_the_overview_and_answered_on_the_task_page(
    browser: Browser, demo: Web
) -> None:
    ctx = demo.ctx
    async with ctx.db.session() as session:
        _, requests = await open_requests(session)
    late = next(r for r in requests if is_late(r, ctx.today()))
    page = await new_page(browser)
    token = await demo.login_link("CT-UBND")
    await page.goto(url(demo, f"/login/{token}"))
    await page.click("#login-button")
    section = page.locator("#open-explanations")
    await expect(section.locator("h2")).to_have_text("Yêu cầu giải trình chưa trả lời (2)")
    await expect(section.locator("tbody tr")).to_have_count(2)
    await expect(section.locator("tr.late")).to_contain_text(late.task.code)

    await page.context.clear_cookies()
    token = await demo.login_link(f"{late.unit.code}-TT")
    await page.goto(url(demo, f"/login/{token}"))
    await page.click("#login-button")
    await page.goto(url(demo, f"/tasks/{late.task.code}"))
    card = page.locator("#explanations")
    await expect(card).to_contain_text("Chưa trả lời — quá hạn giải trình")
    await card.locator('textarea[name="answer"]').fill("Đơn vị đã hoàn thiện hồ sơ.")
    await card.locator('button[type="submit"]').click()
    await expect(page.locator("#explanations")).to_contain_text("đã giải trình (trễ hạn):")
    await expect(page.locator("#explanations")).to_contain_text("Đơn vị đã hoàn thiện hồ sơ.")

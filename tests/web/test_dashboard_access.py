"""Who may open which dashboard page, how login links and sessions behave, and CSRF."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
from docx import Document as DocxDocument
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.evaluation.render_docx import DOCX_MIME
from bot.models import LoginLink, Task, WebSession
from scheduler.snapshots import run_snapshot
from tests.web.conftest import Web, World, local


def figures(page: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r'data-status="(\w+)">(\d+)<', page)}


async def test_without_a_session_the_dashboard_shows_how_to_log_in(web: Web, world: World) -> None:
    for path in ("/", "/tasks/NQ-01", "/units/STC"):
        response = await web.client.get(path)
        page = await response.text()
        assert response.status == 401
        assert "/dangnhap" in page
        assert "Nguyễn Thị Hoa" not in page and "Triển khai" not in page


async def test_a_login_link_opens_a_session_with_a_safe_cookie(web: Web, world: World) -> None:
    token = await web.login_link("LD-01")
    response = await web.client.post(f"/login/{token}", allow_redirects=False)
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert "dondoc_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert token not in cookie
    page = await (await web.client.get("/")).text()
    assert "Tổng quan tiến độ nhiệm vụ" in page
    async with web.ctx.db.session() as session:
        stored = await session.scalar(select(LoginLink.token_hash))
    assert stored is not None and token not in stored


async def test_opening_a_login_link_page_does_not_spend_it(web: Web, world: World) -> None:
    token = await web.login_link("LD-01")
    for _ in range(2):
        response = await web.client.get(f"/login/{token}")
        assert response.status == 200
        assert 'id="login-button"' in await response.text()
    await web.login("LD-01")


async def test_a_used_login_link_fails(web: Web, world: World) -> None:
    token = await web.login_link("LD-01")
    first = await web.client.post(f"/login/{token}", allow_redirects=False)
    assert first.status == 303
    web.client.session.cookie_jar.clear()
    second = await web.client.post(f"/login/{token}", allow_redirects=False)
    assert second.status == 410
    assert "đã được sử dụng" in await second.text()
    assert "Set-Cookie" not in second.headers
    assert (await web.client.get("/")).status == 401


async def test_an_expired_login_link_fails(web: Web, world: World, clock: FrozenClock) -> None:
    token = await web.login_link("LD-01")
    clock.advance(dt.timedelta(minutes=web.ctx.settings.login_link_ttl_minutes, seconds=1))
    response = await web.client.post(f"/login/{token}", allow_redirects=False)
    assert response.status == 410
    assert "hết hạn" in await response.text()
    assert (await web.client.get(f"/login/{token}")).status == 410


async def test_an_unknown_login_link_fails(web: Web, world: World) -> None:
    response = await web.client.post("/login/not-a-real-token", allow_redirects=False)
    assert response.status == 404
    assert "không hợp lệ" in await response.text()


async def test_a_session_expires(web: Web, world: World, clock: FrozenClock) -> None:
    await web.login("LD-01")
    clock.advance(dt.timedelta(hours=12, seconds=1))
    assert (await web.client.get("/")).status == 401


async def test_the_leader_sees_every_unit_and_the_true_figures(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await (await web.client.get("/")).text()
    assert figures(page) == {
        "total": 7,
        "done_on_time": 1,
        "done_late": 1,
        "in_progress": 3,
        "overdue": 2,
        "done_without_deadline": 0,
    }
    assert "có thời hạn: 7" in page
    assert "28,6% tổng số · 28,6% số có thời hạn" in page  # overdue: 2 of 7
    assert "Sở Tài chính" in page and "Sở Xây dựng" in page
    assert "<svg" in page
    assert "NV-06" in page  # most overdue
    assert "Chờ số liệu quyết toán" in page  # pending extension
    for path in ("/tasks/NV-03", "/tasks/NV-02", "/units/SXD", "/units/STC"):
        assert (await web.client.get(path)).status == 200


async def test_figures_give_both_bases_and_count_done_without_deadline_apart(
    web: Web, world: World
) -> None:
    async with web.ctx.db.session() as session:
        for code, done in (("KH-01", True), ("KH-02", False), ("KH-03", False)):
            session.add(
                Task(
                    code=code,
                    title=f"Nhiệm vụ thường xuyên {code}",
                    lead_unit_id=world.units["STC"].id,
                    progress=100 if done else 0,
                    completed_at=local(5) if done else None,
                    completed_on=dt.date(2025, 12, 5) if done else None,
                    created_at=local(1, 11),
                    updated_at=local(1, 11),
                )
            )
        await session.commit()
    await web.login("LD-01")
    page = await (await web.client.get("/")).text()
    assert figures(page) == {
        "total": 10,
        "done_on_time": 2,
        "done_late": 1,
        "in_progress": 5,
        "overdue": 2,
        "done_without_deadline": 1,
    }
    assert "có thời hạn: 7" in page
    # overdue: 2 of 10 tasks, 2 of the 7 with a deadline; done on time: 2 of 10, 1 of 7
    assert "20,0% tổng số · 28,6% số có thời hạn" in page
    assert "20,0% tổng số · 14,3% số có thời hạn" in page
    assert "Hoàn thành (nhiệm vụ không có thời hạn)" in page


async def test_a_unit_head_cannot_open_another_units_task(web: Web, world: World) -> None:
    await web.login("GD-SXD")
    denied = await web.client.get("/tasks/NV-02")
    assert denied.status == 403
    text = await denied.text()
    assert "Không có quyền" in text and "Kế hoạch đầu tư công" not in text
    assert (await web.client.get("/units/STC")).status == 403
    assert (await web.client.get("/tasks/NV-03")).status == 200
    # A coordinating unit may read the task it helps with.
    assert (await web.client.get("/tasks/NQ-01")).status == 200


async def test_staff_see_only_their_units_figures(web: Web, world: World) -> None:
    await web.login("CV-STC-01")
    page = await (await web.client.get("/")).text()
    assert "Tổng quan: Sở Tài chính" in page
    assert figures(page) == {
        "total": 4,
        "done_on_time": 0,
        "done_late": 1,
        "in_progress": 2,
        "overdue": 1,
        "done_without_deadline": 0,
    }
    assert "NV-06" not in page and "Sở Xây dựng" not in page


async def test_the_task_page_shows_deadline_history_and_reports(web: Web, world: World) -> None:
    await web.login("GD-STC")
    page = await (await web.client.get("/tasks/nq-01")).text()
    assert "Triển khai 45 nghị quyết của HĐND thành phố" in page
    assert "45/NQ-HĐND" in page
    assert "10/12/2025" in page and "15/12/2025" in page
    assert "Chờ ý kiến các sở" in page
    assert "Đã trình dự thảo kế hoạch" in page and "Nguyễn Thị Hoa" in page
    assert '<a href="https://example.org/du-thao.pdf">du-thao-ke-hoach.pdf</a>' in page
    assert (await web.client.get("/tasks/KHONG-CO")).status == 404


async def test_text_from_the_database_is_escaped(web: Web, world: World) -> None:
    async with web.ctx.db.session() as session:
        task = await session.get(type(world.tasks["NV-07"]), world.tasks["NV-07"].id)
        assert task is not None
        task.title = '<script>alert("x")</script>'
    await web.login("LD-01")
    page = await (await web.client.get("/units/STC")).text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


async def test_pages_carry_security_headers(web: Web, world: World) -> None:
    await web.login("LD-01")
    response = await web.client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


async def test_export_without_or_with_a_wrong_csrf_token_fails(web: Web, world: World) -> None:
    await web.login("LD-01")
    missing = await web.client.post("/export", data={})
    assert missing.status == 403
    assert "Biểu mẫu đã cũ" in await missing.text()
    wrong = await web.client.post("/export", data={"csrf": "guess"})
    assert wrong.status == 403
    token = await web.csrf()
    cross_site = await web.client.post(
        "/export", data={"csrf": token}, headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status == 403


async def test_logout_needs_the_csrf_token_and_ends_the_session(web: Web, world: World) -> None:
    await web.login("LD-01")
    assert (await web.client.post("/logout", data={})).status == 403
    assert (await web.client.get("/")).status == 200
    response = await web.client.post("/logout", data={"csrf": await web.csrf()})
    assert response.url.path == "/login"
    assert (await web.client.get("/")).status == 401
    async with web.ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 0


async def test_export_returns_the_excel_report(web: Web, world: World) -> None:
    await web.login("LD-01")
    response = await web.client.post("/export", data={"csrf": await web.csrf()})
    assert response.status == 200
    assert response.content_type.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(await response.read()))
    cells = {str(c.value) for row in workbook.worksheets[0].iter_rows() for c in row if c.value}
    assert {"Sở Tài chính", "Sở Xây dựng"} <= cells


async def test_a_unit_heads_export_is_their_unit_only(web: Web, world: World) -> None:
    await web.login("GD-SXD")
    csrf = await web.csrf()
    denied = await web.client.post("/export", data={"csrf": csrf, "unit": "STC"})
    assert denied.status == 403
    response = await web.client.post("/export", data={"csrf": csrf})
    assert response.status == 200
    assert "SXD" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(await response.read()))
    cells = {
        str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value
    }
    assert "Sở Xây dựng" in cells and "Sở Tài chính" not in cells


async def test_overview_and_unit_pages_show_the_weekly_trend(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await (await web.client.get("/")).text()
    assert "Xu hướng theo tuần" in page and "Chưa có số liệu xu hướng" in page
    await run_snapshot(web.ctx)
    page = await (await web.client.get("/")).text()
    assert 'class="chart trend"' in page
    assert 'data-status="overdue" data-week="2025-12-08"' in page
    unit_page = await (await web.client.get("/units/STC")).text()
    assert 'class="chart trend"' in unit_page


async def test_the_report_downloads_in_each_format_for_the_viewers_scope(
    web: Web, world: World
) -> None:
    await web.login("LD-01")
    page = await (await web.client.get("/")).text()
    assert 'action="/report"' in page and 'value="2025-12"' in page
    token = await web.csrf()
    response = await web.client.post(
        "/report", data={"csrf": token, "period": "2025-12", "format": "docx"}
    )
    assert response.status == 200
    assert response.headers["Content-Type"].startswith(DOCX_MIME)
    assert "bao-cao-ket-qua-2025-12.docx" in response.headers["Content-Disposition"]
    document = DocxDocument(io.BytesIO(await response.read()))
    texts = [p.text for p in document.paragraphs]
    assert "Kết quả thực hiện nhiệm vụ tháng 12 năm 2025" in texts
    pdf = await web.client.post("/report", data={"csrf": token, "period": "2025", "format": "pdf"})
    assert pdf.status == 200 and (await pdf.read()).startswith(b"%PDF")

    bad = await web.client.post("/report", data={"csrf": token, "period": "tháng 13"})
    assert bad.status == 400
    assert "is not a period" in await bad.text()


async def test_staff_get_their_own_units_report(web: Web, world: World) -> None:
    await web.login("CV-STC-01")
    token = await web.csrf()
    response = await web.client.post("/report", data={"csrf": token, "period": "2025-12"})
    assert response.status == 200
    workbook = openpyxl.load_workbook(io.BytesIO(await response.read()))
    values = [c.value for row in workbook["Báo cáo"].iter_rows() for c in row if c.value]
    assert "Kết quả thực hiện nhiệm vụ tháng 12 năm 2025 của Sở Tài chính" in values
    denied = await web.client.post(
        "/report", data={"csrf": token, "period": "2025-12", "unit": "SXD"}
    )
    assert denied.status == 403

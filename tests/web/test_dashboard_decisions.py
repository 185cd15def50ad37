"""Dashboard decisions with another date and a comment: the form's fields, the rules of the
service (clear refusals that change nothing), and the task page's history of decisions."""

from __future__ import annotations

import datetime as dt
import html

from sqlalchemy import select

from bot.models import AuditLog, DeadlineChange, ExtensionRequest, ExtensionStatus, Task
from bot.services.extensions import NOTE_LIMIT
from tests.web.conftest import Web, World


async def _request(web: Web) -> ExtensionRequest:
    async with web.ctx.db.session() as session:
        request = await session.scalar(select(ExtensionRequest))
        assert request is not None
        return request


async def _deadline(web: Web) -> dt.date | None:
    async with web.ctx.db.session() as session:
        return await session.scalar(select(Task.deadline).where(Task.code == "NV-02"))


def _history(page: str) -> str:
    """The deadline history card of a task page."""
    start = page.index("Lịch sử thay đổi hạn")
    return page[start : page.index("</section>", start)]


async def test_approve_until_another_date_with_a_comment(web: Web, world: World) -> None:
    request = await _request(web)
    await web.login("LD-01")
    page = await (await web.client.get("/tasks/NV-02")).text()
    assert f'<textarea name="note" rows="2" maxlength="{NOTE_LIMIT}"></textarea>' in page
    assert "Hạn chưa thay đổi." in page
    response = await web.client.post(
        f"/extensions/{request.id}",
        data={
            "csrf": await web.csrf("/tasks/NV-02"),
            "back": "task",
            "decision": "approve",
            "deadline": "2025-12-16",
            "note": "Báo cáo <b>kết quả</b> trước ngày 15/12",
        },
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/tasks/NV-02"
    assert await _deadline(web) == dt.date(2025, 12, 16)
    decided = await _request(web)
    assert decided.status is ExtensionStatus.APPROVED
    assert decided.decided_deadline == dt.date(2025, 12, 16)
    async with web.ctx.db.session() as session:
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "extension.approve"))
    assert audit is not None and audit.actor == "web"
    assert audit.details["deadline"] == "2025-12-16"

    history = _history(await (await web.client.get("/tasks/NV-02")).text())
    assert "Đồng ý đến ngày khác (đề nghị 20/12/2025)" in history
    assert world.officials["LD-01"].full_name in history
    assert ">01/12/2025<" in history and ">16/12/2025<" in history
    assert "Chờ số liệu quyết toán" in history
    assert html.escape("Báo cáo <b>kết quả</b> trước ngày 15/12", quote=False) in history
    assert "<b>kết quả</b>" not in history


async def test_refusal_with_a_comment_from_the_inbox(web: Web, world: World) -> None:
    request = await _request(web)
    await web.login("VP-01")
    response = await web.client.post(
        f"/extensions/{request.id}",
        data={
            "csrf": await web.csrf(),
            "back": "overview",
            "decision": "reject",
            "deadline": "2025-12-20",  # the prefilled date is ignored on refusal
            "note": "Đề nghị hoàn thành đúng hạn",
        },
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/"
    assert await _deadline(web) == dt.date(2025, 12, 1)
    decided = await _request(web)
    assert decided.status is ExtensionStatus.REJECTED
    assert decided.decision_note == "Đề nghị hoàn thành đúng hạn"
    history = _history(await (await web.client.get("/tasks/NV-02")).text())
    assert "Không đồng ý (đề nghị 20/12/2025)" in history
    assert ">Giữ nguyên<" in history and "Đề nghị hoàn thành đúng hạn" in history
    assert world.officials["VP-01"].full_name in history


async def test_an_empty_date_approves_the_requested_one(web: Web, world: World) -> None:
    request = await _request(web)
    await web.login("LD-01")
    response = await web.client.post(
        f"/extensions/{request.id}",
        data={"csrf": await web.csrf(), "decision": "approve", "deadline": "", "note": ""},
        allow_redirects=False,
    )
    assert response.status == 303
    assert await _deadline(web) == dt.date(2025, 12, 20)
    history = _history(await (await web.client.get("/tasks/NV-02")).text())
    assert ">Đồng ý gia hạn<" in history and ">—<" in history


async def test_a_bad_date_or_comment_is_refused_and_changes_nothing(web: Web, world: World) -> None:
    request = await _request(web)
    await web.login("LD-01")
    csrf = await web.csrf()
    cases = {
        "2025-13-01": (400, "Ngày gia hạn không hợp lệ"),
        "31/12/2025": (400, "Ngày gia hạn không hợp lệ"),
        "2025-12-08": (400, "Ngày gia hạn 08/12/2025 đã qua hoặc là hôm nay"),
        "2025-11-30": (400, "Ngày gia hạn 30/11/2025 đã qua hoặc là hôm nay"),
    }
    for typed, (status, message) in cases.items():
        response = await web.client.post(
            f"/extensions/{request.id}",
            data={"csrf": csrf, "decision": "approve", "deadline": typed},
        )
        assert response.status == status, typed
        assert message in await response.text(), typed
    long_note = await web.client.post(
        f"/extensions/{request.id}",
        data={"csrf": csrf, "decision": "reject", "note": "x" * (NOTE_LIMIT + 1)},
    )
    assert long_note.status == 400
    assert "vượt quá 1000 ký tự" in await long_note.text()
    assert (await _request(web)).status is ExtensionStatus.PENDING
    assert await _deadline(web) == dt.date(2025, 12, 1)


async def test_a_change_without_a_request_is_in_the_history(web: Web, world: World) -> None:
    async with web.ctx.db.session() as session:
        session.add(
            DeadlineChange(
                task_id=world.tasks["NV-02"].id,
                old_deadline=dt.date(2025, 11, 25),
                new_deadline=dt.date(2025, 12, 1),
                reason="Điều chỉnh theo kế hoạch mới",
                changed_by_id=world.officials["VP-01"].id,
                changed_at=web.ctx.now() - dt.timedelta(days=10),
            )
        )
    await web.login("LD-01")
    history = _history(await (await web.client.get("/tasks/NV-02")).text())
    assert "Điều chỉnh thời hạn" in history and "Điều chỉnh theo kế hoạch mới" in history
    assert world.officials["VP-01"].full_name in history

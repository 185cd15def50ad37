"""Task administration on the dashboard: the forms, their CSRF and refusals, a refused form
that keeps what was typed, and the task page's buttons and change history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.models import AuditLog, Task, TaskState
from bot.services import task_admin
from tests.bot.builders import rival_writes_first
from tests.web.conftest import Web, World, local

NEW_TASK = {
    "code": "nq45-09",
    "title": "Chương trình phát triển thể thao",
    "description": "Xây dựng chương trình\ngiai đoạn 2026-2030",
    "source_document": "45/NQ-HĐND",
    "expected_output": "Tờ trình",
    "deadline": "2025-12-30",
    "priority": "urgent",
    "lead_unit": "STC",
    "leader_in_charge": "LD-01",
    "handler": "CV-STC-01",
}


async def _post(web: Web, path: str, data: dict[str, Any], csrf_from: str = "/") -> Any:
    form = {"csrf": await web.csrf(csrf_from), **data}
    return await web.client.post(path, data=form, allow_redirects=False)


async def _task(web: Web, code: str) -> Task | None:
    async with web.ctx.db.session() as session:
        return await session.scalar(select(Task).where(Task.code == code))


async def test_the_office_creates_a_task_from_the_form(web: Web, world: World) -> None:
    await web.login("VP-01")
    overview = await (await web.client.get("/")).text()
    assert 'href="/tasks/new"' in overview and "Thêm nhiệm vụ" in overview
    form = await web.client.get("/tasks/new")
    page = await form.text()
    assert form.status == 200 and 'name="coordinating_units" value="SXD"' in page
    data = [*NEW_TASK.items(), ("coordinating_units", "SXD"), ("coordinating_units", "VP")]
    response = await web.client.post(
        "/tasks/new",
        data=[("csrf", await web.csrf()), *data],
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/tasks/NQ45-09"
    task = await _task(web, "NQ45-09")
    assert task is not None and task.description == "Xây dựng chương trình\ngiai đoạn 2026-2030"
    page = await (await web.client.get("/tasks/NQ45-09")).text()
    assert "Lịch sử thay đổi" in page and "Thêm nhiệm vụ" in page
    assert "Đơn vị chủ trì: — → Sở Tài chính" in page
    assert "Đơn vị phối hợp: — → Sở Xây dựng, Văn phòng UBND thành phố" in page
    assert "Hạn xử lý: — → 30/12/2025" in page


async def test_a_refused_form_keeps_what_was_typed(web: Web, world: World) -> None:
    await web.login("VP-01")
    data = {**NEW_TASK, "code": "NQ-01", "title": "Tên giữ nguyên <b>"}
    response = await _post(web, "/tasks/new", data)
    page = await response.text()
    assert response.status == 400
    assert "Đã có nhiệm vụ mã NQ-01" in page
    assert 'value="NQ-01"' in page and "Tên giữ nguyên &lt;b&gt;" in page
    assert 'value="2025-12-30"' in page and 'value="urgent" selected' in page
    assert 'value="CV-STC-01" selected' in page

    response = await _post(web, "/tasks/new", {**NEW_TASK, "deadline": "30/13/2025"})
    page = await response.text()
    assert response.status == 400 and "Hạn xử lý 30/13/2025 không đúng" in page
    assert 'value="30/13/2025"' in page
    assert await _task(web, "NQ45-09") is None


async def test_a_code_another_admin_just_added_is_the_form_error(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def rival() -> None:
        async with web.ctx.db.session() as session:
            session.add(
                Task(
                    code="NQ45-09",
                    title="Nhiệm vụ của người khác",
                    lead_unit_id=world.units["SXD"].id,
                    created_at=local(1, 11),
                    updated_at=local(1, 11),
                )
            )

    rival_writes_first(monkeypatch, task_admin, rival)
    await web.login("VP-01")
    response = await _post(web, "/tasks/new", {**NEW_TASK, "coordinating_units": "SXD"})
    page = await response.text()
    assert response.status == 400, page
    assert "Đã có nhiệm vụ mã NQ45-09" in page
    assert "Chương trình phát triển thể thao" in page  # what was typed stays
    task = await _task(web, "NQ45-09")
    assert task is not None and task.title == "Nhiệm vụ của người khác"
    async with web.ctx.db.session() as session:
        created = select(func.count()).where(AuditLog.action == "task.create")
        assert await session.scalar(created) == 0


async def test_forms_need_the_csrf_token_and_the_right_person(web: Web, world: World) -> None:
    await web.login("VP-01")
    response = await web.client.post(
        "/tasks/new", data={**NEW_TASK, "csrf": "wrong"}, allow_redirects=False
    )
    assert response.status == 403 and await _task(web, "NQ45-09") is None

    await web.login("CV-STC-01")
    assert (await web.client.get("/tasks/new")).status == 403
    assert (await web.client.get("/tasks/NQ-01/edit")).status == 403
    assert (await _post(web, "/tasks/new", NEW_TASK)).status == 403
    assert (await _post(web, "/tasks/NQ-01/suspend", {"reason": "x"})).status == 403
    page = await (await web.client.get("/tasks/NQ-01")).text()
    assert "/tasks/new" not in page and "/edit" not in page and "suspend" not in page

    await web.login("GD-STC")
    assert (await web.client.get("/tasks/NQ-01/edit")).status == 200
    assert (await web.client.get("/tasks/NV-03/edit")).status == 403
    assert (await _post(web, "/tasks/NQ-01/withdraw", {"reason": "x"})).status == 403
    response = await _post(web, "/tasks/new", {**NEW_TASK, "lead_unit": "SXD", "handler": ""})
    assert response.status == 400 and "chỉ giao nhiệm vụ cho đơn vị mình" in await response.text()
    assert (await web.client.get("/tasks/NOPE/edit")).status == 404


async def test_edit_reassign_suspend_and_reopen(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await (await web.client.get("/tasks/NQ-01/edit")).text()
    assert 'value="SXD" checked' in page  # the current coordinating unit
    form = [
        ("title", "Triển khai 45 nghị quyết (sửa)"),
        ("deadline", "2025-12-19"),
        ("priority", "high"),
        ("lead_unit", "SXD"),
        ("coordinating_units", "STC"),
        ("leader_in_charge", "LD-01"),
        ("handler", ""),
        ("reason", "Theo kết luận giao ban"),
    ]
    response = await web.client.post(
        "/tasks/NQ-01/edit",
        data=[("csrf", await web.csrf()), *form],
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/tasks/NQ-01#history"
    page = await (await web.client.get("/tasks/NQ-01")).text()
    assert "Đơn vị chủ trì: Sở Tài chính → Sở Xây dựng" in page
    assert "Hạn xử lý: 15/12/2025 → 19/12/2025" in page
    assert "Theo kết luận giao ban" in page

    response = await _post(web, "/tasks/NQ-01/suspend", {"reason": " "})
    assert response.status == 400 and "cần nêu lý do" in await response.text()
    response = await _post(web, "/tasks/NQ-01/suspend", {"reason": "Chờ chủ trương"})
    assert response.status == 303
    page = await (await web.client.get("/tasks/NQ-01")).text()
    assert 'id="task-state"' in page and "Lý do: Chờ chủ trương" in page
    assert 'id="reopen-form"' in page and 'id="suspend-form"' not in page
    overview = await (await web.client.get("/")).text()
    assert "tạm dừng 1, đã rút 0 nhiệm vụ" in overview
    unit_page = await (await web.client.get("/units/SXD")).text()
    assert 'id="stopped-tasks"' in unit_page

    response = await _post(web, "/tasks/NQ-01/reopen", {"reason": "Đã có chủ trương"})
    assert response.status == 303
    task = await _task(web, "NQ-01")
    assert task is not None and task.state is TaskState.ACTIVE
    async with web.ctx.db.session() as session:
        actions = list(
            await session.scalars(
                select(AuditLog.action)
                .where(AuditLog.entity_id == str(task.id), AuditLog.action.like("task.%"))
                .order_by(AuditLog.id)
            )
        )
    assert actions == ["task.edit", "task.suspend", "task.reopen"]


async def test_a_refused_edit_keeps_the_typed_values(web: Web, world: World) -> None:
    await web.login("VP-01")
    response = await _post(
        web,
        "/tasks/NQ-01/edit",
        {"title": "Tên mới", "lead_unit": "SXD", "handler": "CV-STC-01", "priority": "normal"},
    )
    page = await response.text()
    assert response.status == 400
    assert "không thuộc đơn vị chủ trì Sở Xây dựng" in page
    assert "Tên mới" in page and re.search(r'value="SXD"\s*selected', page)
    task = await _task(web, "NQ-01")
    assert task is not None and task.title == "Triển khai 45 nghị quyết của HĐND thành phố"

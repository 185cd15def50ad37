"""Explanation requests on the dashboard: a leader asks from an overdue task's page, the unit
head answers on the same page, both stay on the task's history, and the overview lists the
unanswered ones (late ones marked). The same service as the chat: refusals are explained."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from bot.models import ExplanationRequest, OutboxMessage
from tests.web.conftest import Web, World

ASK_FORM = r'<form method="post" action="/tasks/NV-06/explanations" class="explain">'


async def _ask(web: Web, code: str, due: str, text: str) -> int:
    response = await web.client.post(
        f"/tasks/{code}/explanations",
        data={"csrf": await web.csrf(), "due_date": due, "text": text},
        allow_redirects=False,
    )
    return response.status


async def test_leader_asks_head_answers_on_the_task_page(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await (await web.client.get("/tasks/NV-06")).text()
    assert re.search(ASK_FORM, page), "no ask form on an overdue task"
    assert 'name="due_date" required min="2025-12-08"' in page
    assert "Gửi yêu cầu giải trình" not in await (await web.client.get("/tasks/NV-03")).text()

    response = await web.client.post(
        "/tasks/NV-06/explanations",
        data={"csrf": await web.csrf(), "due_date": "2025-12-10", "text": "Giải trình việc chậm"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/tasks/NV-06#explanations"
    page = await (await web.client.get("/tasks/NV-06")).text()
    assert "08/12/2025: Lê Ngọc Châu yêu cầu Sở Xây dựng giải trình trước ngày 10/12/2025:" in page
    assert "Chưa trả lời" in page and not re.search(ASK_FORM, page)  # one open at a time
    overview = await (await web.client.get("/")).text()
    assert "Yêu cầu giải trình chưa trả lời (1)" in overview
    assert '<a href="/tasks/NV-06">NV-06</a>' in overview

    async with web.ctx.db.session() as session:
        request = await session.scalar(select(ExplanationRequest))
        assert request is not None
        notices = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "explanation.request")
            )
        )
    assert notices == []  # the head has no chat linked: the dashboard is where they see it

    await web.login("GD-SXD")
    page = await (await web.client.get("/tasks/NV-06")).text()
    action = f'action="/explanations/{request.id}"'
    assert action in page and "Gửi giải trình" in page
    response = await web.client.post(
        f"/explanations/{request.id}",
        data={"csrf": await web.csrf(), "answer": "Chậm do vướng giải phóng mặt bằng."},
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await web.client.get("/tasks/NV-06")).text()
    assert "08/12/2025: Lê Minh Tuấn đã giải trình:" in page
    assert "Chậm do vướng giải phóng mặt bằng." in page and action not in page


async def test_refusals_on_the_web_are_clear(web: Web, world: World) -> None:
    await web.login("LD-01")
    assert await _ask(web, "NV-03", "2025-12-20", "Giải trình") == 409  # not overdue
    assert await _ask(web, "NV-06", "2025-12-01", "Giải trình") == 409  # date passed
    assert await _ask(web, "NV-06", "mai", "Giải trình") == 400
    response = await web.client.post(
        "/tasks/NV-06/explanations",
        data={"csrf": await web.csrf(), "due_date": "2025-12-01", "text": "Giải trình"},
    )
    assert "Hạn giải trình 01/12/2025 đã qua." in await response.text()
    assert await _ask(web, "NV-06", "2025-12-12", "Giải trình") == 303
    assert await _ask(web, "NV-06", "2025-12-12", "Lần nữa") == 409  # one open already
    await web.login("CV-STC-01")
    assert await _ask(web, "NV-02", "2025-12-12", "Giải trình") == 403  # staff do not ask
    await web.login("GD-STC")  # head of another unit
    async with web.ctx.db.session() as session:
        request_id = await session.scalar(select(ExplanationRequest.id))
    response = await web.client.post(
        f"/explanations/{request_id}",
        data={"csrf": await web.csrf(), "answer": "Không phải đơn vị tôi"},
        allow_redirects=False,
    )
    assert response.status == 403


async def test_the_overview_marks_late_requests(web: Web, world: World) -> None:
    async with web.ctx.db.session() as session:
        session.add(
            ExplanationRequest(
                task_id=world.tasks["NV-02"].id,
                unit_id=world.units["STC"].id,
                requested_by_id=world.officials["VP-01"].id,
                due_date=dt.date(2025, 12, 5),
                text="Giải trình",
                created_at=web.ctx.now() - dt.timedelta(days=5),
                answer="",
            )
        )
    await web.login("GD-STC")
    overview = await (await web.client.get("/")).text()
    assert '<tr class="late"><td><a href="/tasks/NV-02">NV-02</a>' in overview
    assert "Chưa trả lời — quá hạn giải trình" in overview

"""Leaders decide pending extension requests on the dashboard: from the overview's list and
from the task page, with the session's CSRF token, through the same service as the chat."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from bot.models import (
    AuditLog,
    ChannelIdentity,
    DeadlineChange,
    ExtensionRequest,
    ExtensionStatus,
    OutboxMessage,
    Task,
)
from tests.web.conftest import Web, World


async def _request(web: Web) -> ExtensionRequest:
    async with web.ctx.db.session() as session:
        request = await session.scalar(select(ExtensionRequest))
        assert request is not None
        return request


async def _deadline(web: Web, code: str) -> dt.date | None:
    async with web.ctx.db.session() as session:
        return await session.scalar(select(Task.deadline).where(Task.code == code))


def _form(page: str) -> tuple[str, str]:
    """(action, back) of the decision form on a page."""
    match = re.search(
        r'<form method="post" action="(/extensions/\d+)" class="decide">'
        r'<input type="hidden" name="csrf" value="[^"]+">'
        r'<input type="hidden" name="back" value="(\w+)">',
        page,
    )
    assert match, "no decision form on the page"
    return match.group(1), match.group(2)


async def test_leader_approves_from_the_overview(web: Web, world: World) -> None:
    request = await _request(web)
    async with web.ctx.db.session() as session:
        session.add(
            ChannelIdentity(
                official_id=world.officials["CV-STC-01"].id,
                channel="telegram",
                external_user_id="501",
                chat_id="501",
                created_at=web.ctx.now(),
            )
        )
    await web.login("LD-01")
    page = await (await web.client.get("/")).text()
    action, back = _form(page)
    assert (action, back) == (f"/extensions/{request.id}", "overview")
    assert '<input type="date" name="deadline" value="2025-12-20">' in page
    assert ">Đồng ý gia hạn</button>" in page and "Không đồng ý" in page

    response = await web.client.post(
        action,
        data={"csrf": await web.csrf(), "back": back, "decision": "approve"},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/"
    assert await _deadline(web, "NV-02") == dt.date(2025, 12, 20)
    async with web.ctx.db.session() as session:
        decided = await session.get_one(ExtensionRequest, request.id)
        change = await session.scalar(
            select(DeadlineChange).where(DeadlineChange.extension_request_id == request.id)
        )
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "extension.approve"))
        notices = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "extension.decision")
            )
        )
    assert decided.status is ExtensionStatus.APPROVED
    assert decided.decided_by_id == world.officials["LD-01"].id
    assert change is not None and change.new_deadline == dt.date(2025, 12, 20)
    assert audit is not None and audit.actor == "web"
    [notice] = notices
    assert notice.chat_id == "501"
    assert notice.payload["replies"][0]["text"].startswith("Đã đồng ý gia hạn nhiệm vụ NV-02")
    page = await (await web.client.get("/")).text()
    assert 'class="decide"' not in page

    again = await web.client.post(
        action, data={"csrf": await web.csrf(), "decision": "reject"}, allow_redirects=False
    )
    assert again.status == 409
    assert "Đề nghị gia hạn này đã được xử lý trước đó." in await again.text()


async def test_admin_rejects_from_the_task_page(web: Web, world: World) -> None:
    await web.login("VP-01")
    page = await (await web.client.get("/tasks/NV-02")).text()
    assert "Đề nghị gia hạn đang chờ" in page
    assert "Nguyễn Thị Hoa đề nghị gia hạn từ 01/12/2025 đến 20/12/2025" in page
    assert "Chờ số liệu quyết toán" in page
    action, back = _form(page)
    assert back == "task"
    response = await web.client.post(
        action,
        data={"csrf": await web.csrf("/tasks/NV-02"), "back": back, "decision": "reject"},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/tasks/NV-02"
    assert await _deadline(web, "NV-02") == dt.date(2025, 12, 1)
    assert (await _request(web)).status is ExtensionStatus.REJECTED
    page = await (await web.client.get("/tasks/NV-02")).text()
    assert "Đề nghị gia hạn đang chờ" not in page


async def test_others_see_the_request_but_cannot_decide(web: Web, world: World) -> None:
    request = await _request(web)
    await web.login("GD-STC")
    page = await (await web.client.get("/tasks/NV-02")).text()
    assert "Đề nghị gia hạn đang chờ" in page and 'class="decide"' not in page
    assert 'class="decide"' not in await (await web.client.get("/")).text()
    response = await web.client.post(
        f"/extensions/{request.id}",
        data={"csrf": await web.csrf(), "decision": "approve"},
        allow_redirects=False,
    )
    assert response.status == 403
    assert (await _request(web)).status is ExtensionStatus.PENDING


async def test_decisions_need_csrf_same_origin_and_a_valid_choice(web: Web, world: World) -> None:
    request = await _request(web)
    await web.login("LD-01")
    action = f"/extensions/{request.id}"
    csrf = await web.csrf()
    missing = await web.client.post(action, data={"decision": "approve"})
    assert missing.status == 403
    cross_site = await web.client.post(
        action,
        data={"csrf": csrf, "decision": "approve"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_site.status == 403
    no_choice = await web.client.post(action, data={"csrf": csrf, "decision": "maybe"})
    assert no_choice.status == 400
    assert "chọn Đồng ý hoặc Không đồng ý" in await no_choice.text()
    unknown = await web.client.post("/extensions/999999", data={"csrf": csrf, "decision": "reject"})
    assert unknown.status == 404
    assert "Không tìm thấy đề nghị gia hạn." in await unknown.text()
    huge = await web.client.post(
        "/extensions/99999999999999999999", data={"csrf": csrf, "decision": "reject"}
    )
    assert huge.status == 404
    assert (await _request(web)).status is ExtensionStatus.PENDING

"""Every pending extension request can be decided: a leader's bare /giahan (or /duyet) lists
them with Approve (to the requested date) and Reject, also for a leader who linked their chat
after the request was sent, and on Zalo as numbered options."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.channel_traits import ZALO
from bot.context import AppContext
from bot.models import AuditLog, ExtensionRequest, ExtensionStatus, Official, Role
from bot.services import invites
from tests.handlers.backend import ChatUser, button_data, labels
from tests.handlers.conftest import World, make_world


async def _request(world: World, user: ChatUser, command: str) -> None:
    await world.backend.push_message(user, command)
    assert world.backend.pop_text().startswith("Đã gửi đề nghị gia hạn")


async def _new_leader(ctx: AppContext) -> str:
    """A leader added to the directory now, with an invite code to link their chat."""
    async with ctx.db.session() as session:
        leader = Official(
            code="LD-03",
            full_name="Vũ Đức Thành",
            role=Role.LEADER,
            language="vi",
            created_at=ctx.now(),
        )
        session.add(leader)
        await session.flush()
        return await invites.create_invite(session, ctx, official=leader)


async def test_leader_linked_after_the_request_lists_and_approves(world: World) -> None:
    backend = world.backend
    await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến thẩm định của Bộ")
    await _request(world, world.tuan, "/giahan NV-03 15/01/2026 Chờ số liệu quy hoạch")
    code = await _new_leader(world.ctx)
    thanh = ChatUser("telegram-thanh", "Vũ Đức Thành")
    await backend.push_message(thanh, f"/start {code}")
    backend.pop_text()

    replies = await backend.push_message(thanh, "/giahan")
    backend.queue.clear()
    assert replies[0].text == "ĐỀ NGHỊ GIA HẠN ĐANG CHỜ QUYẾT ĐỊNH (2), cũ nhất trước:"
    first, second = replies[1:]
    assert "NQ-01" in first.text and "Người đề nghị: Nguyễn Thị Hoa" in first.text
    assert "Lý do: Chờ ý kiến thẩm định của Bộ" in first.text
    assert labels(first) == [
        "Đồng ý gia hạn đến 31/12/2025",
        "Đồng ý, đến ngày khác",
        "Không đồng ý",
    ]
    assert "NV-03" in second.text
    assert labels(second) == [
        "Đồng ý gia hạn đến 15/01/2026",
        "Đồng ý, đến ngày khác",
        "Không đồng ý",
    ]

    await backend.push_button(thanh, button_data(first, "Đồng ý gia hạn"))
    prompt = backend.pop_message()
    assert prompt.edit and prompt.text.startswith("Đồng ý gia hạn nhiệm vụ NQ-01")
    assert (await world.task("NQ-01")).deadline == dt.date(2025, 12, 15)  # not before the end
    await backend.push_button(thanh, button_data(prompt, "Bỏ qua"))
    decided = backend.pop_message()
    assert decided.edit and decided.text.startswith("Đã đồng ý gia hạn nhiệm vụ NQ-01")
    assert "15/12/2025 → 31/12/2025 (Vũ Đức Thành)" in decided.text
    assert (await world.task("NQ-01")).deadline == dt.date(2025, 12, 31)
    [told] = await backend.notices_for(world.hoa, "extension.decision")
    assert told.text == decided.text

    await backend.push_message(thanh, "/duyet")
    [header, only] = [backend.pop_message(), backend.pop_message()]
    assert header.text.startswith("ĐỀ NGHỊ GIA HẠN ĐANG CHỜ QUYẾT ĐỊNH (1)")
    assert "NV-03" in only.text
    await backend.push_button(thanh, button_data(only, "Không đồng ý"))
    assert backend.pop_text().startswith("Không đồng ý gia hạn nhiệm vụ NV-03")
    await backend.push_message(thanh, "không")
    assert backend.pop_text().startswith("Không đồng ý gia hạn nhiệm vụ NV-03")
    await backend.push_message(thanh, "/giahan")
    assert backend.pop_text() == "Không có đề nghị gia hạn nào đang chờ quyết định."
    async with world.ctx.db.session() as session:
        statuses = list(await session.scalars(select(ExtensionRequest.status)))
        actions = list(await session.scalars(select(AuditLog.action)))
    assert sorted(statuses) == [ExtensionStatus.APPROVED, ExtensionStatus.REJECTED]
    assert actions.count("extension.approve") == 1 and actions.count("extension.reject") == 1


async def test_who_may_list(world: World) -> None:
    backend = world.backend
    await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến")
    # An admin both asks and decides: a bare /giahan lists.
    await backend.push_message(world.lan, "/giahan")
    assert backend.pop_message().text.startswith("ĐỀ NGHỊ GIA HẠN ĐANG CHỜ QUYẾT ĐỊNH (1)")
    backend.queue.clear()
    # Staff and heads ask; a bare /giahan still explains how to ask.
    await backend.push_message(world.nam, "/giahan")
    assert backend.pop_text().startswith("Cách dùng: /giahan <mã nhiệm vụ>")
    await backend.push_message(world.hoa, "/duyet")
    assert backend.pop_text() == "Xin lỗi, đồng chí không có quyền dùng lệnh này."
    # A leader who types a request is told how leaders decide.
    await backend.push_message(world.tung, "/giahan NQ-01 31/12/2025 x")
    assert "Gõ /giahan (không kèm nội dung)" in backend.pop_text()


async def test_zalo_leader_decides_by_number(ctx: AppContext) -> None:
    world = await make_world(ctx, ZALO)
    backend = world.backend
    await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến thẩm định")
    await backend.push_message(world.chau, "/giahan")
    text = backend.pop_text()
    assert "1. Đồng ý gia hạn đến 31/12/2025" in text and "3. Không đồng ý" in text
    await backend.push_message(world.chau, "1")
    assert "1. Bỏ qua" in backend.pop_text()
    await backend.push_message(world.chau, "1")
    assert backend.pop_text().startswith("Đã đồng ý gia hạn nhiệm vụ NQ-01")
    assert (await world.task("NQ-01")).deadline == dt.date(2025, 12, 31)


async def test_many_pending_are_listed_ten_at_a_time(world: World) -> None:
    async with world.ctx.db.session() as session:
        requester = await session.get(Official, world.official_ids["CV-STC-01"])
        assert requester is not None
        task = await world.task("NQ-01")
        for n in range(12):
            session.add(
                ExtensionRequest(
                    task_id=task.id,
                    requested_by_id=requester.id,
                    old_deadline=task.deadline,
                    new_deadline=dt.date(2026, 1, n + 1),
                    reason=f"Lý do {n}",
                    requested_at=world.ctx.now() + dt.timedelta(minutes=n),
                )
            )
    replies = await world.backend.push_message(world.chau, "/giahan")
    assert replies[0].text.startswith("ĐỀ NGHỊ GIA HẠN ĐANG CHỜ QUYẾT ĐỊNH (12)")
    assert len(replies) == 12
    assert "Lý do 0" in replies[1].text and "Lý do 9" in replies[10].text
    assert replies[-1].text.startswith("… và 2 đề nghị khác")


async def test_task_detail_offers_the_decision_to_leaders_only(world: World) -> None:
    backend = world.backend
    await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến thẩm định")
    await backend.push_message(world.hoa, "/nhiemvu NQ-01")
    assert backend.pop_message().buttons == []
    await backend.push_message(world.tung, "/nhiemvu NQ-01")
    detail = backend.pop_message()
    assert "Đang chờ lãnh đạo quyết định đề nghị gia hạn đến 31/12/2025" in detail.text
    assert labels(detail) == [
        "Đồng ý gia hạn đến 31/12/2025",
        "Đồng ý, đến ngày khác",
        "Không đồng ý",
    ]
    await backend.push_button(world.tung, button_data(detail, "Không đồng ý"))
    backend.pop_text()
    await backend.push_message(world.tung, "Bỏ qua")
    assert backend.pop_text().startswith("Không đồng ý gia hạn nhiệm vụ NQ-01")

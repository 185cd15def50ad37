"""Leaders decide extension requests in the chat with another date and a comment: through
the buttons (Telegram, web chat), the numbered options (Zalo) and the one-line /duyet."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.channel_traits import WEB, ZALO
from bot.context import AppContext
from bot.models import AuditLog, DeadlineChange, ExtensionRequest, ExtensionStatus
from bot.services.extensions import NOTE_LIMIT
from tests.handlers.backend import ChatUser, button_data, labels
from tests.handlers.conftest import World, make_world


async def _request(world: World, user: ChatUser, command: str) -> ExtensionRequest:
    await world.backend.push_message(user, command)
    assert world.backend.pop_text().startswith("Đã gửi đề nghị gia hạn")
    async with world.ctx.db.session() as session:
        request = await session.scalar(
            select(ExtensionRequest).order_by(ExtensionRequest.id.desc()).limit(1)
        )
        assert request is not None
        return request


async def _stored(world: World, request_id: int) -> ExtensionRequest:
    async with world.ctx.db.session() as session:
        return await session.get_one(ExtensionRequest, request_id)


@pytest.mark.parametrize("traits", ["telegram", "web"])
async def test_approve_until_another_date_with_a_comment(ctx: AppContext, traits: str) -> None:
    world = await make_world(ctx, WEB) if traits == "web" else await make_world(ctx)
    backend = world.backend
    request = await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến của Bộ")
    await backend.push_message(world.chau, "/duyet")
    [_, notice] = [backend.pop_message(), backend.pop_message()]
    await backend.push_button(world.chau, button_data(notice, "ngày khác"))
    prompt = backend.pop_message()
    assert prompt.edit
    assert prompt.text.startswith("NQ-01 — Triển khai thực hiện 45 nghị quyết")
    assert "đơn vị đề nghị gia hạn đến 31/12/2025" in prompt.text

    expected = {
        "ngày mai": "Không đọc được ngày “ngày”",
        "31/02/2026": "Ngày 31/02/2026 không tồn tại.",
        "08/12/2025": "Ngày gia hạn 08/12/2025 đã qua hoặc là hôm nay",
        "12/12/2025": "Ngày gia hạn 12/12/2025 phải sau hạn hiện tại 15/12/2025.",
    }
    for typed, refusal in expected.items():
        await backend.push_message(world.chau, typed)
        assert backend.pop_text().startswith(refusal), typed
    state = await backend.state(world.chau)
    assert state is not None and (state.flow, state.step) == ("extension_decide", "date")

    await backend.push_message(world.chau, "24/12/2025")
    comment_prompt = backend.pop_message()
    assert comment_prompt.text.startswith(
        "Đồng ý gia hạn nhiệm vụ NQ-01 — Triển khai thực hiện 45 nghị quyết"
    )
    assert "đến 24/12/2025." in comment_prompt.text
    assert labels(comment_prompt) == ["Bỏ qua"]
    await backend.push_message(world.chau, "x" * (NOTE_LIMIT + 1))
    assert backend.pop_text().startswith("Ý kiến dài 1001 ký tự")
    assert (await _stored(world, request.id)).status is ExtensionStatus.PENDING

    await backend.push_message(world.chau, "Đồng ý, báo cáo kết quả trước ngày 20/12")
    decided = backend.pop_text()
    assert decided.startswith("Đã đồng ý gia hạn nhiệm vụ NQ-01")
    assert "đến 24/12/2025 (đề nghị 31/12/2025): 15/12/2025 → 24/12/2025 (Lê Ngọc Châu)" in (
        decided
    )
    assert decided.endswith("\nÝ kiến lãnh đạo: Đồng ý, báo cáo kết quả trước ngày 20/12")
    assert await backend.state(world.chau) is None
    assert (await world.task("NQ-01")).deadline == dt.date(2025, 12, 24)
    stored = await _stored(world, request.id)
    assert stored.decided_deadline == dt.date(2025, 12, 24)
    assert stored.decision_note == "Đồng ý, báo cáo kết quả trước ngày 20/12"
    [told] = await backend.notices_for(world.hoa, "extension.decision")
    assert told.text == decided

    await backend.push_message(world.hoa, "/nhiemvu NQ-01")
    detail = backend.pop_text()
    assert "Thời hạn: 24/12/2025" in detail
    assert "Gia hạn ngày 08/12/2025: 15/12/2025 → 24/12/2025" in detail
    assert "Ý kiến lãnh đạo (Lê Ngọc Châu): Đồng ý, báo cáo kết quả trước ngày 20/12" in detail
    # The old prompt's Skip button no longer decides anything.
    await backend.push_button(world.chau, button_data(comment_prompt, "Bỏ qua"))
    assert "đã cũ" in backend.pop_text()


async def test_zalo_leader_picks_another_date_by_number(ctx: AppContext) -> None:
    world = await make_world(ctx, ZALO)
    backend = world.backend
    request = await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến thẩm định")
    await backend.push_message(world.chau, "duyet")
    text = backend.pop_text()
    assert f"ĐỀ NGHỊ GIA HẠN số {request.id}" in text
    assert "1. Đồng ý gia hạn đến 31/12/2025" in text
    assert "2. Đồng ý, đến ngày khác" in text and "3. Không đồng ý" in text
    await backend.push_message(world.chau, "2")
    assert "Đồng chí gõ ngày gia hạn đồng ý (dd/mm/yyyy)" in backend.pop_text()
    await backend.push_message(world.chau, "2")
    assert backend.pop_text().startswith("Không đọc được ngày “2”")
    await backend.push_message(world.chau, "5/1/2026")
    assert "1. Bỏ qua" in backend.pop_text()
    await backend.push_message(world.chau, "1")
    decided = backend.pop_text()
    assert "đến 05/01/2026 (đề nghị 31/12/2025)" in decided
    assert "Ý kiến lãnh đạo" not in decided
    assert (await world.task("NQ-01")).deadline == dt.date(2026, 1, 5)


async def test_zalo_refusal_with_a_comment(ctx: AppContext) -> None:
    world = await make_world(ctx, ZALO)
    backend = world.backend
    request = await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến thẩm định")
    await backend.push_message(world.tung, "/duyet")
    backend.pop_text()
    await backend.push_message(world.tung, "3")
    assert backend.pop_text().startswith("Không đồng ý gia hạn nhiệm vụ NQ-01")
    await backend.push_message(world.tung, "Phải hoàn thành đúng hạn")
    decided = backend.pop_text()
    assert decided.startswith("Không đồng ý gia hạn nhiệm vụ NQ-01")
    assert decided.endswith("Ý kiến lãnh đạo: Phải hoàn thành đúng hạn")
    stored = await _stored(world, request.id)
    assert stored.status is ExtensionStatus.REJECTED
    assert stored.decision_note == "Phải hoàn thành đúng hạn"


async def test_one_line_decisions(world: World) -> None:
    backend = world.backend
    first = await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến của Bộ")
    second = await _request(world, world.tuan, "/giahan NV-03 15/01/2026 Chờ số liệu")

    refusals = {
        f"/duyet {first.id} có lẽ": "Cách dùng: /duyet <số đề nghị hoặc mã nhiệm vụ> đồng ý",
        f"/duyet {first.id} đồng ý 01/12/2025": "Ngày gia hạn 01/12/2025 đã qua",
        f"/duyet {first.id} dong y 31/02/2026 x": "Ngày 31/02/2026 không tồn tại.",
        "/duyet NV-05 đồng ý": "Nhiệm vụ NV-05 không có đề nghị gia hạn nào đang chờ quyết định.",
        "/duyet 999999 đồng ý": "Không tìm thấy đề nghị gia hạn.",
    }
    for command, refusal in refusals.items():
        await backend.push_message(world.chau, command)
        assert backend.pop_text().startswith(refusal), command

    # The request alone offers its choices.
    await backend.push_message(world.chau, f"/duyet #{first.id}")
    offered = backend.pop_message()
    assert offered.text.startswith(f"ĐỀ NGHỊ GIA HẠN số {first.id}\nNQ-01")
    assert len(labels(offered)) == 3

    await backend.push_message(
        world.chau, f"/duyet {first.id} Đồng ý 10/01/2026 Ưu tiên hoàn thiện hồ sơ"
    )
    decided = backend.pop_text()
    assert "đến 10/01/2026 (đề nghị 31/12/2025): 15/12/2025 → 10/01/2026" in decided
    assert decided.endswith("Ý kiến lãnh đạo: Ưu tiên hoàn thiện hồ sơ")
    assert (await world.task("NQ-01")).deadline == dt.date(2026, 1, 10)

    # By task code, without diacritics: a refusal with its reason.
    await backend.push_message(world.tung, "/duyet nv-03 khong dong y Số liệu đã có từ tháng 11")
    refused = backend.pop_text()
    assert refused.startswith("Không đồng ý gia hạn nhiệm vụ NV-03")
    assert refused.endswith("Ý kiến lãnh đạo: Số liệu đã có từ tháng 11")
    stored = await _stored(world, second.id)
    assert stored.status is ExtensionStatus.REJECTED

    await backend.push_message(world.chau, f"/duyet {first.id} tu choi")
    assert backend.pop_text() == "Đề nghị gia hạn này đã được xử lý trước đó."
    await backend.push_message(world.tuan, "/nhiemvu NV-03")
    detail = backend.pop_text()
    assert (
        "Không đồng ý gia hạn ngày 08/12/2025: đề nghị 31/12/2025 → 15/01/2026, thời hạn giữ "
        "nguyên (lý do: Chờ số liệu)"
    ) in detail
    assert "Ý kiến lãnh đạo (Nguyễn Văn Tùng): Số liệu đã có từ tháng 11" in detail
    async with world.ctx.db.session() as session:
        changes = list(await session.scalars(select(DeadlineChange)))
        audits = list(
            await session.scalars(select(AuditLog).where(AuditLog.action.like("extension.%")))
        )
    assert [(c.new_deadline, c.note) for c in changes] == [
        (dt.date(2026, 1, 10), "Ưu tiên hoàn thiện hồ sơ")
    ]
    assert [a.action for a in audits].count("extension.reject") == 1


async def test_plain_approval_in_one_line_and_by_a_staff_member(world: World) -> None:
    backend = world.backend
    request = await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến của Bộ")
    await backend.push_message(world.hoa, f"/duyet {request.id} đồng ý")
    assert backend.pop_text() == "Xin lỗi, đồng chí không có quyền dùng lệnh này."
    await backend.push_message(world.lan, f"/approvals {request.id} ok")
    decided = backend.pop_text()
    assert decided.startswith("Đã đồng ý gia hạn nhiệm vụ NQ-01")
    assert "15/12/2025 → 31/12/2025" in decided and "đề nghị" not in decided
    await backend.push_message(world.hoa, "/nhiemvu NQ-01")
    detail = backend.pop_text()
    assert "Gia hạn ngày 08/12/2025: 15/12/2025 → 31/12/2025 (lý do: Chờ ý kiến của Bộ)" in detail
    assert "  Người quyết định: Phạm Thu Lan" in detail


async def test_leaving_a_decision_half_way_says_it_was_not_saved(world: World) -> None:
    backend = world.backend
    request = await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến của Bộ")
    await backend.push_button(world.chau, f"ext:{request.id}:ok")
    backend.pop_text()
    replies = await backend.push_message(world.chau, "/nhiemvu NQ-01")
    assert replies[0].text == (
        "Quyết định về đề nghị gia hạn nhiệm vụ NQ-01 chưa được lưu; đồng chí gõ /duyet để "
        "quyết định lại."
    )
    backend.queue.clear()
    assert (await _stored(world, request.id)).status is ExtensionStatus.PENDING
    # Changing one's mind on the same request is no abandoned decision.
    await backend.push_button(world.chau, f"ext:{request.id}:ok")
    backend.pop_text()
    replies = await backend.push_button(world.chau, f"ext:{request.id}:date")
    assert len(replies) == 1 and "gõ ngày gia hạn đồng ý" in replies[0].text
    backend.queue.clear()
    # Another leader decides meanwhile: the first one's comment then changes nothing.
    await backend.push_button(world.chau, f"ext:{request.id}:no")
    backend.pop_text()
    await backend.push_message(world.tung, f"/duyet {request.id} đồng ý")
    backend.pop_text()
    await backend.push_message(world.chau, "Không đồng ý vì đã quá hạn")
    assert backend.pop_text() == "Đề nghị gia hạn này đã được xử lý trước đó."
    assert await backend.state(world.chau) is None
    assert (await _stored(world, request.id)).status is ExtensionStatus.APPROVED


async def test_a_request_decided_elsewhere_ends_the_date_step(world: World) -> None:
    backend = world.backend
    request = await _request(world, world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến của Bộ")
    await backend.push_button(world.chau, f"ext:{request.id}:date")
    backend.pop_text()
    await backend.push_message(world.tung, "/duyet NQ-01 tu choi")
    backend.pop_text()
    await backend.push_message(world.chau, "24/12/2025")
    assert backend.pop_text() == "Đề nghị gia hạn này đã được xử lý trước đó."
    assert await backend.state(world.chau) is None
    assert (await world.task("NQ-01")).deadline == dt.date(2025, 12, 15)


async def test_a_change_without_a_request_reads_as_a_change(world: World) -> None:
    async with world.ctx.db.session() as session:
        task = await world.task("NQ-01")
        session.add(
            DeadlineChange(
                task_id=task.id,
                old_deadline=dt.date(2025, 12, 10),
                new_deadline=dt.date(2025, 12, 15),
                reason="Nhập lại danh mục",
                changed_at=world.ctx.now(),
            )
        )
    await world.backend.push_message(world.hoa, "/nhiemvu NQ-01")
    detail = world.backend.pop_text()
    assert (
        "Điều chỉnh thời hạn ngày 08/12/2025: 10/12/2025 → 15/12/2025 (lý do: Nhập lại danh mục)"
    ) in detail
    assert "Người quyết định" not in detail

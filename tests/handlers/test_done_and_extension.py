"""/xong (done on time or late) and /giahan (extension requests decided by leaders)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.models import AuditLog, DeadlineChange, ExtensionRequest, ExtensionStatus
from tests.handlers.backend import button_data, labels
from tests.handlers.conftest import World


async def test_done_on_time(world: World) -> None:
    await world.backend.push_message(world.hoa, "/xong NQ-01 Đã ban hành kế hoạch triển khai")
    text = world.backend.pop_text()
    assert text.startswith("Hoàn thành đúng hạn (hạn 15/12/2025).")
    assert "Tiến độ: 40% → 100%" in text and "Tình trạng: Hoàn thành đúng hạn" in text
    task = await world.task("NQ-01")
    assert task.completed_on == dt.date(2025, 12, 8) and task.progress == 100


async def test_done_late_and_done_twice(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/done NV-02")
    assert backend.pop_text().startswith("Hoàn thành quá hạn (hạn 01/12/2025).")
    await backend.push_message(world.hoa, "/xong NV-02")
    assert backend.pop_text() == "Nhiệm vụ NV-02 đã được báo hoàn thành ngày 08/12/2025."


async def test_done_without_deadline_and_bad_input(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/xong")
    assert backend.pop_text().startswith("Cách dùng: /xong <mã nhiệm vụ>")
    await backend.push_message(world.hoa, "/xong KH-DTC-2026")
    assert backend.pop_text().startswith("Đã hoàn thành (nhiệm vụ không có hạn).")
    await backend.push_message(world.tuan, "/xong NQ-01")
    assert "Đơn vị phối hợp chỉ gửi ghi chú" in backend.pop_text()
    await backend.push_message(world.mai, "/done NQ-01")
    assert backend.pop_text() == "Task NQ-01 is not assigned to your unit."


async def _request(world: World) -> ExtensionRequest:
    async with world.ctx.db.session() as session:
        request = await session.scalar(select(ExtensionRequest))
        assert request is not None
        return request


async def test_extension_approved_round_trip(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến thẩm định của Bộ")
    assert backend.pop_text().startswith(
        "Đã gửi đề nghị gia hạn nhiệm vụ NQ-01: 15/12/2025 → 31/12/2025."
    )
    request = await _request(world)
    for leader in (world.chau, world.tung, world.lan):
        [notice] = await backend.notices_for(leader, "extension.request")
        assert "Người đề nghị: Nguyễn Thị Hoa" in notice.text
        assert "Lý do: Chờ ý kiến thẩm định của Bộ" in notice.text
        assert labels(notice) == [
            "Đồng ý gia hạn đến 31/12/2025",
            "Đồng ý, đến ngày khác",
            "Không đồng ý",
        ]
        assert notice.text.startswith(f"ĐỀ NGHỊ GIA HẠN số {request.id}\nNQ-01")
    assert await backend.notices_for(world.hoa, "extension.request") == []
    [notice] = await backend.notices_for(world.chau, "extension.request")
    assert button_data(notice, "Đồng ý") == f"ext:{request.id}:ok"

    await backend.push_message(world.hoa, "/nhiemvu NQ-01")
    assert "Đang chờ lãnh đạo quyết định đề nghị gia hạn đến 31/12/2025" in backend.pop_text()
    await backend.push_button(world.chau, button_data(notice, "Đồng ý gia hạn"))
    prompt = backend.pop_message()
    assert prompt.edit and "Ý kiến gửi kèm quyết định (không bắt buộc)" in prompt.text
    await backend.push_button(world.chau, button_data(prompt, "Bỏ qua"))
    decided = backend.pop_message()
    assert decided.edit
    assert decided.text.startswith("Đã đồng ý gia hạn nhiệm vụ NQ-01")
    assert "15/12/2025 → 31/12/2025 (Lê Ngọc Châu)" in decided.text
    task = await world.task("NQ-01")
    assert (task.deadline, task.original_deadline) == (dt.date(2025, 12, 31), dt.date(2025, 12, 15))
    for person in (world.hoa, world.nam):
        [told] = await backend.notices_for(person, "extension.decision")
        assert told.text.startswith("Đã đồng ý gia hạn nhiệm vụ NQ-01")
    await backend.push_message(world.hoa, "/nhiemvu NQ-01")
    detail = backend.pop_text()
    assert "Thời hạn: 31/12/2025" in detail
    assert "Gia hạn ngày 08/12/2025: 15/12/2025 → 31/12/2025" in detail

    await backend.push_button(world.tung, button_data(notice, "Không đồng ý"))
    assert backend.pop_text() == "Đề nghị gia hạn này đã được xử lý trước đó."
    async with world.ctx.db.session() as session:
        changes = list(await session.scalars(select(DeadlineChange)))
        actions = list(await session.scalars(select(AuditLog.action)))
    assert len(changes) == 1
    assert actions.count("extension.request") == 1 and actions.count("extension.approve") == 1


async def test_extension_rejected_keeps_deadline(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.nam, "/extend NV-02 20/12/2025 Thiếu số liệu")
    backend.pop_text()
    request = await _request(world)
    await backend.push_button(world.lan, f"ext:{request.id}:no")
    assert backend.pop_text().startswith("Không đồng ý gia hạn nhiệm vụ NV-02")
    await backend.push_message(world.lan, "Đề nghị khẩn trương hoàn thành")
    assert backend.pop_text().startswith("Không đồng ý gia hạn nhiệm vụ NV-02")
    assert (await world.task("NV-02")).deadline == dt.date(2025, 12, 1)
    async with world.ctx.db.session() as session:
        stored = await session.get(ExtensionRequest, request.id)
        assert stored is not None and stored.status is ExtensionStatus.REJECTED
    [told] = await backend.notices_for(world.nam, "extension.decision")
    assert "thời hạn giữ nguyên 01/12/2025" in told.text
    assert told.text.endswith("\nÝ kiến lãnh đạo: Đề nghị khẩn trương hoàn thành")


async def test_extension_bad_input(world: World) -> None:
    backend = world.backend
    cases = {
        "/giahan": "Cách dùng: /giahan <mã nhiệm vụ>",
        "/giahan NQ-01 31/02/2026 lý do": "Ngày 31/02/2026 không tồn tại.",
        "/giahan NQ-01 mai lý do": "Không đọc được ngày “mai”.",
        "/giahan NQ-01 01/12/2025 lý do": "Ngày gia hạn 01/12/2025 đã qua hoặc là hôm nay",
        "/giahan NQ-01 12/12/2025 lý do": "phải sau hạn hiện tại 15/12/2025",
        "/giahan NQ-01 31/12/2025": "Vui lòng ghi lý do",
        "/giahan NV-04 31/12/2025 lý do": "đã hoàn thành, không cần gia hạn",
        "/giahan NV-05 31/12/2025 lý do": "không thuộc đơn vị của đồng chí",
    }
    for command, expected in cases.items():
        await backend.push_message(world.hoa, command)
        assert expected in backend.pop_text(), command
    await backend.push_message(world.hoa, "/giahan NQ-01 31/12/2025 lần một")
    backend.pop_text()
    await backend.push_message(world.hoa, "/giahan NQ-01 2026-01-15 lần hai")
    assert "đã có đề nghị gia hạn đang chờ" in backend.pop_text()
    await backend.push_message(world.chau, "/giahan NQ-01 31/12/2025 x")
    assert backend.pop_text().startswith("Lãnh đạo quyết định các đề nghị gia hạn")


async def test_only_leaders_decide(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/giahan NQ-01 31/12/2025 lý do")
    backend.pop_text()
    request = await _request(world)
    await backend.push_button(world.nam, f"ext:{request.id}:ok")
    assert backend.pop_text() == "Xin lỗi, đồng chí không có quyền thực hiện thao tác này."
    await backend.push_button(world.chau, "ext:999999:ok")
    assert backend.pop_text() == "Không tìm thấy đề nghị gia hạn."
    await backend.push_button(world.chau, "ext:99999999999999999999:ok")
    assert "đã cũ" in backend.pop_text()
    assert (await world.task("NQ-01")).deadline == dt.date(2025, 12, 15)

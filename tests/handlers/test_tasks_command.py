"""/nhiemvu: my unit's open tasks, and one task in full."""

from __future__ import annotations

from tests.handlers.conftest import World


async def test_staff_sees_unit_open_tasks_overdue_first(world: World) -> None:
    await world.backend.push_message(world.hoa, "/nhiemvu")
    text = world.backend.pop_text()
    assert "Sở Tài chính" in text
    lines = [line for line in text.splitlines() if line.startswith("•")]
    assert [line.split()[1] for line in lines] == ["NV-02", "NQ-01", "KH-DTC-2026"]
    assert "hạn 01/12/2025, quá hạn 7 ngày — 50%" in lines[0]
    assert "hạn 15/12/2025, còn 5 ngày làm việc — 40% (báo cáo gần nhất 05/12/2025)" in lines[1]
    assert "không có hạn" in lines[2] and "chưa có báo cáo" in lines[2]
    assert "NV-04" not in text  # done


async def test_coordinating_unit_sees_tasks_it_supports(world: World) -> None:
    await world.backend.push_message(world.tuan, "/tasks")
    text = world.backend.pop_text()
    assert "NV-03" in text
    assert "NQ-01" in text and "(phối hợp)" in text


async def test_english_official_gets_english(world: World) -> None:
    await world.backend.push_message(world.mai, "/tasks")
    text = world.backend.pop_text()
    assert "Open tasks of Sở Y tế (1), overdue first:" in text
    assert "NV-05" in text and "18 days late" in text


async def test_leader_gets_city_wide_list_with_pointers(world: World) -> None:
    await world.backend.push_message(world.chau, "/nhiemvu")
    text = world.backend.pop_text()
    assert text.index("NV-05 [SYT]") < text.index("NV-02 [STC]") < text.index("NQ-01 [STC]")
    assert "/quahan" in text and "/donvi" in text


async def test_one_task_shows_history_attachments_and_deadline_changes(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/baocao NQ-01 60 Đã trình dự thảo lên UBND")
    backend.pop_message()
    await backend.push_message(world.tuan, "/baocao NQ-01 Đã góp ý dự thảo")
    backend.pop_message()
    await backend.push_message(world.hoa, "/nhiemvu nq-01")
    text = backend.pop_text()
    assert text.startswith("NQ-01 — Triển khai thực hiện 45 nghị quyết")
    assert "Văn bản: 45/NQ-HĐND" in text
    assert "Đơn vị phối hợp: Sở Xây dựng" in text
    assert "Tình trạng: Đang thực hiện trong hạn — còn 5 ngày làm việc" in text
    assert "Tiến độ: 60%" in text
    assert "Lịch sử báo cáo (2):" in text
    assert "09:00 08/12/2025 — Nguyễn Thị Hoa: 60% — Đã trình dự thảo lên UBND" in text
    assert "Lê Minh Tuấn: ghi chú — Đã góp ý dự thảo" in text


async def test_unknown_code_suggests_close_matches(world: World) -> None:
    await world.backend.push_message(world.hoa, "/nhiemvu NV-2")
    text = world.backend.pop_text()
    assert text.startswith("Không tìm thấy nhiệm vụ NV-2. Có phải đồng chí muốn: NV-02")


async def test_other_units_task_is_refused_politely(world: World) -> None:
    await world.backend.push_message(world.hoa, "/nhiemvu NV-05")
    assert world.backend.pop_text() == "Nhiệm vụ NV-05 không thuộc đơn vị của đồng chí."


async def test_leader_reads_any_task(world: World) -> None:
    await world.backend.push_message(world.chau, "/nhiemvu NV-05")
    text = world.backend.pop_text()
    assert "Tình trạng: Quá hạn" in text and "Chưa có báo cáo nào." in text


async def test_unregistered_account_is_told_to_register(world: World) -> None:
    await world.backend.push_message(world.stranger, "/nhiemvu")
    assert "chưa được liên kết" in world.backend.pop_text()

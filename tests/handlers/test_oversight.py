"""/tonghop, /quahan and /donvi for leaders and unit heads."""

from __future__ import annotations

from tests.handlers.conftest import World


async def test_leader_digest_is_city_wide(world: World) -> None:
    await world.backend.push_message(world.chau, "/tonghop")
    text = world.backend.pop_text()
    assert text.startswith("TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ\nToàn thành phố, ngày 08/12/2025")
    assert "Tổng số nhiệm vụ: 6" in text
    assert "Sở Y tế" in text and "Sở Tài chính" in text


async def test_head_digest_is_own_unit(world: World) -> None:
    await world.backend.push_message(world.nam, "/digest")
    text = world.backend.pop_text()
    assert "Sở Tài chính, ngày 08/12/2025" in text
    assert "Tổng số nhiệm vụ: 4" in text
    assert "NV-05" not in text


async def test_staff_may_not_ask_for_digests(world: World) -> None:
    for command in ("/tonghop", "/quahan", "/donvi STC"):
        await world.backend.push_message(world.hoa, command)
        assert world.backend.pop_text() == "Xin lỗi, đồng chí không có quyền dùng lệnh này."


async def test_overdue_grouped_by_unit(world: World) -> None:
    await world.backend.push_message(world.chau, "/quahan")
    text = world.backend.pop_text()
    assert text.startswith("NHIỆM VỤ QUÁ HẠN (đến ngày 08/12/2025):")
    assert "Sở Tài chính (STC) — 1 nhiệm vụ:" in text and "Sở Y tế (SYT) — 1 nhiệm vụ:" in text
    assert "NV-02" in text and "NV-05" in text and "NQ-01" not in text


async def test_head_sees_own_overdue_only(world: World) -> None:
    await world.backend.push_message(world.nam, "/overdue")
    text = world.backend.pop_text()
    assert "NV-02" in text and "NV-05" not in text


async def test_overdue_none(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/xong NV-02")
    backend.pop_text()
    await backend.push_message(world.nam, "/quahan")
    assert backend.pop_text() == "Không có nhiệm vụ nào quá hạn."


async def test_unit_view_for_leader_and_head(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.chau, "/donvi stc")
    text = backend.pop_text()
    assert text.startswith("Sở Tài chính (STC)")
    assert "• Hoàn thành đúng hạn: 1" in text and "• Quá hạn: 1" in text
    assert "• Đang thực hiện trong hạn: 2" in text
    assert "Nhiệm vụ đang thực hiện (3):" in text
    await backend.push_message(world.nam, "/donvi")
    assert backend.pop_text().startswith("Sở Tài chính (STC)")


async def test_head_cannot_open_another_unit(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.nam, "/donvi SXD")
    assert backend.pop_text() == (
        "Xin lỗi, đồng chí chỉ xem được nhiệm vụ của đơn vị mình, không xem được Sở Xây dựng."
    )
    await backend.push_message(world.chau, "/donvi XYZ")
    assert backend.pop_text() == "Không tìm thấy đơn vị XYZ."
    await backend.push_message(world.chau, "/donvi")
    listing = backend.pop_text()
    assert listing.startswith("Cách dùng: /donvi <mã đơn vị>") and "• SYT — Sở Y tế" in listing

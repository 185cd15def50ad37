"""/start with invite codes (private link, group binding, every failure), /trogiup, /huy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.models import AuditLog, GroupBinding
from bot.services.outbox import unit_groups
from tests.handlers.backend import ChatUser, Group
from tests.handlers.conftest import World

NEWCOMER = ChatUser("telegram-newcomer", "Cán bộ mới")


async def test_wrong_used_and_expired_codes(world: World) -> None:
    backend = world.backend
    await backend.push_message(NEWCOMER, "/start ABCDE-FGHJK")
    assert backend.pop_text().startswith("Mã mời không đúng.")
    code = await world.invite(official="CV-STC-01")
    await backend.push_message(NEWCOMER, f"/start {code}")
    assert backend.pop_text().startswith("Đã liên kết tài khoản với Nguyễn Thị Hoa (Chuyên viên)")
    other = ChatUser("telegram-other")
    await backend.push_message(other, f"/start {code}")
    assert backend.pop_text() == "Mã mời này đã được sử dụng."
    expired = await world.invite(official="CV-SXD-01", ttl=dt.timedelta(hours=1))
    world.ctx.clock.advance(dt.timedelta(hours=2))  # type: ignore[attr-defined]
    await backend.push_message(other, f"/start {expired}")
    assert backend.pop_text().startswith("Mã mời đã hết hạn.")


async def test_repeated_wrong_guesses_are_throttled(world: World) -> None:
    backend = world.backend
    good = await world.invite(official="CV-STC-01")
    for attempt in range(5):
        await backend.push_message(NEWCOMER, f"/start WRONG-{attempt}")
        assert backend.pop_text().startswith("Mã mời không đúng.")
    await backend.push_message(NEWCOMER, f"/start {good}")
    assert (
        backend.pop_text() == "Đồng chí đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau 15 phút."
    )
    world.ctx.clock.advance(dt.timedelta(minutes=16))  # type: ignore[attr-defined]
    await backend.push_message(NEWCOMER, f"/start {good}")
    assert backend.pop_text().startswith("Đã liên kết tài khoản")


async def test_unit_invite_binds_a_group(world: World) -> None:
    backend = world.backend
    code = await world.invite(unit="STC")
    group = Group("-1001", "Tổ công tác Sở Tài chính")
    await backend.push_message(world.nam, f"/start {code}", group=group)
    assert backend.pop_text() == (
        "Nhóm này đã được gắn với đơn vị Sở Tài chính: nhắc việc của đơn vị sẽ gửi vào đây."
    )
    async with world.ctx.db.session() as session:
        binding = await session.scalar(select(GroupBinding))
        assert binding is not None and binding.chat_id == "-1001"
        groups = await unit_groups(session, [world.unit_ids["STC"]])
        actions = list(await session.scalars(select(AuditLog.action)))
    assert [g.chat_id for g in groups[world.unit_ids["STC"]]] == ["-1001"]
    assert "group.bind" in actions


async def test_invites_in_the_wrong_chat_type(world: World) -> None:
    backend = world.backend
    personal = await world.invite(official="CV-STC-01")
    await backend.push_message(NEWCOMER, f"/start {personal}", group=Group("-1002"))
    assert backend.pop_text().startswith(
        "Mã mời này dành cho một cán bộ: hãy gửi /start <mã mời> trong trò chuyện riêng"
    )
    unit_code = await world.invite(unit="SXD")
    await backend.push_message(NEWCOMER, f"/start {unit_code}")
    assert backend.pop_text().startswith("Mã mời này dùng để gắn nhóm với đơn vị")
    await backend.push_message(NEWCOMER, f"/start {personal}")  # still valid where it belongs
    assert backend.pop_text().startswith("Đã liên kết tài khoản với Nguyễn Thị Hoa")


async def test_unregistered_accounts_only_start_and_help(world: World) -> None:
    backend = world.backend
    for command in ("/baocao", "/tonghop", "/xong NQ-01", "NQ-01 60% xong"):
        await backend.push_message(world.stranger, command)
        assert "chưa được liên kết" in backend.pop_text(), command
    await backend.push_button(world.stranger, "rp:NQ-01")
    assert "chưa được liên kết" in backend.pop_text()
    await backend.push_message(world.stranger, "/trogiup")
    text = backend.pop_text()
    assert "/start" in text and "/baocao" not in text


async def test_help_lists_what_each_role_may_do(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/trogiup")
    staff = backend.pop_text()
    assert "/baocao" in staff and "/giahan" in staff and "/tonghop" not in staff
    await backend.push_message(world.nam, "/help")
    head = backend.pop_text()
    assert "/tonghop" in head and "/quahan" in head and "/donvi" in head
    await backend.push_message(world.chau, "/trogiup")
    leader = backend.pop_text()
    assert "/tonghop" in leader and "/baocao" not in leader and "/xong" not in leader
    await backend.push_message(world.mai, "/help")
    assert "/report — report progress" in backend.pop_text()


async def test_cancel_without_a_flow(world: World) -> None:
    await world.backend.push_message(world.hoa, "/huy")
    assert world.backend.pop_text() == "Không có thao tác nào đang dở."

"""Leaders' queries, and every refusal a person can run into: a polite reply each time."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import AppContext
from bot.models import Report
from tests.channels.telegram.harness import (
    HEAD,
    LEADER,
    NEWCOMER,
    OTHER_STAFF,
    STAFF,
    TelegramBot,
    World,
    say,
)
from tests.fakes.telegram_api import FakeTelegramServer, SentMessage


async def test_leader_queries(
    server: FakeTelegramServer, world: World, telegram: TelegramBot
) -> None:
    [digest] = await say(server, LEADER, "/tonghop")
    assert "Toàn thành phố" in (digest.text or "")
    [overdue] = await say(server, LEADER, "/quahan")
    assert (overdue.text or "").startswith("NHIỆM VỤ QUÁ HẠN (đến ngày 08/12/2025):")
    assert "NV-03" in (overdue.text or "") and "Sở Tài chính" in (overdue.text or "")
    [unit] = await say(server, LEADER, "/donvi SXD")
    assert (unit.text or "").startswith("Sở Xây dựng (SXD)")
    assert "NV-01" in (unit.text or "")
    [tasks] = await say(server, STAFF, "/nhiemvu")
    assert "NV-01" in (tasks.text or "") and "NV-03" not in (tasks.text or "")


async def test_head_sees_own_unit_only(
    server: FakeTelegramServer, world: World, telegram: TelegramBot
) -> None:
    [digest] = await say(server, HEAD, "/tonghop")
    assert "Sở Xây dựng" in (digest.text or "")
    [denied] = await say(server, HEAD, "/donvi STC")
    assert (denied.text or "").startswith("Xin lỗi, đồng chí chỉ xem được nhiệm vụ của đơn vị mình")


async def test_denials_and_bad_input(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    [unregistered] = await say(server, NEWCOMER, "/tonghop")
    assert "chưa được liên kết" in (unregistered.text or "")
    [staff_digest] = await say(server, STAFF, "/tonghop")
    assert staff_digest.text == "Xin lỗi, đồng chí không có quyền dùng lệnh này."
    [leader_report] = await say(server, LEADER, "/baocao NV-01 50")
    assert leader_report.text == "Xin lỗi, đồng chí không có quyền dùng lệnh này."
    [other_unit] = await say(server, OTHER_STAFF, "/baocao NV-01 50 ghi chú")
    assert other_unit.text == "Nhiệm vụ NV-01 không thuộc đơn vị của đồng chí."
    [coordinating] = await say(server, STAFF, "/baocao NV-02 50 ghi chú")
    assert (coordinating.text or "").startswith("Đơn vị phối hợp chỉ gửi ghi chú")
    [unknown] = await say(server, STAFF, "/baocao NV-1O 50 ghi chú")
    assert (unknown.text or "").startswith("Không tìm thấy nhiệm vụ NV-1O. Có phải đồng chí muốn:")
    assert "NV-01" in (unknown.text or "")
    [too_much] = await say(server, STAFF, "/baocao NV-01 150 ghi chú")
    assert "từ 0 đến 100" in (too_much.text or "")
    [too_long] = await say(server, STAFF, "/baocao NV-01 50 " + "x" * 4100)
    assert (too_long.text or "").startswith("Tin nhắn quá dài (tối đa 4096 ký tự)")
    [stale] = await press_unknown(server, STAFF, "rpp:0ldfl0w:50")
    assert "Nút này đã cũ" in (stale.text or "")
    async with tg_ctx.db.session() as session:
        assert list(await session.scalars(select(Report))) == []


async def press_unknown(server: FakeTelegramServer, user: int, data: str) -> list[SentMessage]:
    """A button from an old message (the bot's first message to this chat carries it)."""
    [first, *_] = server.sent_messages(user)
    before = len(server.sent_messages(user))
    server.push_callback(user, data, first.message_id)
    return (await server.wait_for_messages(user, before + 1))[before:]


async def test_english_speaker_gets_english(
    server: FakeTelegramServer, world: World, telegram: TelegramBot
) -> None:
    before = len(server.sent_messages(NEWCOMER))
    server.push_text(NEWCOMER, "/help", language_code="en")
    [reply] = (await server.wait_for_messages(NEWCOMER, before + 1))[before:]
    assert (reply.text or "").startswith("Commands you can use:")

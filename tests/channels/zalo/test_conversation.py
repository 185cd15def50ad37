"""Officials on Zalo: the same conversation as on Telegram, with numbered answers and bare
commands, through the real channel polling the fake Zalo Bot API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.models import ChannelIdentity, ExtensionRequest, ExtensionStatus, Report
from tests.channels.zalo.harness import World, ZaloBot, link, say, texts
from tests.fakes.zalo_api import FakeZaloServer

LAN = "lan"  # Zalo user of CV-SXD


async def test_registration_by_invite_code(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    [hello] = await say(server, LAN, "xin chào")
    assert hello.text is not None and "chưa được liên kết" in hello.text
    code = await world.invite("CV-SXD")
    [linked] = await say(server, LAN, f"start {code}")  # no slash: Zalo has no commands
    assert linked.text == (
        "Đã liên kết tài khoản với Nguyễn Thị Lan (Chuyên viên). Gõ /trogiup để xem các lệnh."
    )
    async with world.ctx.db.session() as session:
        identity = await session.scalar(select(ChannelIdentity))
    assert identity is not None
    assert identity.channel == "zalo" and identity.official_id == world.officials["CV-SXD"]
    assert identity.chat_id == server.chat_id_for(LAN)
    [again] = await say(server, "someone-else", f"/start {code}")
    assert again.text == "Mã mời này đã được sử dụng."


async def test_full_report_flow_by_numbered_answers(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", LAN)
    [pick] = await say(server, LAN, "baocao")
    assert pick.text is not None
    # Overdue first, as a numbered list instead of buttons.
    assert "\n1. NV-02 · " in pick.text and "\n2. NV-01 · " in pick.text
    assert pick.text.endswith("(Trả lời bằng số từ 1 đến 2)")
    [progress] = await say(server, LAN, "1")
    assert "NV-02" in (progress.text or "")
    [note] = await say(server, LAN, "3")  # the percentage itself
    assert (note.text or "").startswith("Tiến độ 3%.") and "1. Bỏ qua" in (note.text or "")
    [advice] = await say(server, LAN, "Đã họp lấy ý kiến các sở")
    assert "1. Không có kiến nghị" in (advice.text or "")
    [file_step] = await say(server, LAN, "1")
    assert "1. Bỏ qua" in (file_step.text or "")
    [confirm] = await say(server, LAN, "1")  # skip the file
    assert "Tiến độ: 10% → 3%" in (confirm.text or "") and "1. Xác nhận" in (confirm.text or "")
    [saved] = await say(server, LAN, "1")
    assert (saved.text or "").startswith("Đã lưu báo cáo.")
    assert (await world.task("NV-02")).progress == 3
    async with world.ctx.db.session() as session:
        report = await session.scalar(select(Report))
    assert report is not None and report.channel == "zalo"
    assert report.note == "Đã họp lấy ý kiến các sở"


async def test_one_line_report_and_done(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", LAN)
    [saved] = await say(server, LAN, "baocao NV-01 70 Đã trình dự thảo lần 2")
    assert "Đã lưu báo cáo." in (saved.text or "")
    assert (await world.task("NV-01")).progress == 70
    [offer] = await say(server, LAN, "NV-01 80% đã xong thẩm định")  # free text
    assert "1. Xác nhận" in (offer.text or "")
    [confirmed] = await say(server, LAN, "1")
    assert "Tiến độ: 70% → 80%" in (confirmed.text or "")
    [done] = await say(server, LAN, "/xong NV-02 Đã gửi báo cáo")
    assert (done.text or "").startswith("Hoàn thành quá hạn (hạn 03/12/2025).")
    task = await world.task("NV-02")
    assert task.completed_on is not None and task.progress == 100


async def test_extension_request(server: FakeZaloServer, world: World, zalo: ZaloBot) -> None:
    await link(world, server, "CV-SXD", LAN)
    [sent] = await say(server, LAN, "giahan NV-01 31/12/2025 Chờ ý kiến thẩm định của Bộ")
    assert (sent.text or "").startswith("Đã gửi đề nghị gia hạn nhiệm vụ NV-01: 09/12/2025 → ")
    [bad] = await say(server, LAN, "giahan NV-01 31/13/2025 Chờ")
    assert "31/13/2025 không tồn tại" in (bad.text or "")
    async with world.ctx.db.session() as session:
        requests = list(await session.scalars(select(ExtensionRequest)))
    assert [(r.reason, r.status) for r in requests] == [
        ("Chờ ý kiến thẩm định của Bộ", ExtensionStatus.PENDING)
    ]


async def test_image_in_the_report_flow_is_stored_as_the_attachment(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", LAN)
    chat = server.chat_id_for(LAN)
    await say(server, LAN, "baocao NV-01")
    await say(server, LAN, "60")
    await say(server, LAN, "Biên bản họp đính kèm")
    photo_url = "https://photo-stal.zadn.vn/bien-ban-hop.jpg"
    before = len(server.sent_messages(chat))
    server.push_image(LAN, photo_url, caption="ảnh biên bản")
    [confirm] = (await server.wait_for_messages(chat, before + 1))[before:]
    assert "1. Xác nhận" in (confirm.text or "")
    [saved] = await say(server, LAN, "1")
    assert "Đã lưu báo cáo." in (saved.text or "")
    async with world.ctx.db.session() as session:
        report = await session.scalar(select(Report).options(selectinload(Report.attachments)))
    assert report is not None and report.progress == 60
    assert [(a.kind, a.url, a.channel) for a in report.attachments] == [
        ("photo", photo_url, "zalo")
    ]


async def test_stickers_and_long_answers(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", LAN)
    chat = server.chat_id_for(LAN)
    server.push_sticker(LAN, "abc123")
    polite = (await server.wait_for_messages(chat, 2))[-1]
    assert (
        polite.text == "Dondoc chỉ đọc được tin nhắn chữ và hình ảnh. Gõ trogiup để xem các lệnh."
    )
    for n in range(30):
        await say(server, LAN, f"baocao NV-01 {n} {'Nội dung báo cáo chi tiết. ' * 5}")
    answer = await say(server, LAN, "nhiemvu NV-01", replies=2)
    assert all(len(m.text or "") <= 2000 for m in answer)
    await zalo.settled()
    assert all(len(m.text or "") <= 2000 for m in server.sent_messages(chat))
    assert texts(answer).count("NV-01") >= 1


async def test_control_characters_in_a_report_are_removed(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", LAN)
    [saved] = await say(server, LAN, "baocao NV-02 30 Đã\x01 họp\x00 lấy ý kiến\x7f")
    assert (saved.text or "").startswith("Đã lưu báo cáo.")
    async with world.ctx.db.session() as session:
        report = await session.scalar(select(Report))
    assert report is not None and report.note == "Đã họp lấy ý kiến\x7f"


async def test_a_command_while_a_free_text_report_waits_says_it_was_not_saved(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", LAN)
    [offer] = await say(server, LAN, "NV-02 30% đã họp lấy ý kiến")
    assert "1. Xác nhận\n2. Hủy" in (offer.text or "")

    [other] = await say(server, LAN, "xin chào")
    assert (other.text or "").startswith("Báo cáo dưới đây vẫn chờ đồng chí xác nhận")
    assert "1. Xác nhận\n2. Hủy" in (other.text or "")

    notice, tasks = await say(server, LAN, "nhiemvu", replies=2)  # a bare command on Zalo
    assert (notice.text or "").startswith(
        "Lưu ý: báo cáo đang chờ xác nhận dưới đây chưa được lưu; đồng chí gửi lại khi cần.\n"
        "Nhiệm vụ: NV-02"
    )
    assert "NV-02" in (tasks.text or "") and "Lưu ý" not in (tasks.text or "")
    async with world.ctx.db.session() as session:
        assert await session.scalar(select(Report)) is None


async def test_words_typed_with_diacritics_and_units_by_name(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    """Bare commands in Vietnamese spelling, /donvi by part of a name with numbered choices,
    and help examples naming the official's own task."""
    await link(world, server, "CV-SXD", LAN)
    [saved] = await say(server, LAN, "Báo cáo NV-01 50 Đã họp lấy ý kiến")
    assert (saved.text or "").startswith("Đã lưu báo cáo.")
    assert (await world.task("NV-01")).progress == 50
    [help_text] = await say(server, LAN, "trợ giúp")
    assert "/baocao NV-01 60 nội dung" in (help_text.text or "")
    await link(world, server, "CT-UBND", "bao")
    [choice] = await say(server, "bao", "đơn vị sở")
    assert (choice.text or "").startswith("Có 2 đơn vị khớp với “sở”")
    assert "1. Sở Tài chính (STC)\n2. Sở Xây dựng (SXD)" in (choice.text or "")
    [unit] = await say(server, "bao", "2")
    assert (unit.text or "").startswith("Sở Xây dựng (SXD)\n")
    assert "(2: 1 đang thực hiện trong hạn, 1 quá hạn):" in (unit.text or "")

"""On Zalo, through the real channel and the fake Bot API: a leader who linked after a request
was sent decides it from the numbered list, and a revoked official's chat is refused."""

from __future__ import annotations

import datetime as dt

from bot.services.access import revoke_access
from tests.channels.zalo.harness import World, ZaloBot, link, say
from tests.fakes.zalo_api import FakeZaloServer

LAN, BAO = "lan", "bao"  # Zalo users of CV-SXD and the leader CT-UBND


async def test_leader_linked_later_decides_by_number(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", LAN)
    await say(server, LAN, "giahan NV-01 31/12/2025 Chờ ý kiến thẩm định của Bộ")
    await link(world, server, "CT-UBND", BAO)  # after the request: no notice ever reached him

    header, request = await say(server, BAO, "giahan", replies=2)
    assert (header.text or "").startswith("ĐỀ NGHỊ GIA HẠN ĐANG CHỜ QUYẾT ĐỊNH (1)")
    text = request.text or ""
    assert "NV-01" in text and "Người đề nghị: Nguyễn Thị Lan" in text
    assert "1. Đồng ý gia hạn đến 31/12/2025" in text and "3. Không đồng ý" in text
    [prompt] = await say(server, BAO, "1")
    assert "1. Bỏ qua" in (prompt.text or "")
    [decided] = await say(server, BAO, "không")
    assert (decided.text or "").startswith("Đã đồng ý gia hạn nhiệm vụ NV-01")
    assert (await world.task("NV-01")).deadline == dt.date(2025, 12, 31)
    [empty] = await say(server, BAO, "duyet")
    assert empty.text == "Không có đề nghị gia hạn nào đang chờ quyết định."


async def test_revoked_official_is_refused(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", LAN)
    async with world.ctx.db.session() as session:
        await revoke_access(session, world.ctx, "CV-SXD")
    [refused] = await say(server, LAN, "baocao NV-01 60 Đã họp")
    assert (refused.text or "").startswith("Tài khoản của đồng chí đã bị thu hồi quyền truy cập")
    assert (await world.task("NV-01")).progress == 40

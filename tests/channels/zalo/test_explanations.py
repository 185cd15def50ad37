"""Explanation requests over the real Zalo channel (no buttons): the leader asks with a bare
command (the overdue list says how), the unit head picks "Trả lời" by number from the
notice, answers in the next message and the leader receives the answer."""

from __future__ import annotations

from tests.channels.zalo.harness import World, ZaloBot, drain_outbox, link, say
from tests.fakes.zalo_api import FakeZaloServer

BAO, HUNG = "bao", "hung"  # Zalo users of CT-UBND (leader) and GD-SXD (head of Sở Xây dựng)


async def test_head_answers_by_number_and_the_leader_reads_it(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CT-UBND", BAO)
    await link(world, server, "GD-SXD", HUNG)
    [overdue] = await say(server, BAO, "quahan")
    assert "Yêu cầu đơn vị giải trình: giaitrinh <mã> <hạn dd/mm/yyyy>" in (overdue.text or "")
    [sent] = await say(server, BAO, "giaitrinh NV-02 12/12/2025 Đề nghị giải trình việc chậm")
    assert (sent.text or "").startswith("Đã gửi yêu cầu giải trình nhiệm vụ NV-02")

    hung_chat = server.chat_id_for(HUNG)
    before = len(server.sent_messages(hung_chat))
    await drain_outbox(world.ctx, zalo.runtime.senders)
    [notice] = (await server.wait_for_messages(hung_chat, before + 1))[before:]
    assert "YÊU CẦU GIẢI TRÌNH" in (notice.text or "")
    assert "1. Trả lời giải trình NV-02" in (notice.text or "")
    [asked] = await say(server, HUNG, "1")
    assert (asked.text or "").startswith("Giải trình nhiệm vụ NV-02")
    [done] = await say(server, HUNG, "Chậm do chờ số liệu của các phường.")
    assert done.text == "Đã gửi nội dung giải trình nhiệm vụ NV-02 đến Phạm Quốc Bảo."

    bao_chat = server.chat_id_for(BAO)
    before = len(server.sent_messages(bao_chat))
    await drain_outbox(world.ctx, zalo.runtime.senders)
    [answer] = (await server.wait_for_messages(bao_chat, before + 1))[before:]
    assert (answer.text or "").startswith("GIẢI TRÌNH NHIỆM VỤ NV-02")
    assert "Trần Văn Hùng (Sở Xây dựng) đã giải trình" in (answer.text or "")

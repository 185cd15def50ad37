"""Explanation requests over the real Telegram channel: the leader asks with the task's
button, the unit head gets the request with a "Trả lời" button, answers in the next message,
and the leader receives the answer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.context import AppContext
from bot.models import Task
from tests.channels.telegram.harness import (
    HEAD,
    LEADER,
    TelegramBot,
    World,
    buttons,
    deliver_outbox,
    press,
    say,
)
from tests.fakes.telegram_api import FakeTelegramServer


async def test_leader_asks_head_answers_leader_reads_the_answer(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    async with tg_ctx.db.session() as session:
        await session.execute(
            update(Task).where(Task.code == "NV-01").values(deadline=dt.date(2025, 12, 5))
        )
    [detail] = await say(server, LEADER, "/nhiemvu NV-01")
    assert [label for label, _ in buttons(detail)] == ["Yêu cầu giải trình"]
    [prompt] = await press(server, LEADER, detail, "Yêu cầu giải trình")
    assert (prompt.text or "").startswith("Yêu cầu giải trình nhiệm vụ NV-01")
    [sent] = await say(server, LEADER, "12/12/2025 Đề nghị giải trình việc chậm trình dự thảo")
    assert (sent.text or "").startswith(
        "Đã gửi yêu cầu giải trình nhiệm vụ NV-01 đến Sở Xây dựng, hạn trả lời 12/12/2025."
    )

    queued = await deliver_outbox(tg_ctx, telegram.runtime)
    assert [row.chat_id for row in queued] == [str(HEAD)]
    [notice] = await server.wait_for_messages(HEAD, 1)
    assert "Phạm Quốc Bảo đề nghị đồng chí giải trình trước ngày 12/12/2025" in (notice.text or "")
    [asked] = await press(server, HEAD, notice, "Trả lời giải trình NV-01")
    assert (asked.text or "").endswith("Đồng chí gửi nội dung giải trình trong tin nhắn tiếp theo.")
    [done] = await say(server, HEAD, "Chậm do chờ ý kiến thẩm định của Bộ Xây dựng.")
    assert done.text == "Đã gửi nội dung giải trình nhiệm vụ NV-01 đến Phạm Quốc Bảo."

    answers = await deliver_outbox(tg_ctx, telegram.runtime)
    assert [row.chat_id for row in answers] == [str(LEADER)]
    answer = (await server.wait_for_messages(LEADER, 4))[-1]
    assert (answer.text or "").startswith("GIẢI TRÌNH NHIỆM VỤ NV-01")
    assert "Chậm do chờ ý kiến thẩm định của Bộ Xây dựng." in (answer.text or "")

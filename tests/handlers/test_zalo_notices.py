"""On a channel without buttons, a notice that arrives through the outbox (not as a reply)
still offers numbered options: a Zalo leader approves an extension by typing "1"."""

from __future__ import annotations

import datetime as dt

from bot.channel_traits import ZALO
from bot.context import AppContext
from scheduler.dispatcher import OutboxDispatcher
from scheduler.ratelimit import ChannelRates
from tests.handlers.conftest import make_world
from tests.scheduler.fakes import RecordingSender, virtual_limiter


async def test_a_zalo_leader_decides_an_extension_by_number(ctx: AppContext) -> None:
    world = await make_world(ctx, ZALO)
    backend = world.backend
    await backend.push_message(world.hoa, "giahan NQ-01 31/12/2025 Chờ ý kiến thẩm định của Bộ")
    assert backend.pop_text().startswith("Đã gửi đề nghị gia hạn nhiệm vụ NQ-01")

    zalo = RecordingSender(ZALO)
    limiter = virtual_limiter(rates={"zalo": ChannelRates(5.0, 1.0, 1.0)})
    await OutboxDispatcher(ctx, {"zalo": zalo}, limiter=limiter).drain()
    [notice] = zalo.to(world.chau.user_id)
    assert not notice.buttons
    assert "1. Đồng ý gia hạn" in notice.text and "3. Không đồng ý" in notice.text

    await backend.push_message(world.chau, "1")
    assert "1. Bỏ qua" in backend.pop_text()
    await backend.push_message(world.chau, "1")
    assert backend.pop_text().startswith("Đã đồng ý gia hạn nhiệm vụ NQ-01")
    task = await world.task("NQ-01")
    assert task.deadline == dt.date(2025, 12, 31)

    # Numbers refer to the latest message: after a reply without options, "2" is no
    # longer "reject this extension".
    await backend.push_message(world.chau, "/nhiemvu NQ-01")
    backend.pop_text()
    await backend.push_message(world.chau, "2")
    assert "đã được xử lý" not in backend.pop_text()

"""Explanation requests (yêu cầu giải trình) in the chat: a leader or the office asks the lead
unit of an overdue task to explain it by a date (one line, or the "Yêu cầu giải trình" button
of the task and of /quahan); the unit head hears it at once and answers (the "Trả lời" button
then the next message, or /traloi one line); the answer reaches the requester and both stay on
the task's history. Today is Monday 08/12/2025; NV-02 (Sở Tài chính) is overdue since 01/12.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.channel_traits import ZALO
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import AuditLog, ExplanationRequest, Official
from scheduler.dispatcher import OutboxDispatcher
from scheduler.ratelimit import ChannelRates
from tests.handlers.backend import button_data, labels
from tests.handlers.conftest import World, make_world
from tests.scheduler.fakes import RecordingSender, virtual_limiter

ASK = "/giaitrinh NV-02 12/12/2025 Đề nghị giải trình lý do chậm trình kế hoạch"


async def _titled(world: World) -> None:
    """Job titles in the directory, as messages name people with them."""
    async with world.ctx.db.session() as session:
        await session.execute(
            update(Official)
            .where(Official.code == "LD-01")
            .values(title="Phó Chủ tịch UBND thành phố")
        )
        await session.execute(
            update(Official).where(Official.code == "GD-STC").values(title="Giám đốc Sở")
        )


async def test_leader_asks_head_answers_with_the_button_and_history_keeps_both(
    world: World,
) -> None:
    backend = world.backend
    await _titled(world)
    await backend.push_message(world.chau, ASK)
    assert backend.pop_text() == (
        "Đã gửi yêu cầu giải trình nhiệm vụ NV-02 đến Sở Tài chính, hạn trả lời 12/12/2025. "
        "Đơn vị được nhắc hằng ngày đến khi trả lời; đồng chí sẽ nhận nội dung giải trình qua "
        "tin nhắn."
    )
    [notice] = await backend.notices_for(world.nam, "explanation.request")
    assert notice.text.startswith("YÊU CẦU GIẢI TRÌNH\nNhiệm vụ NV-02")
    assert (
        "Phó Chủ tịch UBND thành phố Lê Ngọc Châu đề nghị đồng chí giải trình trước ngày "
        "12/12/2025:\nĐề nghị giải trình lý do chậm trình kế hoạch"
    ) in notice.text
    assert "bạn" not in notice.text.lower()
    assert labels(notice) == ["Trả lời giải trình NV-02"]
    assert await backend.notices_for(world.hoa, "explanation.request") == []  # staff: no

    await backend.push_button(world.nam, button_data(notice, "Trả lời"))
    prompt = backend.pop_text()
    assert "Nội dung yêu cầu: Đề nghị giải trình lý do chậm trình kế hoạch" in prompt
    assert prompt.endswith("Đồng chí gửi nội dung giải trình trong tin nhắn tiếp theo.")
    await backend.push_message(world.nam, "Chậm do chờ số liệu của các sở, ngành.")
    assert backend.pop_text() == (
        "Đã gửi nội dung giải trình nhiệm vụ NV-02 đến Phó Chủ tịch UBND thành phố Lê Ngọc Châu."
    )
    assert await backend.state(world.nam) is None
    [answer] = await backend.notices_for(world.chau, "explanation.answer")
    assert answer.text == (
        "GIẢI TRÌNH NHIỆM VỤ NV-02 — Xây dựng kế hoạch đầu tư công năm 2026\n"
        "Giám đốc Sở Trần Văn Nam (Sở Tài chính) đã giải trình (hạn 12/12/2025):\n"
        "Chậm do chờ số liệu của các sở, ngành."
    )

    await backend.push_message(world.chau, "/nhiemvu NV-02")
    detail = backend.pop_message()
    assert "Yêu cầu giải trình (1):" in detail.text
    assert (
        "• 08/12/2025: Phó Chủ tịch UBND thành phố Lê Ngọc Châu yêu cầu giải trình trước ngày "
        "12/12/2025: Đề nghị giải trình lý do chậm trình kế hoạch"
    ) in detail.text
    assert (
        "  → 08/12/2025: Giám đốc Sở Trần Văn Nam đã giải trình: Chậm do chờ số liệu của các "
        "sở, ngành."
    ) in detail.text
    assert labels(detail) == ["Yêu cầu giải trình"]  # answered: a new request may be made
    async with world.ctx.db.session() as session:
        actions = list(await session.scalars(select(AuditLog.action)))
    assert actions.count("explanation.request") == 1
    assert actions.count("explanation.answer") == 1


async def test_refusals_are_clear_and_change_nothing(world: World) -> None:
    backend = world.backend
    cases = [
        (world.chau, "/giaitrinh NQ-01 20/12/2025 Giải trình", "NQ-01 không quá hạn"),
        (world.chau, "/giaitrinh NV-02 01/12/2025 Giải trình", "Hạn giải trình 01/12/2025 đã qua"),
        (world.chau, "/giaitrinh NV-02 12/12/2025", "Vui lòng ghi nội dung cần giải trình"),
        (world.chau, "/giaitrinh NV-02 12/13/2025 Giải trình", "12/13/2025"),
        (world.chau, "/giaitrinh NV-02", "Cách dùng: /giaitrinh"),
        (world.nam, "/giaitrinh NV-02 12/12/2025 Giải trình", "do lãnh đạo hoặc Văn phòng gửi"),
        (world.hoa, "/traloi NV-02 Đã giải trình", "không có yêu cầu giải trình nào"),
        (world.nam, "/traloi", "Cách dùng: /traloi"),
    ]
    for user, text, expected in cases:
        await backend.push_message(user, text)
        reply = backend.pop_text()
        assert expected in reply, (text, reply)
    await backend.push_message(world.lan, ASK)  # the office (admin) may ask too
    assert backend.pop_text().startswith("Đã gửi yêu cầu giải trình nhiệm vụ NV-02")
    await backend.push_message(world.chau, ASK)
    assert backend.pop_text() == ("Nhiệm vụ NV-02 đã có yêu cầu giải trình chưa được trả lời.")
    await backend.push_message(world.hoa, "/traloi NV-02 Đơn vị xin giải trình")
    assert backend.pop_text() == "Thủ trưởng Sở Tài chính trả lời yêu cầu giải trình này."
    await backend.push_message(world.nam, "/traloi NV-02 Chậm do chờ số liệu.")
    assert backend.pop_text().startswith("Đã gửi nội dung giải trình nhiệm vụ NV-02 đến")
    await backend.push_message(world.nam, "/traloi NV-02 Lần nữa")
    assert "không có yêu cầu giải trình nào chưa trả lời" in backend.pop_text()
    async with world.ctx.db.session() as session:
        requests = list(await session.scalars(select(ExplanationRequest)))
    assert len(requests) == 1 and requests[0].answer == "Chậm do chờ số liệu."


async def test_the_task_button_and_the_overdue_list_ask_for_an_explanation(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.chau, "/nhiemvu NQ-01")
    assert labels(backend.pop_message()) == []  # not overdue: no button
    await backend.push_message(world.hoa, "/nhiemvu NV-02")
    assert labels(backend.pop_message()) == []  # staff: no button
    await backend.push_message(world.chau, "/quahan")
    overdue = backend.pop_message()
    assert labels(overdue) == ["Giải trình NV-05", "Giải trình NV-02"]

    await backend.push_button(world.chau, button_data(overdue, "NV-05"))
    assert backend.pop_text().startswith("Yêu cầu giải trình nhiệm vụ NV-05")
    await backend.push_message(world.chau, "hôm nay")
    assert "hôm" in backend.pop_text()  # not a date: said, and the question still waits
    await backend.push_message(world.chau, "15/12/2025 Đề nghị giải trình việc chậm triển khai")
    assert backend.pop_text().startswith(
        "Đã gửi yêu cầu giải trình nhiệm vụ NV-05 đến Sở Y tế, hạn trả lời 15/12/2025."
    )
    assert await backend.state(world.chau) is None

    await backend.push_message(world.chau, "/nhiemvu NV-02")
    detail = backend.pop_message()
    await backend.push_button(world.chau, button_data(detail, "Yêu cầu giải trình"))
    backend.pop_text()
    await backend.push_message(world.chau, "10/12/2025 Giải trình lý do chậm")
    assert backend.pop_text().startswith("Đã gửi yêu cầu giải trình nhiệm vụ NV-02")
    await backend.push_button(world.chau, button_data(detail, "Yêu cầu giải trình"))
    assert backend.pop_text() == "Nhiệm vụ NV-02 đã có yêu cầu giải trình chưa được trả lời."
    await backend.push_message(world.chau, "/quahan")
    assert labels(backend.pop_message()) == []  # both asked already

    await backend.push_message(world.tung, "/giaitrinh")
    listed = [backend.pop_message() for _ in range(3)]
    assert listed[0].text == "YÊU CẦU GIẢI TRÌNH CHƯA TRẢ LỜI (2), hạn sớm nhất trước:"
    assert listed[1].text.startswith("NV-02") and "hạn 10/12/2025" in listed[1].text
    assert labels(listed[1]) == []  # a leader does not answer
    await backend.push_message(world.nam, "/giaitrinh")
    header, mine = backend.pop_message(), backend.pop_message()
    assert header.text.startswith("YÊU CẦU GIẢI TRÌNH CHƯA TRẢ LỜI (1)")
    assert labels(mine) == ["Trả lời giải trình NV-02"]


async def test_a_late_request_is_marked_in_the_list(world: World, clock: FrozenClock) -> None:
    backend = world.backend
    await backend.push_message(world.chau, "/giaitrinh NV-02 09/12/2025 Giải trình")
    backend.pop_text()
    clock.advance(dt.timedelta(days=2))
    await backend.push_message(world.nam, "/giaitrinh")
    _, item = backend.pop_message(), backend.pop_message()
    assert "hạn 09/12/2025 (QUÁ HẠN GIẢI TRÌNH)" in item.text
    await backend.push_message(world.nam, "/traloi NV-02 Chậm do chờ số liệu.")
    backend.pop_text()
    [answer] = await backend.notices_for(world.chau, "explanation.answer")
    assert "đã giải trình, trễ so với hạn 09/12/2025" in answer.text


async def test_zalo_head_answers_by_number_and_english_commands(ctx: AppContext) -> None:
    world = await make_world(ctx, ZALO)
    backend = world.backend
    await backend.push_message(world.chau, "giaitrinh NV-02 12/12/2025 Giải trình việc chậm")
    assert backend.pop_text().startswith("Đã gửi yêu cầu giải trình nhiệm vụ NV-02")
    zalo = RecordingSender(ZALO)
    limiter = virtual_limiter(rates={"zalo": ChannelRates(5.0, 1.0, 1.0)})
    await OutboxDispatcher(ctx, {"zalo": zalo}, limiter=limiter).drain()
    [notice] = zalo.to(world.nam.user_id)
    assert not notice.buttons and "1. Trả lời giải trình NV-02" in notice.text
    await backend.push_message(world.nam, "1")
    assert backend.pop_text().startswith("Giải trình nhiệm vụ NV-02")
    await backend.push_message(world.nam, "1")  # the answer itself, not an option
    assert backend.pop_text().startswith("Đã gửi nội dung giải trình nhiệm vụ NV-02")

    await backend.push_message(world.chau, "/nhiemvu NV-05")
    assert "1. Yêu cầu giải trình" in backend.pop_text()
    await backend.push_message(world.mai, "/answer NV-05 text")  # English speaker, staff
    assert backend.pop_text() == "Task NV-05 has no unanswered explanation request."

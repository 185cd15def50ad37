"""Recommendations (vướng mắc, kiến nghị) and directions (ý kiến chỉ đạo) in the chat.

The lead unit raises a recommendation with a report — after ``| kiến nghị:`` on one line, or
at the guided flow's step — and it reaches the leader in charge at once; a leader answers it
(the notice's or ``/chidao``'s "Cho ý kiến chỉ đạo" button, numbered on Zalo, then the next
message) or directs on any task with ``/chidao NV-02 nội dung``; the lead unit's handler and
heads and the person who raised it receive the direction, and both stay on the task's
history. Today is Monday 08/12/2025; NQ-01 and NV-02 belong to Sở Tài chính.
"""

from __future__ import annotations

from sqlalchemy import select, update

from bot.channel_traits import ZALO
from bot.context import AppContext
from bot.models import AuditLog, Direction, Recommendation, Report, Task
from scheduler.dispatcher import OutboxDispatcher
from scheduler.ratelimit import ChannelRates
from tests.handlers.backend import button_data, labels
from tests.handlers.conftest import World, make_world
from tests.scheduler.fakes import RecordingSender, virtual_limiter

ONE_LINE = "/baocao NQ-01 60 Đã họp các sở | kiến nghị: đề nghị bổ sung kinh phí"


async def _in_charge(world: World, code: str, *, leader: str, handler: str | None) -> None:
    """Name the task's leader in charge and handling official."""
    async with world.ctx.db.session() as session:
        await session.execute(
            update(Task)
            .where(Task.code == code)
            .values(
                leader_in_charge_id=world.official_ids[leader],
                handler_id=world.official_ids[handler] if handler else None,
            )
        )


async def _reports(world: World, code: str) -> list[Report]:
    async with world.ctx.db.session() as session:
        return list(
            await session.scalars(
                select(Report).join(Task, Task.id == Report.task_id).where(Task.code == code)
            )
        )


async def test_one_line_recommendation_reaches_the_leader_and_the_direction_the_unit(
    world: World,
) -> None:
    backend = world.backend
    await _in_charge(world, "NQ-01", leader="LD-01", handler="CV-STC-01")
    await backend.push_message(world.hoa, ONE_LINE)
    saved = backend.pop_text()
    assert saved.startswith("Đã lưu báo cáo.")
    assert "Nội dung: Đã họp các sở\n" in saved
    assert saved.endswith(
        "Kiến nghị: đề nghị bổ sung kinh phí\nKiến nghị đã được chuyển đến Lê Ngọc Châu."
    )
    [report] = await _reports(world, "NQ-01")
    assert report.note == "Đã họp các sở" and report.progress == 60

    [notice] = await backend.notices_for(world.chau, "recommendation.raised")
    assert notice.text == (
        "KIẾN NGHỊ CHỜ CHO Ý KIẾN\n"
        "Nhiệm vụ NQ-01 — Triển khai thực hiện 45 nghị quyết của HĐND thành phố\n"
        "Đơn vị chủ trì: Sở Tài chính; tiến độ 60%, thời hạn 15/12/2025\n"
        "Nguyễn Thị Hoa kiến nghị (08/12/2025):\n"
        "đề nghị bổ sung kinh phí\n"
        "Cho ý kiến chỉ đạo: bấm nút bên dưới, hoặc gõ /chidao để xem các kiến nghị chờ cho "
        "ý kiến."
    )
    assert labels(notice) == ["Cho ý kiến chỉ đạo NQ-01"]
    assert await backend.notices_for(world.tung, "recommendation.raised") == []  # not in charge

    await backend.push_button(world.chau, button_data(notice, "Cho ý kiến"))
    prompt = backend.pop_text()
    assert "Nội dung kiến nghị: đề nghị bổ sung kinh phí" in prompt
    assert prompt.endswith("Đồng chí gửi ý kiến chỉ đạo trong tin nhắn tiếp theo.")
    await backend.push_message(world.chau, "Đồng ý, giao Sở Tài chính cân đối nguồn.")
    assert backend.pop_text() == "Đã gửi ý kiến chỉ đạo về nhiệm vụ NQ-01 đến Sở Tài chính."
    assert await backend.state(world.chau) is None

    # The handler (who also raised it) hears once, the unit head too, the leader not.
    [to_hoa] = await backend.notices_for(world.hoa, "direction.given")
    [to_nam] = await backend.notices_for(world.nam, "direction.given")
    assert (
        to_hoa.text
        == to_nam.text
        == (
            "Ý KIẾN CHỈ ĐẠO\n"
            "Nhiệm vụ NQ-01 — Triển khai thực hiện 45 nghị quyết của HĐND thành phố\n"
            "Đơn vị chủ trì: Sở Tài chính\n"
            "Về kiến nghị của Nguyễn Thị Hoa (08/12/2025): đề nghị bổ sung kinh phí\n"
            "Lê Ngọc Châu chỉ đạo:\n"
            "Đồng ý, giao Sở Tài chính cân đối nguồn."
        )
    )
    assert await backend.notices_for(world.chau, "direction.given") == []

    await backend.push_message(world.hoa, "/nhiemvu NQ-01")
    detail = backend.pop_text()
    assert (
        "Kiến nghị và ý kiến chỉ đạo:\n"
        "• 08/12/2025: Nguyễn Thị Hoa kiến nghị: đề nghị bổ sung kinh phí\n"
        "  → 08/12/2025: Lê Ngọc Châu chỉ đạo: Đồng ý, giao Sở Tài chính cân đối nguồn."
    ) in detail
    await backend.push_message(world.chau, "/chidao")
    assert backend.pop_text() == "Không có kiến nghị nào chờ cho ý kiến."
    await backend.push_button(world.chau, button_data(notice, "Cho ý kiến"))  # answered
    assert backend.pop_text() == ("Kiến nghị này về nhiệm vụ NQ-01 đã được cho ý kiến chỉ đạo.")
    async with world.ctx.db.session() as session:
        actions = list(await session.scalars(select(AuditLog.action)))
        recommendation = await session.scalar(select(Recommendation))
    assert actions.count("recommendation.raise") == 1
    assert actions.count("direction.give") == 1
    assert recommendation is not None and recommendation.report_id == report.id
    assert recommendation.answered_at is not None


async def test_the_guided_flow_asks_for_a_recommendation(world: World) -> None:
    backend = world.backend
    await backend.push_button(world.hoa, "rp:NQ-01")
    progress = backend.pop_message()
    await backend.push_button(world.hoa, button_data(progress, "75%"))
    backend.pop_message()
    await backend.push_message(world.hoa, "Đã hoàn thiện dự thảo")
    advice = backend.pop_message()
    assert advice.text.startswith("Có vướng mắc, kiến nghị cần lãnh đạo cho ý kiến không?")
    await backend.push_message(world.hoa, "Đề nghị Sở Xây dựng sớm cung cấp số liệu")
    file_step = backend.pop_message()
    await backend.push_button(world.hoa, button_data(file_step, "Bỏ qua"))
    confirm = backend.pop_message()
    assert confirm.text.endswith(
        "Nội dung: Đã hoàn thiện dự thảo\nKiến nghị: Đề nghị Sở Xây dựng sớm cung cấp số liệu"
    )
    assert await backend.notices_for(world.chau, "recommendation.raised") == []  # not yet
    await backend.push_button(world.hoa, button_data(confirm, "Xác nhận"))
    saved = backend.pop_text()
    # No leader in charge named: every leader hears of it.
    assert saved.endswith("Kiến nghị đã được chuyển đến Lê Ngọc Châu, Nguyễn Văn Tùng.")
    for leader in (world.chau, world.tung):
        [notice] = await backend.notices_for(leader, "recommendation.raised")
        assert "Đề nghị Sở Xây dựng sớm cung cấp số liệu" in notice.text


async def test_free_text_report_with_a_recommendation_is_confirmed_first(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% xong dự thảo | kien nghi: xin thêm kinh phí")
    confirm = backend.pop_message()
    assert "Nội dung: xong dự thảo\nKiến nghị: xin thêm kinh phí" in confirm.text
    await backend.push_button(world.hoa, button_data(confirm, "Xác nhận"))
    assert "Kiến nghị đã được chuyển đến" in backend.pop_text()
    assert len(await backend.notices_for(world.chau, "recommendation.raised")) == 1


async def test_chidao_lists_with_buttons_and_directs_on_any_task(world: World) -> None:
    backend = world.backend
    await _in_charge(world, "NV-02", leader="LD-02", handler=None)
    await backend.push_message(world.hoa, ONE_LINE)
    backend.pop_text()
    await backend.push_message(
        world.nam, "/baocao NV-02 60 Đã trình dự thảo | recommendation: xin lùi thời hạn"
    )
    assert backend.pop_text().endswith("Kiến nghị đã được chuyển đến Nguyễn Văn Tùng.")

    await backend.push_message(world.chau, "/chidao")
    listed = backend.pop_message()
    assert listed.text.startswith("KIẾN NGHỊ CHỜ CHO Ý KIẾN (2), cũ nhất trước:\n1) NQ-01 — ")
    assert "Trần Văn Nam, 08/12/2025: xin lùi thời hạn" in listed.text
    assert labels(listed) == ["Cho ý kiến chỉ đạo NQ-01", "Cho ý kiến chỉ đạo NV-02"]
    await backend.push_message(world.hoa, "/chidao")  # a unit member: the unit's, no buttons
    unit_list = backend.pop_message()
    assert "(2)" in unit_list.text and labels(unit_list) == []
    assert unit_list.text.endswith("đơn vị sẽ nhận ý kiến chỉ đạo qua tin nhắn.")

    await backend.push_message(
        world.tung, "/chỉđạo NV-02 Khẩn trương hoàn thiện, trình trước 12/12"
    )
    sent = backend.pop_message()
    assert sent.text == (
        "Đã gửi ý kiến chỉ đạo về nhiệm vụ NV-02 đến Sở Tài chính.\n"
        "Nhiệm vụ NV-02 còn 1 kiến nghị chờ cho ý kiến:"
    )
    assert labels(sent) == ["Cho ý kiến chỉ đạo NV-02"]  # a direction on the task answers none
    [to_head] = await backend.notices_for(world.nam, "direction.given")
    assert to_head.text.endswith(
        "Nguyễn Văn Tùng chỉ đạo:\nKhẩn trương hoàn thiện, trình trước 12/12"
    )
    assert "Về kiến nghị" not in to_head.text
    assert await backend.notices_for(world.hoa, "direction.given") == []  # not the handler

    await backend.push_button(world.tung, button_data(sent, "NV-02"))
    backend.pop_text()
    await backend.push_message(world.tung, "Không đồng ý lùi thời hạn.")
    assert backend.pop_text() == "Đã gửi ý kiến chỉ đạo về nhiệm vụ NV-02 đến Sở Tài chính."
    await backend.push_message(world.nam, "/nhiemvu NV-02")
    detail = backend.pop_text()
    assert (
        "• 08/12/2025: Trần Văn Nam kiến nghị: xin lùi thời hạn\n"
        "  → 08/12/2025: Nguyễn Văn Tùng chỉ đạo: Không đồng ý lùi thời hạn.\n"
        "• 08/12/2025: Nguyễn Văn Tùng chỉ đạo: Khẩn trương hoàn thiện, trình trước 12/12"
    ) in detail
    async with world.ctx.db.session() as session:
        directions = list(await session.scalars(select(Direction).order_by(Direction.id)))
    assert [d.recommendation_id is None for d in directions] == [True, False]


async def test_refusals_are_clear_and_store_nothing(world: World) -> None:
    backend = world.backend
    cases = [
        (world.hoa, "/chidao NQ-01 Làm ngay", "Ý kiến chỉ đạo do lãnh đạo hoặc Văn phòng gửi"),
        (world.chau, "/chidao NQ-01", "Cách dùng: /chidao <mã nhiệm vụ>"),
        (world.chau, "/chidao NQ-99 Làm ngay", "NQ-99"),
        (world.hoa, "/baocao NQ-01 60 Đã họp | kiến nghị:", "Vui lòng ghi nội dung vướng mắc"),
        (
            world.tuan,  # a coordinating unit adds notes, the lead unit raises
            "/baocao NQ-01 Đã gửi số liệu | kiến nghị: đề nghị gia hạn",
            "Kiến nghị về nhiệm vụ NQ-01 do đơn vị chủ trì gửi.",
        ),
        (world.hoa, "/baocao NQ-01 60 x | kiến nghị: " + "dài " * 600, "tối đa 2000 ký tự"),
    ]
    for user, text, expected in cases:
        await backend.push_message(user, text)
        reply = backend.pop_text()
        assert expected in reply, (text, reply)
    assert await _reports(world, "NQ-01") == []
    async with world.ctx.db.session() as session:
        assert list(await session.scalars(select(Recommendation))) == []
        assert list(await session.scalars(select(Direction))) == []
    await backend.push_button(world.chau, "cd:999")
    assert backend.pop_text() == "Không tìm thấy kiến nghị này."


async def test_zalo_numbered_answer_and_english(ctx: AppContext) -> None:
    world = await make_world(ctx, ZALO)
    backend = world.backend
    await _in_charge(world, "NQ-01", leader="LD-01", handler="CV-STC-01")
    await backend.push_message(
        world.hoa, "baocao NQ-01 60 Đã họp | kien nghi: đề nghị bổ sung kinh phí"
    )
    assert "Kiến nghị đã được chuyển đến Lê Ngọc Châu." in backend.pop_text()
    zalo = RecordingSender(ZALO)
    limiter = virtual_limiter(rates={"zalo": ChannelRates(5.0, 1.0, 1.0)})
    await OutboxDispatcher(ctx, {"zalo": zalo}, limiter=limiter).drain()
    [notice] = zalo.to(world.chau.user_id)
    assert not notice.buttons and "1. Cho ý kiến chỉ đạo NQ-01" in notice.text

    await backend.push_message(world.chau, "chidao")
    listed = backend.pop_text()
    assert "1. Cho ý kiến chỉ đạo NQ-01" in listed and "(Trả lời bằng số từ 1 đến 1)" in listed
    await backend.push_message(world.chau, "1")
    assert backend.pop_text().startswith("Cho ý kiến chỉ đạo về kiến nghị nhiệm vụ NQ-01")
    await backend.push_message(world.chau, "Đồng ý bổ sung.")
    assert backend.pop_text() == "Đã gửi ý kiến chỉ đạo về nhiệm vụ NQ-01 đến Sở Tài chính."
    await OutboxDispatcher(ctx, {"zalo": zalo}, limiter=limiter).drain()
    [direction] = zalo.to(world.hoa.user_id)
    assert direction.text.startswith("Ý KIẾN CHỈ ĐẠO\nNhiệm vụ NQ-01")

    await backend.push_message(world.mai, "/direct")  # English speaker, another unit
    assert backend.pop_text() == "No recommendation is awaiting direction."
    await backend.push_message(world.mai, "/direct NV-05 Go")
    assert backend.pop_text().startswith("Directions are given by leaders or the office.")

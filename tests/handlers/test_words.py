"""The chat speaks like an office and understands how officials type: commands and keywords
with or without diacritics, /donvi by a unit's name, examples from the official's own tasks."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from bot.channel_traits import ZALO
from bot.context import AppContext
from bot.demo import load_demo
from bot.models import Official, Role, Task
from bot.services import invites
from tests.handlers.backend import ChatBackend, ChatUser, button_data, labels
from tests.handlers.conftest import World, make_world


async def test_commands_work_with_or_without_diacritics(world: World) -> None:
    backend, hoa = world.backend, world.hoa
    for typed, percent in (
        ("/báocáo NQ-01 45 Đã họp triển khai", 45),
        ("/Báo_Cáo NQ-01 50 Đã trình dự thảo", 50),
        ("/báo cáo NQ-01 55 Đã lấy ý kiến các sở", 55),
        ("/BAOCAO NQ-01 60 Đã hoàn thiện dự thảo", 60),
    ):
        await backend.push_message(hoa, typed)
        assert backend.pop_text().startswith("Đã lưu báo cáo."), typed
        assert (await world.task("NQ-01")).progress == percent
    await backend.push_message(hoa, "/nhiệmvụ")
    assert backend.pop_text().startswith("Nhiệm vụ đang thực hiện của Sở Tài chính")
    await backend.push_message(world.chau, "/tổnghợp")
    assert backend.pop_text().startswith("TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ")


async def test_channel_keywords_with_diacritics(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/kênh chỉ telegram")
    assert backend.pop_text().startswith("Không hiểu “chỉ telegram”.")
    await backend.push_message(world.hoa, "/kênh Telegram")
    assert backend.pop_text() == (
        "Đã lưu: nhắc việc và báo cáo tổng hợp sẽ gửi đến đồng chí qua Telegram."
    )
    await backend.push_message(world.hoa, "/kênh Tất  cả")
    assert backend.pop_text() == (
        "Đã lưu: nhắc việc và báo cáo tổng hợp sẽ gửi đến đồng chí qua mọi kênh đã liên kết"
        " (Telegram)."
    )


async def test_bare_commands_with_diacritics_on_zalo(ctx: AppContext) -> None:
    world = await make_world(ctx, ZALO)
    backend = world.backend
    await backend.push_message(world.hoa, "báo cáo NQ-01 70 Đã trình UBND")
    assert backend.pop_text().startswith("Đã lưu báo cáo.")
    await backend.push_message(world.hoa, "kênh tất cả")
    assert backend.pop_text().startswith("Đã lưu: nhắc việc và báo cáo tổng hợp")


async def test_unit_by_name_or_part_of_it(world: World) -> None:
    backend = world.backend
    typed_forms = (
        "/donvi tài chính",
        "/donvi tai chinh",
        "/đơnvị TÀI CHÍNH",
        "/donvi Sở Tài chính",
    )
    for typed in typed_forms:
        await backend.push_message(world.chau, typed)
        assert backend.pop_text().startswith("Sở Tài chính (STC)\n"), typed
    await backend.push_message(world.chau, "/donvi sở")
    choice = backend.pop_message()
    assert choice.text == "Có 3 đơn vị khớp với “sở”, đồng chí chọn một đơn vị:"
    assert labels(choice) == ["Sở Tài chính (STC)", "Sở Xây dựng (SXD)", "Sở Y tế (SYT)"]
    await backend.push_button(world.chau, button_data(choice, "Sở Xây dựng"))
    assert backend.pop_text().startswith("Sở Xây dựng (SXD)\n")


async def test_unit_choices_are_numbered_on_zalo(ctx: AppContext) -> None:
    world = await make_world(ctx, ZALO)
    backend = world.backend
    await backend.push_message(world.chau, "donvi so")
    choice = backend.pop_message()
    assert "1. Sở Tài chính (STC)\n2. Sở Xây dựng (SXD)\n3. Sở Y tế (SYT)" in choice.text
    await backend.push_message(world.chau, "3")
    assert backend.pop_text().startswith("Sở Y tế (SYT)\n")


async def test_a_head_who_names_another_unit_is_told_why_not(world: World) -> None:
    await world.backend.push_message(world.nam, "/donvi xây dựng")
    assert world.backend.pop_text() == (
        "Xin lỗi, đồng chí chỉ xem được nhiệm vụ của đơn vị mình, không xem được Sở Xây dựng."
    )
    await world.backend.push_message(world.nam, "/donvi sở")  # only their own unit matches
    assert world.backend.pop_text().startswith("Sở Tài chính (STC)\n")


def _count(text: str, label: str) -> int:
    match = re.search(rf"^• {label}: (\d+)$", text, re.MULTILINE)
    assert match, (label, text)
    return int(match[1])


async def test_unit_counts_agree_with_the_tasks_listed(world: World) -> None:
    """Sở Xây dựng leads NV-03 and coordinates NQ-01: one task in progress, listed once as
    led and once as coordinated (it used to say "2 open" under a count of 1)."""
    backend = world.backend
    for code in ("STC", "SXD", "SYT"):
        await backend.push_message(world.chau, f"/donvi {code}")
        text = backend.pop_text()
        led = re.search(r"do đơn vị chủ trì \((\d+): (\d+) đang thực hiện trong hạn, (\d+)", text)
        unfinished = _count(text, "Đang thực hiện trong hạn") + _count(text, "Quá hạn")
        if led is None:
            assert unfinished == 0 and "Không có nhiệm vụ chưa hoàn thành nào" in text
            continue
        assert int(led[1]) == unfinished
        assert int(led[2]) == _count(text, "Đang thực hiện trong hạn")
        assert int(led[3]) == _count(text, "Quá hạn")
        block = text.split(led[0])[1].split("\n\n")[0]
        assert len([line for line in block.splitlines() if line.startswith("• ")]) == unfinished
    await backend.push_message(world.chau, "/donvi SXD")
    text = backend.pop_text()
    assert "• Đang thực hiện trong hạn: 1" in text
    assert "do đơn vị chủ trì (1: 1 đang thực hiện trong hạn, 0 quá hạn):\n• NV-03 " in text
    assert "Nhiệm vụ đơn vị phối hợp thực hiện (1):\n• NQ-01 " in text


async def test_examples_use_the_officials_own_tasks(world: World) -> None:
    """Hoa (Sở Tài chính) has NQ-01 due 15/12/2025 (today is 08/12/2025)."""
    backend, hoa = world.backend, world.hoa
    await backend.push_message(hoa, "/trogiup")
    assert "/baocao NQ-01 60 nội dung" in backend.pop_text()
    await backend.push_message(hoa, "/xong")
    assert "ví dụ /xong NQ-01 Đã ban hành kế hoạch." in backend.pop_text()
    await backend.push_message(hoa, "/giahan")
    assert "ví dụ /giahan NQ-01 29/12/2025 Chờ ý kiến thẩm định." in backend.pop_text()
    await backend.push_message(hoa, "/giahan NV-02 cuối tháng Chờ số liệu")
    assert backend.pop_text().endswith("ví dụ 22/12/2025.")  # 01/12 is past: today + 14 days
    await backend.push_message(hoa, "xin chào")
    assert "ví dụ: NQ-01 60% Đã trình dự thảo" in backend.pop_text()
    await backend.push_message(world.mai, "/help")  # Sở Y tế's only task is overdue
    assert "/report NV-05 60 note" in backend.pop_text()


async def test_demo_officials_see_examples_of_their_own_units_tasks(ctx: AppContext) -> None:
    await load_demo(ctx)
    backend = ChatBackend(ctx)
    async with ctx.db.session() as session:
        staff = list(
            await session.scalars(
                select(Official).where(Official.role == Role.STAFF).order_by(Official.code).limit(5)
            )
        )
        links = [
            (official, await invites.create_invite(session, ctx, official=official))
            for official in staff
        ]
    for official, code in links:
        user = ChatUser(f"demo-{official.code}", official.full_name)
        await backend.push_message(user, f"/start {code}")
        backend.queue.clear()
        await backend.push_message(user, "/trogiup")
        shown = re.search(r"/baocao (\S+) 60 nội dung", backend.pop_text())
        await backend.push_message(user, "/giahan")
        date = re.search(r"/giahan \S+ (\d\d/\d\d/\d{4})", backend.pop_text())
        assert shown and date
        async with ctx.db.session() as session:
            task = await session.scalar(select(Task).where(Task.code == shown[1]))
        assert task is not None and task.lead_unit_id == official.unit_id
        assert task.completed_at is None
        assert dt.datetime.strptime(date[1], "%d/%m/%Y").date() > ctx.today()


async def test_people_are_named_with_their_job_titles(world: World) -> None:
    async with world.ctx.db.session() as session:
        for code, title in (
            ("CV-STC-01", "Chuyên viên Phòng Ngân sách"),
            ("LD-01", "Phó Chủ tịch UBND thành phố"),
        ):
            official = await session.get(Official, world.official_ids[code])
            assert official is not None
            official.title = title
    backend = world.backend
    await backend.push_message(world.hoa, "/giahan NQ-01 31/12/2025 Chờ ý kiến thẩm định")
    backend.queue.clear()
    await backend.push_message(world.chau, "/duyet")
    request = backend.queue[-1]
    backend.queue.clear()
    assert "Người đề nghị: Chuyên viên Phòng Ngân sách Nguyễn Thị Hoa" in request.text
    await backend.push_button(world.chau, button_data(request, "Đồng ý"))
    prompt = backend.pop_message()
    await backend.push_button(world.chau, button_data(prompt, "Bỏ qua"))
    assert backend.pop_message().text.endswith(
        "15/12/2025 → 31/12/2025 (Phó Chủ tịch UBND thành phố Lê Ngọc Châu)."
    )

"""The same conversation on a channel without buttons (Zalo): numbered options and typed
numbers, bare commands."""

from __future__ import annotations

from bot.channel_traits import ZALO
from bot.context import AppContext
from tests.handlers.conftest import World, make_world


async def zalo_world(ctx: AppContext) -> World:
    return await make_world(ctx, ZALO)


async def test_report_flow_by_numbered_answers(ctx: AppContext) -> None:
    world = await zalo_world(ctx)
    backend, hoa = world.backend, world.hoa
    await backend.push_message(hoa, "baocao")
    pick = backend.pop_message()
    assert pick.buttons == []
    assert "\n1. NV-02 · " in pick.text and "\n2. NQ-01 · " in pick.text
    assert pick.text.endswith("(Trả lời bằng số từ 1 đến 3)")
    await backend.push_message(hoa, "2")
    progress = backend.pop_message()
    assert "NQ-01" in progress.text and "Gõ tiến độ mới bằng một số từ 0 đến 100" in progress.text
    assert "1." not in progress.text  # no numbered options: a number here is the percentage
    await backend.push_message(hoa, "5")
    note = backend.pop_message()
    assert note.text.startswith("Tiến độ 5%.") and "1. Bỏ qua" in note.text
    await backend.push_message(hoa, "Đã họp triển khai")
    advice = backend.pop_message()
    assert "1. Không có kiến nghị" in advice.text
    await backend.push_message(hoa, "1")
    file_step = backend.pop_message()
    assert "1. Bỏ qua" in file_step.text
    await backend.push_message(hoa, "1")
    confirm = backend.pop_message()
    assert "Tiến độ: 40% → 5%" in confirm.text and "1. Xác nhận\n2. Hủy" in confirm.text
    await backend.push_message(hoa, "1")
    assert backend.pop_text().startswith("Đã lưu báo cáo.")
    assert (await world.task("NQ-01")).progress == 5
    await backend.push_message(hoa, "1")  # no options any more: just a hint
    assert "Tôi chưa hiểu tin nhắn này." in backend.pop_text()


async def test_typed_percent_above_option_count(ctx: AppContext) -> None:
    world = await zalo_world(ctx)
    backend, hoa = world.backend, world.hoa
    await backend.push_message(hoa, "/baocao NQ-01")
    backend.pop_message()
    await backend.push_message(hoa, "60%")
    note = backend.pop_message()
    assert note.text.startswith("Tiến độ 60%.")
    await backend.push_message(hoa, "1")  # skip the note
    backend.pop_message()
    await backend.push_message(hoa, "1")  # no recommendation
    backend.pop_message()
    await backend.push_message(hoa, "2")  # not an option at the file step: asked again
    assert "Bước này chờ một tệp" in backend.pop_text()
    await backend.push_message(hoa, "1")
    backend.pop_message()
    await backend.push_message(hoa, "2")  # cancel
    assert backend.pop_text() == "Đã hủy, báo cáo không được lưu."
    assert (await world.task("NQ-01")).progress == 40


async def test_free_text_report_confirmed_with_a_number(ctx: AppContext) -> None:
    world = await zalo_world(ctx)
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    assert "1. Xác nhận" in backend.pop_text()
    await backend.push_message(world.hoa, "1")
    assert "Tiến độ: 40% → 80%" in backend.pop_text()


async def test_long_replies_are_split_for_zalo(ctx: AppContext) -> None:
    world = await zalo_world(ctx)
    backend = world.backend
    for n in range(40):
        await backend.push_message(world.hoa, f"/baocao NQ-01 {n} {'Nội dung báo cáo dài. ' * 4}")
        backend.pop_text()
    replies = await backend.push_message(world.hoa, "nhiemvu NQ-01")
    assert len(replies) > 1 and all(len(reply.text) <= 2000 for reply in replies)

"""/baocao: one-line reports, the guided flow by buttons, files, and free-text reports."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.messages import Attachment
from bot.models import AuditLog, Report
from tests.handlers.backend import button_data, labels
from tests.handlers.conftest import World

DRAFT = Attachment(
    kind="document",
    file_id="file-123",
    name="DuThao_KeHoach.pdf",
    mime="application/pdf",
    size=2048,
)


async def reports(world: World, code: str) -> list[Report]:
    task = await world.task(code)
    async with world.ctx.db.session() as session:
        return list(
            await session.scalars(
                select(Report).where(Report.task_id == task.id).order_by(Report.id)
            )
        )


async def test_one_line_report_is_saved_and_shown(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/baocao NQ-01 60 Đã trình dự thảo lên UBND")
    assert backend.pop_text() == (
        "Đã lưu báo cáo.\n"
        "Nhiệm vụ: NQ-01 — Triển khai thực hiện 45 nghị quyết của HĐND thành phố\n"
        "Tiến độ: 40% → 60%\n"
        "Nội dung: Đã trình dự thảo lên UBND\n"
        "Tình trạng: Đang thực hiện trong hạn — còn 5 ngày làm việc"
    )
    assert (await world.task("NQ-01")).progress == 60
    async with world.ctx.db.session() as session:
        audited = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "report.create")
        )
    assert audited == 1


async def test_one_line_accepts_percent_sign_and_english_alias(world: World) -> None:
    await world.backend.push_message(world.hoa, "/report nq-01 75% ok")
    assert "Tiến độ: 40% → 75%" in world.backend.pop_text()


async def test_report_then_tasks_then_leader_digest_count_it(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/baocao NV-02 100 Đã ban hành kế hoạch")
    text = backend.pop_text()
    assert "Tình trạng: Hoàn thành quá hạn — quá hạn 7 ngày" in text
    await backend.push_message(world.hoa, "/baocao NQ-01 60")
    backend.pop_text()
    await backend.push_message(world.hoa, "/nhiemvu")
    listing = backend.pop_text()
    assert "NQ-01" in listing and "— 60% (báo cáo gần nhất 08/12/2025)" in listing
    assert "NV-02" not in listing
    await backend.push_message(world.chau, "/tonghop")
    digest = backend.pop_text()
    assert "Toàn thành phố" in digest
    assert "NV-02" in digest  # completed since the last digest


async def test_out_of_range_and_missing_percent_get_clear_replies(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/baocao NQ-01 150 quá nhiều")
    assert backend.pop_text() == "Tiến độ phải từ 0 đến 100% (đồng chí nhập 150)."
    await backend.push_message(world.hoa, "/baocao NQ-01 gần xong")
    assert backend.pop_text() == (
        "Hãy ghi tiến độ sau mã nhiệm vụ, ví dụ: /baocao NQ-01 60 Đã trình dự thảo."
    )
    assert (await world.task("NQ-01")).progress == 40


async def test_done_task_cannot_roll_back(world: World) -> None:
    await world.backend.push_message(world.hoa, "/baocao NV-04 50 nhầm")
    assert "không thể hạ tiến độ xuống 50%" in world.backend.pop_text()


async def test_coordinating_unit_adds_a_note_not_progress(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.tuan, "/baocao NQ-01 Sở Xây dựng đã góp ý dự thảo")
    text = backend.pop_text()
    assert "Ý kiến của đơn vị phối hợp (không thay đổi tiến độ)" in text
    await backend.push_message(world.tuan, "/baocao NQ-01 80 xong")
    assert backend.pop_text() == (
        "Đơn vị phối hợp chỉ gửi ghi chú, không cập nhật tiến độ nhiệm vụ NQ-01."
    )
    assert (await world.task("NQ-01")).progress == 40
    assert [r.progress for r in await reports(world, "NQ-01")] == [None]


async def test_other_units_and_leaders_cannot_report(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.tuan, "/baocao NV-02 60")
    assert backend.pop_text() == "Nhiệm vụ NV-02 không thuộc đơn vị của đồng chí."
    await backend.push_message(world.chau, "/baocao NV-02 60")
    assert backend.pop_text() == "Xin lỗi, đồng chí không có quyền dùng lệnh này."
    await backend.push_button(world.chau, "rp:NV-02")
    assert "không báo cáo tiến độ" in backend.pop_text()
    await backend.push_message(world.chau, "NV-02 60% xong")
    assert "không báo cáo tiến độ" in backend.pop_text()
    assert await reports(world, "NV-02") == []


async def test_guided_flow_by_buttons(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/baocao")
    pick = backend.pop_message()
    assert pick.text.startswith("Chọn nhiệm vụ cần báo cáo")
    assert [label.split(" · ")[0] for label in labels(pick)] == ["NV-02", "NQ-01", "KH-DTC-2026"]
    await backend.push_button(world.hoa, button_data(pick, "NQ-01"))
    progress = backend.pop_message()
    assert "tiến độ hiện tại 40%" in progress.text
    assert labels(progress) == ["0%", "25%", "50%", "75%", "100%"]
    await backend.push_button(world.hoa, button_data(progress, "75%"))
    note = backend.pop_message()
    assert note.text.startswith("Tiến độ 75%.") and labels(note) == ["Bỏ qua"]
    await backend.push_message(world.hoa, "Đã hoàn thiện dự thảo, chờ thẩm định")
    advice = backend.pop_message()
    assert advice.text.startswith("Có vướng mắc, kiến nghị cần lãnh đạo cho ý kiến không?")
    assert labels(advice) == ["Không có kiến nghị"]
    await backend.push_button(world.hoa, button_data(advice, "Không có kiến nghị"))
    file_step = backend.pop_message()
    assert file_step.text.startswith("Gửi tệp sản phẩm")
    await backend.push_file(world.hoa, DRAFT)
    confirm = backend.pop_message()
    assert confirm.text == (
        "Xác nhận báo cáo:\n"
        "Nhiệm vụ: NQ-01 — Triển khai thực hiện 45 nghị quyết của HĐND thành phố\n"
        "Tiến độ: 40% → 75%\n"
        "Nội dung: Đã hoàn thiện dự thảo, chờ thẩm định\n"
        "Tệp đính kèm: DuThao_KeHoach.pdf"
    )
    assert labels(confirm) == ["Xác nhận", "Hủy"]
    assert (await world.task("NQ-01")).progress == 40  # nothing saved before confirming
    await backend.push_button(world.hoa, button_data(confirm, "Xác nhận"))
    saved = backend.pop_message()
    assert saved.text.startswith("Đã lưu báo cáo.") and saved.edit
    assert "Tệp đính kèm: DuThao_KeHoach.pdf" in saved.text
    assert (await world.task("NQ-01")).progress == 75
    assert await backend.state(world.hoa) is None
    await backend.push_message(world.hoa, "/nhiemvu NQ-01")
    assert "[tệp: DuThao_KeHoach.pdf]" in backend.pop_text()


async def test_guided_flow_typed_percent_and_skips(world: World) -> None:
    backend = world.backend
    await backend.push_button(world.hoa, "rp:NV-02")  # a reminder's button
    backend.pop_message()
    await backend.push_message(world.hoa, "abc")
    assert backend.pop_text().startswith("Tiến độ phải là một số nguyên từ 0 đến 100")
    await backend.push_message(world.hoa, "101")
    assert backend.pop_text() == "Tiến độ phải từ 0 đến 100% (đồng chí nhập 101)."
    await backend.push_message(world.hoa, "60 %")
    note = backend.pop_message()
    await backend.push_button(world.hoa, button_data(note, "Bỏ qua"))
    backend.pop_message()
    await backend.push_message(world.hoa, "Không")  # typed: no recommendation
    file_step = backend.pop_message()
    await backend.push_message(world.hoa, "không có tệp")
    again = backend.pop_message()
    assert again.text.startswith("Bước này chờ một tệp") and labels(again) == ["Bỏ qua"]
    await backend.push_button(world.hoa, button_data(file_step, "Bỏ qua"))
    confirm = backend.pop_message()
    assert "Tiến độ: 50% → 60%" in confirm.text and "Nội dung" not in confirm.text
    await backend.push_button(world.hoa, button_data(confirm, "Hủy"))
    assert backend.pop_text() == "Đã hủy, báo cáo không được lưu."
    assert (await world.task("NV-02")).progress == 50
    assert await reports(world, "NV-02") == []


async def test_stale_buttons_change_nothing(world: World) -> None:
    backend = world.backend
    await backend.push_button(world.hoa, "rp:NQ-01")
    old_progress = backend.pop_message()
    await backend.push_button(world.hoa, "rp:NQ-01")  # starts again: a new flow id
    backend.pop_message()
    await backend.push_button(world.hoa, button_data(old_progress, "100%"))
    assert backend.pop_text() == "Nút này đã cũ hoặc không còn hiệu lực. Vui lòng bắt đầu lại."
    await backend.push_button(world.hoa, "rpc:deadbeef:ok")
    assert "đã cũ" in backend.pop_text()
    await backend.push_button(world.hoa, "zz:1")
    assert "đã cũ" in backend.pop_text()
    assert (await world.task("NQ-01")).progress == 40


async def test_pressing_confirm_twice_saves_once(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    confirm = backend.pop_message()
    ok = button_data(confirm, "Xác nhận")
    await backend.push_button(world.hoa, ok)
    assert backend.pop_text().startswith("Đã lưu báo cáo.")
    await backend.push_button(world.hoa, ok)
    assert "đã cũ" in backend.pop_text()
    assert [r.progress for r in await reports(world, "NQ-01")] == [80]


async def test_free_text_report_is_offered_back(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    offer = backend.pop_message()
    assert offer.text.startswith("Xác nhận báo cáo:")
    assert "Tiến độ: 40% → 80%" in offer.text and "Nội dung: đã xong dự thảo" in offer.text
    await backend.push_message(world.hoa, "NQ-01 85% sửa lại")  # a corrected line replaces it
    corrected = backend.pop_message()
    assert "Tiến độ: 40% → 85%" in corrected.text
    await backend.push_button(world.hoa, button_data(corrected, "Xác nhận"))
    assert "Tiến độ: 40% → 85%" in backend.pop_text()
    assert [r.progress for r in await reports(world, "NQ-01")] == [85]


PENDING_NQ01 = (
    "Lưu ý: báo cáo đang chờ xác nhận dưới đây chưa được lưu; đồng chí gửi lại khi cần.\n"
    "Nhiệm vụ: NQ-01 — Triển khai thực hiện 45 nghị quyết của HĐND thành phố\n"
    "Tiến độ: 40% → 80%\n"
    "Nội dung: đã xong dự thảo"
)


async def test_a_command_while_a_report_waits_runs_and_says_the_report_was_not_saved(
    world: World,
) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    offer = backend.pop_message()

    await backend.push_message(world.hoa, "/nhiemvu")

    notice, tasks = backend.pop_message(), backend.pop_message()
    assert notice.text == PENDING_NQ01
    assert "NQ-01" in tasks.text and not tasks.text.startswith("Lưu ý")
    assert not backend.queue
    assert await backend.state(world.hoa) is None
    await backend.push_button(world.hoa, button_data(offer, "Xác nhận"))
    assert "đã cũ" in backend.pop_text()
    assert await reports(world, "NQ-01") == []


async def test_cancel_while_a_report_waits_names_what_was_dropped(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    backend.pop_message()
    await backend.push_message(world.hoa, "/huy")
    assert [backend.pop_message().text, backend.pop_message().text] == [
        PENDING_NQ01,
        "Đã hủy thao tác.",
    ]


async def test_a_refused_command_still_says_the_report_was_not_saved(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    backend.pop_message()
    await backend.push_message(world.hoa, "/giahan NQ-99 31/12/2026 thiếu số liệu")
    notice, refusal = backend.pop_message(), backend.pop_message()
    assert notice.text == PENDING_NQ01
    assert "NQ-99" in refusal.text


async def test_other_text_while_a_report_waits_gets_a_clear_prompt(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    backend.pop_message()

    await backend.push_message(world.hoa, "chào bot")

    prompt = backend.pop_message()
    assert prompt.text.startswith(
        "Báo cáo dưới đây vẫn chờ đồng chí xác nhận, nên tin nhắn vừa gửi chưa được dùng. "
        "Chọn Xác nhận để lưu hoặc Hủy để bỏ; đồng chí vẫn có thể gõ lệnh khác.\n"
        "Nhiệm vụ: NQ-01"
    )
    assert labels(prompt) == ["Xác nhận", "Hủy"]
    await backend.push_button(world.hoa, button_data(prompt, "Xác nhận"))
    assert backend.pop_text().startswith("Đã lưu báo cáo.")
    assert [r.progress for r in await reports(world, "NQ-01")] == [80]


async def test_a_report_on_another_task_replaces_the_waiting_one_with_a_word(
    world: World,
) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    backend.pop_message()
    await backend.push_message(world.hoa, "NV-02 60% đã họp")
    notice, offer = backend.pop_message(), backend.pop_message()
    assert notice.text == PENDING_NQ01
    assert offer.text.startswith("Xác nhận báo cáo:") and "NV-02" in offer.text


async def test_a_reminder_button_while_a_report_waits_says_it_was_not_saved(
    world: World,
) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "NQ-01 80% đã xong dự thảo")
    backend.pop_message()
    await backend.push_button(world.hoa, "rp:NV-02")
    notice, progress = backend.pop_message(), backend.pop_message()
    assert notice.text == PENDING_NQ01
    assert "NV-02" in progress.text


async def test_text_that_is_not_a_report_gets_a_hint(world: World) -> None:
    await world.backend.push_message(world.hoa, "chào bot")
    assert "ví dụ: NQ-01 60% Đã trình dự thảo" in world.backend.pop_text()  # her own task


async def test_free_text_with_unknown_code_suggests(world: World) -> None:
    await world.backend.push_message(world.hoa, "NQ-1 80% xong")
    assert world.backend.pop_text().startswith(
        "Không tìm thấy nhiệm vụ NQ-1. Có phải đồng chí muốn"
    )


async def test_file_with_caption_is_stored_with_the_report(world: World) -> None:
    backend = world.backend
    await backend.push_file(world.hoa, DRAFT, caption="/baocao NQ-01 90 Gửi dự thảo kế hoạch")
    assert "Tệp đính kèm: DuThao_KeHoach.pdf" in backend.pop_text()
    [report] = await reports(world, "NQ-01")
    async with world.ctx.db.session() as session:
        stored = await session.get(Report, report.id)
        assert stored is not None
        await session.refresh(stored, ["attachments"])
        [attachment] = stored.attachments
    assert (attachment.file_id, attachment.name, attachment.mime, attachment.size) == (
        "file-123",
        "DuThao_KeHoach.pdf",
        "application/pdf",
        2048,
    )


async def test_file_without_caption_outside_a_flow_gets_a_hint(world: World) -> None:
    await world.backend.push_file(world.hoa, DRAFT)
    assert "chưa biết thuộc nhiệm vụ nào" in world.backend.pop_text()


async def test_file_with_task_caption_starts_flow_without_asking_for_file(world: World) -> None:
    backend = world.backend
    photo = Attachment(kind="photo", file_id="photo-9", size=900)
    await backend.push_file(world.hoa, photo, caption="/baocao NQ-01")
    backend.pop_message()
    await backend.push_message(world.hoa, "70")
    backend.pop_message()
    await backend.push_message(world.hoa, "Ảnh chụp tờ trình")
    backend.pop_message()
    await backend.push_message(world.hoa, "không")  # no recommendation; the file is there
    confirm = backend.pop_message()
    assert "Tệp đính kèm: ảnh" in confirm.text
    await backend.push_button(world.hoa, button_data(confirm, "Xác nhận"))
    assert "Tiến độ: 40% → 70%" in backend.pop_text()


async def test_coordinator_flow_asks_for_a_note_only(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.tuan, "/baocao")
    pick = backend.pop_message()
    assert [label.split(" · ")[0] for label in labels(pick)] == ["NV-03", "NQ-01"]
    await backend.push_button(world.tuan, button_data(pick, "NQ-01"))
    note = backend.pop_message()
    assert "phối hợp" in note.text and labels(note) == []
    await backend.push_file(world.tuan, DRAFT, caption="Ý kiến góp ý của Sở Xây dựng")
    confirm = backend.pop_message()
    await backend.push_button(world.tuan, button_data(confirm, "Xác nhận"))
    assert "Ý kiến của đơn vị phối hợp" in backend.pop_text()
    assert [r.progress for r in await reports(world, "NQ-01")] == [None]


async def test_flow_survives_a_restart(world: World) -> None:
    backend = world.backend
    await backend.push_button(world.hoa, "rp:NQ-01")
    backend.pop_message()
    await backend.push_message(world.hoa, "65")
    note = backend.pop_message()
    backend.restart()
    await backend.push_button(world.hoa, button_data(note, "Bỏ qua"))
    backend.pop_message()
    backend.restart()
    await backend.push_message(world.hoa, "/start")  # a command in between leaves the flow…
    notice, linked = backend.pop_message(), backend.pop_message()
    assert notice.text == "Lưu ý: báo cáo nhiệm vụ NQ-01 đang làm dở chưa được lưu."
    assert linked.text.startswith("Tài khoản này đã được liên kết")
    await backend.push_button(world.hoa, "rp:NQ-01")  # …so start it again and finish
    backend.pop_message()
    await backend.push_message(world.hoa, "65")
    backend.restart()
    note = backend.pop_message()
    await backend.push_button(world.hoa, button_data(note, "Bỏ qua"))
    advice = backend.pop_message()
    backend.restart()
    await backend.push_button(world.hoa, button_data(advice, "Không có kiến nghị"))
    file_step = backend.pop_message()
    backend.restart()
    await backend.push_button(world.hoa, button_data(file_step, "Bỏ qua"))
    confirm = backend.pop_message()
    backend.restart()
    await backend.push_button(world.hoa, button_data(confirm, "Xác nhận"))
    assert "Tiến độ: 40% → 65%" in backend.pop_text()


async def test_redelivered_update_changes_nothing(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/baocao NQ-01 60 lần một", update_key="tg-777")
    assert backend.pop_text().startswith("Đã lưu báo cáo.")
    replies = await backend.push_message(world.hoa, "/baocao NQ-01 60 lần một", update_key="tg-777")
    assert replies == []
    assert [r.progress for r in await reports(world, "NQ-01")] == [60]


async def test_cancel_leaves_the_flow(world: World) -> None:
    backend = world.backend
    await backend.push_button(world.hoa, "rp:NQ-01")
    progress = backend.pop_message()
    await backend.push_message(world.hoa, "/huy")
    assert backend.pop_text() == "Đã hủy thao tác."
    await backend.push_button(world.hoa, button_data(progress, "50%"))
    assert "đã cũ" in backend.pop_text()


async def test_report_in_a_group_is_refused(world: World) -> None:
    from tests.handlers.backend import Group

    await world.backend.push_message(world.hoa, "/baocao NQ-01 60", group=Group("-100"))
    assert world.backend.pop_text() == "Lệnh /baocao chỉ dùng trong trò chuyện riêng với bot."


async def test_english_flow(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.mai, "/report NV-05")
    progress = backend.pop_message()
    assert progress.text.startswith("Task NV-05 — Chương trình phát triển y tế thành phố")
    await backend.push_button(world.mai, button_data(progress, "25%"))
    note = backend.pop_message()
    assert labels(note) == ["Skip"]
    await backend.push_message(world.mai, "Drafting the programme")
    advice = backend.pop_message()
    assert advice.text.startswith("Is there a difficulty or recommendation")
    await backend.push_button(world.mai, button_data(advice, "No recommendation"))
    file_step = backend.pop_message()
    await backend.push_button(world.mai, button_data(file_step, "Skip"))
    confirm = backend.pop_message()
    assert labels(confirm) == ["Confirm", "Cancel"]
    await backend.push_button(world.mai, button_data(confirm, "Confirm"))
    assert backend.pop_text() == (
        "Report saved.\n"
        "Task: NV-05 — Chương trình phát triển y tế thành phố\n"
        "Progress: 10% → 25%\n"
        "Note: Drafting the programme\n"
        "Status: Overdue — 18 days late"
    )


async def test_overlong_text_is_refused_and_nothing_saved(world: World) -> None:
    await world.backend.push_message(world.hoa, "NQ-01 60% " + "x" * 5000)
    assert world.backend.pop_text() == "Tin nhắn quá dài (tối đa 4096 ký tự). Vui lòng rút gọn."
    assert await world.backend.state(world.hoa) is None


async def test_admin_reports_on_any_task_by_typing_its_code(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.lan, "/baocao")
    assert backend.pop_text().startswith("Gõ mã nhiệm vụ cần báo cáo")
    await backend.push_message(world.lan, "NV-9")
    assert backend.pop_text().startswith("Không tìm thấy nhiệm vụ NV-9. Có phải đồng chí muốn")
    await backend.push_message(world.lan, "nv-05")
    assert "Nhiệm vụ NV-05" in backend.pop_text()
    await backend.push_message(world.lan, "30")
    backend.pop_message()
    await backend.push_message(world.lan, "Văn phòng cập nhật thay đơn vị")
    backend.pop_message()
    await backend.push_message(world.lan, "Không có")
    file_step = backend.pop_message()
    await backend.push_button(world.lan, button_data(file_step, "Bỏ qua"))
    confirm = backend.pop_message()
    await backend.push_button(world.lan, button_data(confirm, "Xác nhận"))
    assert "Tiến độ: 10% → 30%" in backend.pop_text()


async def test_unit_without_open_tasks(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.mai, "/done NV-05")
    backend.pop_text()
    await backend.push_message(world.mai, "/report")
    assert backend.pop_text() == "Your unit has no open tasks."

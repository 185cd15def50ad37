"""Officials report progress over Telegram: guided by buttons, in one line, with files,
and mark tasks done."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.exporting import TASKS_SHEET, build_status_workbook
from bot.models import Report, Task
from tests.channels.telegram.harness import STAFF, TelegramBot, World, press, say
from tests.fakes.telegram_api import FakeTelegramServer


async def _reports(ctx: AppContext, code: str) -> list[Report]:
    async with ctx.db.session() as session:
        return list(
            await session.scalars(
                select(Report)
                .join(Task)
                .where(Task.code == code)
                .options(selectinload(Report.attachments))
                .order_by(Report.id)
            )
        )


async def _progress(ctx: AppContext, code: str) -> int:
    async with ctx.db.session() as session:
        task = await session.scalar(select(Task).where(Task.code == code))
        assert task is not None
        return task.progress


async def test_guided_report_by_button_presses(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    [pick] = await say(server, STAFF, "/baocao")
    assert (pick.text or "").startswith("Chọn nhiệm vụ cần báo cáo")
    [progress] = await press(server, STAFF, pick, "NV-01")
    assert "Chọn tiến độ mới" in (progress.text or "")
    [note] = await press(server, STAFF, progress, "50%")
    assert note.is_edit and note.message_id == progress.message_id
    assert (note.text or "").startswith("Tiến độ 50%")
    [advice] = await say(server, STAFF, "Đã trình dự thảo lên UBND thành phố")
    assert (advice.text or "").startswith("Có vướng mắc, kiến nghị")
    [file_prompt] = await press(server, STAFF, advice, "Không có kiến nghị")
    assert (file_prompt.text or "").startswith("Gửi tệp sản phẩm")

    before = len(server.sent_messages(STAFF))
    server.push_document(STAFF, "du_thao_quy_hoach.pdf", "application/pdf", file_size=48213)
    [confirm] = (await server.wait_for_messages(STAFF, before + 1))[before:]
    assert (confirm.text or "").startswith("Xác nhận báo cáo:")
    assert "0% → 50%" in (confirm.text or "")
    assert "du_thao_quy_hoach.pdf" in (confirm.text or "")
    assert await _reports(tg_ctx, "NV-01") == [], "nothing is saved before the confirmation"

    [saved] = await press(server, STAFF, confirm, "Xác nhận")
    assert saved.is_edit and (saved.text or "").startswith("Đã lưu báo cáo.")
    [report] = await _reports(tg_ctx, "NV-01")
    assert report.progress == 50
    assert report.note == "Đã trình dự thảo lên UBND thành phố"
    assert report.channel == "telegram"
    [attachment] = report.attachments
    assert (attachment.name, attachment.mime, attachment.size) == (
        "du_thao_quy_hoach.pdf",
        "application/pdf",
        48213,
    )
    assert attachment.file_id and attachment.file_id.startswith("FAKEDOC")
    assert await _progress(tg_ctx, "NV-01") == 50

    [stale] = await press(server, STAFF, confirm, "Xác nhận")
    assert "Nút này đã cũ" in (stale.text or "")
    assert len(await _reports(tg_ctx, "NV-01")) == 1
    answered = {c["callback_query_id"] for c in server.calls_to("answerCallbackQuery")}
    assert len(answered) == 5, "every button press is answered"


async def test_one_line_report(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    [reply] = await say(server, STAFF, "/baocao NV-01 60% Đã trình dự thảo lên UBND")
    assert (reply.text or "").startswith("Đã lưu báo cáo.")
    assert "0% → 60%" in (reply.text or "")
    [report] = await _reports(tg_ctx, "NV-01")
    assert (report.progress, report.note) == (60, "Đã trình dự thảo lên UBND")


async def test_free_text_report_is_offered_back_to_confirm(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    [offer] = await say(server, STAFF, "NV-01 80% đã xong dự thảo")
    assert (offer.text or "").startswith("Xác nhận báo cáo:")
    [saved] = await press(server, STAFF, offer, "Xác nhận")
    assert (saved.text or "").startswith("Đã lưu báo cáo.")
    assert await _progress(tg_ctx, "NV-01") == 80


async def test_document_with_report_caption_is_stored_with_the_report(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    before = len(server.sent_messages(STAFF))
    server.push_document(
        STAFF,
        "to_trinh.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        content=b"PK\x03\x04 to trinh",
        caption="/baocao NV-01 90 Gửi tờ trình",
    )
    [reply] = (await server.wait_for_messages(STAFF, before + 1))[before:]
    assert (reply.text or "").startswith("Đã lưu báo cáo.")
    assert "to_trinh.docx" in (reply.text or "")
    [report] = await _reports(tg_ctx, "NV-01")
    assert (report.progress, report.note) == (90, "Gửi tờ trình")
    [attachment] = report.attachments
    assert attachment.name == "to_trinh.docx"
    assert attachment.size == len(b"PK\x03\x04 to trinh")


async def test_done_on_time(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    [reply] = await say(server, STAFF, "/xong NV-01 Đã ban hành quyết định")
    assert (reply.text or "").startswith("Hoàn thành đúng hạn (hạn 15/12/2025)")
    async with tg_ctx.db.session() as session:
        task = await session.scalar(select(Task).where(Task.code == "NV-01"))
        assert task is not None
        assert task.progress == 100
        assert task.completed_on == tg_ctx.today()
    [again] = await say(server, STAFF, "/xong NV-01")
    assert "NV-01" in (again.text or "")
    assert len(await _reports(tg_ctx, "NV-01")) == 1


async def test_control_characters_in_a_note_are_removed_and_the_export_still_works(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    [saved] = await say(server, STAFF, "/baocao NV-01 50 Đã\x01 trình\x1b dự thảo\r\nlần 2")
    assert (saved.text or "").startswith("Đã lưu báo cáo.")
    [report] = await _reports(tg_ctx, "NV-01")
    assert report.note == "Đã trình dự thảo\nlần 2"

    async with tg_ctx.db.session() as session:
        data = await build_status_workbook(session, tg_ctx)
    sheet = load_workbook(io.BytesIO(data))[TASKS_SHEET]
    notes = [row[13] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Đã trình dự thảo\nlần 2" in notes

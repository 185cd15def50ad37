"""Neutral replies become the right Bot API calls."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.channels.telegram.render import RenderError, as_new_message, render
from bot.messages import Button, Document, Reply


def test_text_with_buttons() -> None:
    reply = Reply(
        "Chọn tiến độ", buttons=[[Button("50%", "rpp:ab:50"), Button("100%", "rpp:ab:100")]]
    )
    [call] = render(reply, 1001)
    assert call.method == "send_message"
    assert call.kwargs["text"] == "Chọn tiến độ"
    markup = call.kwargs["reply_markup"]
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["rpp:ab:50", "rpp:ab:100"]
    ]


def test_edit_only_for_a_button_press_that_asks_for_it() -> None:
    [edit] = render(Reply("Đã lưu", edit=True), 1001, edit_message_id=9)
    assert edit.method == "edit_message_text"
    assert edit.kwargs["message_id"] == 9
    assert as_new_message(edit).method == "send_message"
    [plain] = render(Reply("Đã lưu"), 1001, edit_message_id=9)
    assert plain.method == "send_message"
    [no_origin] = render(Reply("Đã lưu", edit=True), 1001)
    assert no_origin.method == "send_message"


def test_callback_data_over_64_bytes_is_refused() -> None:
    with pytest.raises(RenderError, match="64"):
        render(Reply("x", buttons=[[Button("Dài", "rp:" + "Đ" * 40)]]), 1)


def test_document_from_bytes_with_caption() -> None:
    document = Document("bao_cao.xlsx", "application/vnd.ms-excel", content=b"PK\x03\x04")
    [call] = render(Reply("Báo cáo tuần", document=document), 1001)
    assert call.method == "send_document"
    upload = call.kwargs["document"]
    assert isinstance(upload, InputFile)
    assert upload.filename == "bao_cao.xlsx"
    assert upload.mimetype == "application/vnd.ms-excel"
    assert call.kwargs["caption"] == "Báo cáo tuần"


def test_long_text_with_a_photo_goes_first_as_its_own_message() -> None:
    photo = Document("chart.png", "image/png", file_id="PHOTO1")
    calls = render(Reply("x" * 2000, photo=photo), 1001)
    assert [c.method for c in calls] == ["send_message", "send_photo"]
    assert calls[1].kwargs["photo"] == "PHOTO1"
    assert calls[1].kwargs["caption"] is None


def test_contact_request_keyboard_and_its_removal() -> None:
    [ask] = render(Reply("Chia sẻ số?", request_contact="Chia sẻ số điện thoại"), 1001)
    markup = ask.kwargs["reply_markup"]
    assert isinstance(markup, ReplyKeyboardMarkup)
    [[button]] = markup.keyboard
    assert (button.text, button.request_contact) == ("Chia sẻ số điện thoại", True)
    assert markup.one_time_keyboard and markup.resize_keyboard
    [done] = render(Reply("Đã liên kết", remove_keyboard=True, edit=True), 1001, 9)
    assert done.method == "send_message", "a reply keyboard cannot be edited in"
    assert isinstance(done.kwargs["reply_markup"], ReplyKeyboardRemove)
    with pytest.raises(RenderError, match="inline buttons and a reply keyboard"):
        render(Reply("x", buttons=[[Button("A", "a")]], request_contact="Số"), 1)
    stored = Reply("x", request_contact="Số", remove_keyboard=False)
    assert Reply.from_dict(stored.to_dict()) == stored


def test_a_file_text_longer_than_a_message_goes_first_in_several_messages() -> None:
    document = Document("bao_cao.xlsx", "application/vnd.ms-excel", file_id="DOC1")
    text = "\n".join(f"Dòng {n}: " + "x" * 90 for n in range(60))  # about 6,000 characters
    calls = render(Reply(text, document=document), 1001)
    assert [c.method for c in calls] == ["send_message", "send_message", "send_document"]
    assert all(len(c.kwargs["text"]) <= 4096 for c in calls[:2])
    assert "\n".join(c.kwargs["text"] for c in calls[:2]) == text
    assert calls[2].kwargs["caption"] is None

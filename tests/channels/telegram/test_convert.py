"""Telegram updates become neutral incoming messages (and only what a person did)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import Update

from bot.channels.telegram.convert import to_incoming
from bot.messages import SharedContact

BOT = "dondoc_test_bot"
USER = {
    "id": 1001,
    "is_bot": False,
    "first_name": "Lan",
    "last_name": "Nguyễn",
    "language_code": "en",
}
PRIVATE = {"id": 1001, "type": "private", "first_name": "Lan"}
GROUP = {"id": -2001, "type": "supergroup", "title": "Sở Xây dựng"}


def _update(**fields: Any) -> Update:
    update = Update.de_json({"update_id": 77, **fields}, None)
    assert update is not None
    return update


def _message(chat: dict[str, Any] = PRIVATE, **fields: Any) -> dict[str, Any]:
    return {"message_id": 5, "date": 1765159200, "chat": chat, "from": USER, **fields}


def test_text_message() -> None:
    message = to_incoming(_update(message=_message(text="/baocao NV-01 60 Đã trình")), BOT)
    assert message is not None
    assert message.channel == "telegram"
    assert (message.user_id, message.chat_id, message.update_key) == ("1001", "1001", "77")
    assert message.text == "/baocao NV-01 60 Đã trình"
    assert message.chat_type == "private"
    assert message.language == "en"
    assert message.display_name == "Lan Nguyễn"
    assert message.sent_at == dt.datetime(2025, 12, 8, 2, 0, tzinfo=dt.UTC)


def test_group_and_supergroup_are_groups() -> None:
    for chat_type in ("group", "supergroup"):
        chat = {**GROUP, "type": chat_type}
        message = to_incoming(_update(message=_message(chat, text="/start ABCDE-FGHJK")), BOT)
        assert message is not None
        assert message.chat_type == "group"
        assert message.chat_id == "-2001"
        assert message.display_name == "Sở Xây dựng"


def test_commands_for_this_bot_pass_and_for_other_bots_are_ignored() -> None:
    ours = to_incoming(_update(message=_message(GROUP, text="/tonghop@Dondoc_Test_Bot")), BOT)
    assert ours is not None and ours.text == "/tonghop@Dondoc_Test_Bot"
    assert to_incoming(_update(message=_message(GROUP, text="/tonghop@other_bot")), BOT) is None


def test_document_with_caption() -> None:
    document = {
        "file_id": "DOC1",
        "file_unique_id": "U1",
        "file_name": "to_trinh.pdf",
        "mime_type": "application/pdf",
        "file_size": 2048,
    }
    message = to_incoming(
        _update(message=_message(document=document, caption="/baocao NV-01 100 Xong")), BOT
    )
    assert message is not None
    assert message.text == "/baocao NV-01 100 Xong"
    assert message.attachment is not None
    assert message.attachment.kind == "document"
    assert (message.attachment.file_id, message.attachment.name) == ("DOC1", "to_trinh.pdf")
    assert (message.attachment.mime, message.attachment.size) == ("application/pdf", 2048)


def test_photo_takes_the_largest_size() -> None:
    sizes = [
        {"file_id": "SMALL", "file_unique_id": "s", "width": 90, "height": 60, "file_size": 900},
        {"file_id": "BIG", "file_unique_id": "b", "width": 1280, "height": 960, "file_size": 9000},
    ]
    message = to_incoming(_update(message=_message(photo=sizes)), BOT)
    assert message is not None and message.attachment is not None
    assert message.text is None
    assert (message.attachment.kind, message.attachment.file_id) == ("photo", "BIG")
    assert message.attachment.mime == "image/jpeg"


def test_button_press() -> None:
    bot_message = {
        "message_id": 9,
        "date": 1765159200,
        "chat": PRIVATE,
        "text": "Chọn",
        "from": {"id": 1, "is_bot": True, "first_name": "Dondoc"},
    }
    query = {
        "id": "q1",
        "from": USER,
        "chat_instance": "1",
        "message": bot_message,
        "data": "rpp:ab12:50",
    }
    message = to_incoming(_update(callback_query=query), BOT)
    assert message is not None
    assert message.callback_data == "rpp:ab12:50"
    assert message.text is None
    assert message.origin_message_id == "9"
    assert message.chat_id == "1001"


def test_nothing_for_the_handlers() -> None:
    service = _message(new_chat_members=[USER])
    assert to_incoming(_update(message=service), BOT) is None
    assert to_incoming(_update(edited_message=_message(text="sửa")), BOT) is None
    channel_post = _message({"id": -1003, "type": "channel", "title": "Tin"}, text="x")
    assert to_incoming(_update(message=channel_post), BOT) is None
    from_bot = _message(text="hi", **{"from": {"id": 5, "is_bot": True, "first_name": "B"}})
    assert to_incoming(_update(message=from_bot), BOT) is None


def test_shared_contact_card() -> None:
    own = {"phone_number": "84912345678", "first_name": "Lan", "user_id": 1001}
    message = to_incoming(_update(message=_message(contact=own)), BOT)
    assert message is not None and message.text is None
    assert message.contact == SharedContact(phone="84912345678", user_id="1001")
    card = {"phone_number": "+84 987 654 321", "first_name": "Hùng"}
    other = to_incoming(_update(message=_message(contact=card)), BOT)
    assert other is not None
    assert other.contact == SharedContact(phone="+84 987 654 321", user_id=None)

"""Neutral :class:`bot.messages.Reply` → Bot API calls (sendMessage, editMessageText,
sendDocument, sendPhoto) with inline keyboards, or the one-time keyboard that asks for the
person's phone number (``Reply.request_contact``) and its removal (``Reply.remove_keyboard``).

Texts go out without ``parse_mode``: they carry what officials typed (``<``, ``*``…) and must
arrive exactly as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.channels.core.delivery import RenderError
from bot.messages import Button, Document, Reply, fit_caption

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64

ReplyKeyboard = ReplyKeyboardMarkup | ReplyKeyboardRemove
Markup = InlineKeyboardMarkup | ReplyKeyboard
Method = Literal["send_message", "edit_message_text", "send_document", "send_photo"]


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call: the ``telegram.Bot`` method name and its keyword arguments."""

    method: Method
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def is_edit(self) -> bool:
        return self.method == "edit_message_text"


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard, or None without buttons; button data is checked against 64 bytes."""
    if not rows:
        return None
    for row in rows:
        for button in row:
            size = len(button.data.encode())
            if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                raise RenderError(
                    f"button {button.label!r}: callback data is {size} bytes "
                    f"(Telegram allows 1–{MAX_CALLBACK_DATA_BYTES}): {button.data!r}"
                )
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )


def reply_markup(reply: Reply) -> Markup | None:
    """The inline keyboard of ``reply``'s buttons, or the keyboard a reply without buttons
    asks for: a one-time "share my phone number" button, or the removal of that keyboard."""
    if reply.request_contact is None and not reply.remove_keyboard:
        return keyboard(reply.buttons)
    if reply.buttons:
        raise RenderError("a reply cannot carry inline buttons and a reply keyboard at once")
    if reply.request_contact is not None:
        button = KeyboardButton(reply.request_contact, request_contact=True)
        return ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True)
    return ReplyKeyboardRemove()


def render(reply: Reply, chat_id: int | str, edit_message_id: int | None = None) -> list[ApiCall]:
    """The calls that show ``reply`` in ``chat_id``.

    With ``edit_message_id`` (a button press answered with ``Reply.edit``) a text reply edits
    that message; files always go out as new messages. A file whose text does not fit a
    caption is preceded by the text as its own message.
    """
    markup = reply_markup(reply)
    attached = reply.document or reply.photo
    if attached is None:
        if edit_message_id is not None and reply.edit and not isinstance(markup, ReplyKeyboard):
            return [
                ApiCall(
                    "edit_message_text",
                    {
                        "chat_id": chat_id,
                        "message_id": edit_message_id,
                        "text": reply.text,
                        "reply_markup": markup,
                    },
                )
            ]
        return [text_call(chat_id, reply.text, markup)]
    before, caption = fit_caption(reply.text or attached.caption, MAX_CAPTION, MAX_TEXT)
    calls = [text_call(chat_id, part, None) for part in before]
    method: Method = "send_document" if reply.document is not None else "send_photo"
    target = "document" if reply.document is not None else "photo"
    calls.append(
        ApiCall(
            method,
            {
                "chat_id": chat_id,
                target: _file(attached),
                "caption": caption or None,
                "reply_markup": markup,
            },
        )
    )
    return calls


def text_call(chat_id: int | str, text: str, markup: Markup | None) -> ApiCall:
    return ApiCall("send_message", {"chat_id": chat_id, "text": text, "reply_markup": markup})


def as_new_message(call: ApiCall) -> ApiCall:
    """The sendMessage that replaces an edit Telegram refused."""
    kwargs = call.kwargs
    return text_call(kwargs["chat_id"], kwargs["text"], kwargs.get("reply_markup"))


def _file(document: Document) -> InputFile | str:
    if document.content is not None:
        upload = InputFile(document.content, filename=document.name, attach=True)
        if document.mime:
            upload.mimetype = document.mime
        return upload
    if document.file_id:
        return document.file_id
    raise RenderError(f"document {document.name!r} has neither content nor a file id")

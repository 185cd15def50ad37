"""Channel-neutral messages: what handlers receive and what every channel renders.

An adapter turns a Telegram/Zalo/web event into an :class:`IncomingMessage`, passes it to the
handlers, and renders each :class:`Reply`: Telegram as inline keyboards, Zalo as numbered
options, the web chat as real buttons. Replies are plain data so they can wait in the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group"]


@dataclass(frozen=True)
class Attachment:
    """A file the user sent (document or photo): a channel file id or a URL."""

    kind: Literal["document", "photo"]
    file_id: str | None = None
    url: str | None = None
    name: str | None = None
    mime: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class SharedContact:
    """A contact card a person shared: its phone number and, when the card is a chat account
    of the same channel, that account's user id (equal to the sender's for their own)."""

    phone: str
    user_id: str | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """One thing a person did in a chat: text, a button press, or a file (with caption)."""

    channel: str
    user_id: str
    chat_id: str
    update_key: str
    """Unique per channel; a redelivered update carries the same key and changes nothing."""
    text: str | None = None
    callback_data: str | None = None
    attachment: Attachment | None = None
    contact: SharedContact | None = None
    chat_type: ChatType = "private"
    display_name: str | None = None
    language: str | None = None
    sent_at: dt.datetime | None = None
    origin_message_id: str | None = None
    """For button presses: the message carrying the button (lets adapters edit it)."""


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Document:
    """A file to send: bytes made on the fly (Excel report) or a stored channel file id."""

    name: str
    mime: str
    content: bytes | None = None
    file_id: str | None = None
    caption: str | None = None


@dataclass
class Reply:
    """A message to show. ``buttons`` are rows of buttons; ``edit`` replaces the message that
    carried the pressed button instead of sending a new one, where the channel can.

    ``request_contact`` is the label of a button that shares the person's own phone number
    (Telegram's contact request keyboard); channels without one ignore it, so handlers only
    set it where :attr:`bot.channel_traits.ChannelTraits.contact_request` says it exists.
    ``remove_keyboard`` takes such a keyboard away again."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    document: Document | None = None
    photo: Document | None = None
    edit: bool = False
    request_contact: str | None = None
    remove_keyboard: bool = False
    secrets: tuple[str, ...] = ()
    """Values in ``text`` a kept copy must not show (a login link's token, a link code): a
    channel that stores a history stores the text with them masked. Never part of
    :meth:`to_dict`, so no stored payload carries them."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (file contents as hex), read back by :meth:`from_dict`.
        Written out field by field: ``dataclasses.asdict`` costs more than rendering a
        reminder, and the planner serialises thousands of them a morning."""
        return {
            "text": self.text,
            "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in self.buttons],
            "document": _document_dict(self.document),
            "photo": _document_dict(self.photo),
            "edit": self.edit,
            "request_contact": self.request_contact,
            "remove_keyboard": self.remove_keyboard,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        def _doc(item: dict[str, Any] | None) -> Document | None:
            if not item:
                return None
            content = item.get("content")
            return Document(**{**item, "content": bytes.fromhex(content) if content else None})

        return cls(
            text=data["text"],
            buttons=[[Button(**b) for b in row] for row in data.get("buttons", [])],
            document=_doc(data.get("document")),
            photo=_doc(data.get("photo")),
            edit=data.get("edit", False),
            request_contact=data.get("request_contact"),
            remove_keyboard=data.get("remove_keyboard", False),
        )


def _document_dict(document: Document | None) -> dict[str, Any] | None:
    if document is None:
        return None
    data = asdict(document)
    if document.content is not None:
        data["content"] = document.content.hex()
    return data


def button_options(buttons: list[list[Button]]) -> list[Button]:
    """Buttons in reading order; channels without buttons number them 1, 2, 3…"""
    return [button for row in buttons for button in row]


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, on line boundaries.

    A text that fits is returned as it is. Otherwise lines are packed greedily, a line longer
    than ``limit`` is cut hard, and the newlines at split points are dropped, so no part starts
    or ends with a blank line. Only newlines are ever dropped and no part is empty; a long text
    of nothing but newlines gives its first ``limit`` characters.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return [text]
    parts: list[str] = []

    def flush(part: str) -> None:
        if part := part.strip("\n"):
            parts.append(part)

    current: str | None = None  # None: nothing collected yet ("" is an empty line)
    for line in text.split("\n"):
        if current is not None and len(current) + 1 + len(line) <= limit:
            current = f"{current}\n{line}"
            continue
        if current is not None:
            flush(current)
        while len(line) > limit:
            flush(line[:limit])
            line = line[limit:]
        current = line
    flush(current or "")
    return parts or [text[:limit]]


def fit_caption(text: str | None, caption_limit: int, text_limit: int) -> tuple[list[str], str]:
    """A file's text fitted to a channel: ``([], text)`` when it fits the caption, otherwise
    the text as messages to send before the file (split at ``text_limit``) and no caption
    (``""``). No text gives ``([], "")``."""
    if not text:
        return [], ""
    if len(text) <= caption_limit:
        return [], text
    return split_text(text, text_limit), ""

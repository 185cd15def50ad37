"""Zalo updates → neutral :class:`bot.messages.IncomingMessage`.

What a person does in a private chat reaches the handlers: a text (commands work with or
without the leading slash, see ``bot.channel_traits.ZALO``) or an image, whose URL becomes a
photo attachment and whose caption is the text. Everything else is answered politely here,
without touching the database:

- stickers and unsupported content (voice, files…): a short note that Dondoc reads text and
  images;
- group chats: Dondoc serves private chats only on Zalo (Zalo bots in groups are still in
  internal testing). A group message that looks like a command (it starts with ``/``) gets a
  note saying so; other group chatter is ignored, so the bot never spams a group;
- messages from bots are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.channel_traits import ZALO
from bot.channels.zalo.client import ZaloMessage, ZaloUpdate
from bot.i18n import Catalog
from bot.messages import Attachment, IncomingMessage
from bot.text_cleaning import clean_text

CHANNEL = ZALO.name
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
GROUP_CHAT_TYPES = frozenset({"GROUP"})

TEXTS = Catalog("zalo.convert")


@dataclass(frozen=True)
class Courtesy:
    """An update the handlers do not see, answered with ``TEXTS[key]`` in ``chat_id``."""

    chat_id: str
    key: Literal["zalo.unsupported", "zalo.group"]


def update_key(update: ZaloUpdate) -> str:
    """The dedupe key: Zalo has no update ids, and a redelivered event repeats its event name
    and message id (``ZaloUpdate.dedup_key``)."""
    return update.dedup_key


def is_group(message: ZaloMessage) -> bool:
    return message.chat_type.upper() in GROUP_CHAT_TYPES


def to_incoming(update: ZaloUpdate) -> IncomingMessage | Courtesy | None:
    """The neutral message for ``update``; a :class:`Courtesy` for content the handlers cannot
    use; None when nothing should happen (bots, group chatter)."""
    message = update.message
    if message.is_bot:
        return None
    if is_group(message):
        text = (message.text or message.caption or "").lstrip()
        return Courtesy(message.chat_id, "zalo.group") if text.startswith("/") else None
    if update.event_name == TEXT_EVENT and message.text is not None:
        return _incoming(update, text=message.text, attachment=None)
    if update.event_name == IMAGE_EVENT and message.photo_url:
        attachment = Attachment(kind="photo", url=message.photo_url)
        return _incoming(update, text=message.caption, attachment=attachment)
    return Courtesy(message.chat_id, "zalo.unsupported")


def _incoming(
    update: ZaloUpdate, *, text: str | None, attachment: Attachment | None
) -> IncomingMessage:
    message = update.message
    return IncomingMessage(
        channel=CHANNEL,
        user_id=message.from_id,
        chat_id=message.chat_id,
        update_key=update_key(update),
        text=None if text is None else clean_text(text),
        attachment=attachment,
        chat_type="private",
        display_name=None if message.display_name is None else clean_text(message.display_name),
        sent_at=message.date,
    )

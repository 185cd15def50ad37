"""Telegram updates → neutral :class:`bot.messages.IncomingMessage`.

Only what a person does reaches the handlers: a text or command, a button press, a document
or photo (its caption is the text), a shared contact card. Service messages, edits, channel
posts and commands addressed to another bot are ignored (``None``).
"""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Message, Update, User

from bot.messages import Attachment, ChatType, IncomingMessage, SharedContact
from bot.text_cleaning import clean_text

CHANNEL = "telegram"
PHOTO_MIME = "image/jpeg"
"""Telegram re-encodes every photo as JPEG."""


def update_key(update: Update) -> str:
    """The dedupe key: Telegram keeps ``update_id`` when it delivers an update again,
    in polling and webhook mode alike."""
    return str(update.update_id)


def to_incoming(update: Update, bot_username: str | None) -> IncomingMessage | None:
    """The neutral message for ``update``, or None when there is nothing for the handlers."""
    if update.callback_query is not None:
        return _from_callback(update, update.callback_query)
    if update.message is not None:
        return _from_message(update, update.message, bot_username)
    return None


def chat_type(chat: Chat) -> ChatType | None:
    """``private`` or ``group`` (groups and supergroups); None for channels."""
    if chat.type == Chat.PRIVATE:
        return "private"
    if chat.type in (Chat.GROUP, Chat.SUPERGROUP):
        return "group"
    return None


def _from_message(
    update: Update, message: Message, bot_username: str | None
) -> IncomingMessage | None:
    user = message.from_user
    kind = chat_type(message.chat)
    if user is None or user.is_bot or kind is None:
        return None
    text = _cleaned(message.text if message.text is not None else message.caption)
    attachment = _attachment(message)
    contact = _contact(message)
    if text is None and attachment is None and contact is None:
        return None
    if text is not None and _addressed_elsewhere(text, bot_username):
        return None
    return IncomingMessage(
        channel=CHANNEL,
        user_id=str(user.id),
        chat_id=str(message.chat.id),
        update_key=update_key(update),
        text=text,
        attachment=attachment,
        contact=contact,
        chat_type=kind,
        display_name=_display_name(user, message.chat),
        language=user.language_code,
        sent_at=message.date,
    )


def _from_callback(update: Update, query: CallbackQuery) -> IncomingMessage | None:
    origin = query.message
    if origin is None or query.data is None:
        return None
    kind = chat_type(origin.chat)
    if kind is None:
        return None
    user = query.from_user
    return IncomingMessage(
        channel=CHANNEL,
        user_id=str(user.id),
        chat_id=str(origin.chat.id),
        update_key=update_key(update),
        callback_data=clean_text(query.data),
        chat_type=kind,
        display_name=_display_name(user, origin.chat),
        language=user.language_code,
        origin_message_id=str(origin.message_id),
    )


def _attachment(message: Message) -> Attachment | None:
    if message.document is not None:
        document = message.document
        return Attachment(
            kind="document",
            file_id=document.file_id,
            name=_cleaned(document.file_name),
            mime=document.mime_type,
            size=document.file_size,
        )
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size))
        return Attachment(
            kind="photo", file_id=largest.file_id, mime=PHOTO_MIME, size=largest.file_size
        )
    return None


def _contact(message: Message) -> SharedContact | None:
    """The shared contact card; ``user_id`` is set only when the card is a Telegram account
    (the person's own, from the contact request button, carries their id)."""
    contact = message.contact
    if contact is None:
        return None
    user_id = str(contact.user_id) if contact.user_id is not None else None
    return SharedContact(phone=clean_text(contact.phone_number), user_id=user_id)


def _cleaned(text: str | None) -> str | None:
    """Text as a person typed it, without the control characters no document can hold."""
    return None if text is None else clean_text(text)


def _addressed_elsewhere(text: str, bot_username: str | None) -> bool:
    """``/cmd@otherbot``: a command meant for another bot in the same group."""
    if not text.startswith("/"):
        return False
    head = text.split(maxsplit=1)[0]
    if "@" not in head:
        return False
    target = head.split("@", 1)[1]
    return bot_username is None or target.lower() != bot_username.lower()


def _display_name(user: User, chat: Chat) -> str:
    """The person's name; in a group, the group's title (used when binding it to a unit)."""
    if chat.type != Chat.PRIVATE and chat.title:
        return clean_text(chat.title)
    return clean_text(user.full_name)

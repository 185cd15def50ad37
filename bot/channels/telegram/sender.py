"""The Telegram calls behind the shared reply delivery and outbox sender
(:mod:`bot.channels.core.delivery`): python-telegram-bot errors become typed send errors, and
an edit Telegram refuses (unchanged, too old) becomes a new message.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from typing import Any

from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channel_traits import TELEGRAM, ChannelTraits
from bot.channels.core.delivery import OutboxSender
from bot.channels.telegram.render import ApiCall, as_new_message, render
from bot.messages import Reply
from bot.sending import (
    SendAmbiguous,
    SendBlocked,
    SendError,
    SendRateLimited,
    SendRejected,
    SendTemporaryError,
)

log = logging.getLogger(__name__)


def chat_ref(chat_id: str) -> int | str:
    """Telegram chat ids are integers; ``@username`` of a public chat stays a string."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


def retry_after_seconds(error: RetryAfter) -> float:
    """``RetryAfter.retry_after`` in seconds (PTB 22 returns int or timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def call_api(bot: Bot, call: ApiCall) -> Any:
    """Make one Bot API call."""
    method = getattr(bot, call.method)
    return await method(**call.kwargs)


def send_error(error: TelegramError) -> SendError:
    """The typed send error for a python-telegram-bot exception."""
    if isinstance(error, Forbidden):
        return SendBlocked(str(error))
    if isinstance(error, RetryAfter):
        return SendRateLimited(retry_after_seconds(error), str(error))
    if isinstance(error, TimedOut):
        return SendAmbiguous(str(error))
    if isinstance(error, BadRequest | ChatMigrated):
        return SendRejected(str(error))
    return SendTemporaryError(str(error))


def _is_unchanged_or_uneditable(error: BadRequest) -> bool:
    text = error.message.lower()
    return any(
        part in text
        for part in ("message is not modified", "can't be edited", "message to edit not found")
    )


class TelegramApi:
    """Telegram as a :class:`bot.channels.core.delivery.ChannelApi`."""

    traits: ChannelTraits = TELEGRAM
    resend_ambiguous = True
    """A timeout is retried: a double answer is better than none."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def render(self, reply: Reply, chat_id: str, edit_of: str | None) -> list[ApiCall]:
        return render(reply, chat_ref(chat_id), int(edit_of) if edit_of else None)

    async def call(self, chat_id: str, call: ApiCall) -> str | None:
        try:
            sent = await call_api(self.bot, call)
        except BadRequest as exc:
            if call.is_edit and _is_unchanged_or_uneditable(exc):
                return await self.call(chat_id, as_new_message(call))
            raise send_error(exc) from exc
        except TelegramError as exc:
            raise send_error(exc) from exc
        return str(sent.message_id) if isinstance(sent, Message) else None


class TelegramSender(OutboxSender[ApiCall]):
    """The outbox dispatcher's way to Telegram: one attempt per call, typed errors."""

    def __init__(self, bot: Bot) -> None:
        super().__init__(TelegramApi(bot))

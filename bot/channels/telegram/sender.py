"""Sending neutral replies through python-telegram-bot.

Two callers with different needs:

* :class:`TelegramSender` is the :class:`bot.sending.ChannelSender` of the scheduler's
  outbox dispatcher: one attempt, every failure mapped to a typed send error so the
  dispatcher decides about retries and deactivation.
* :class:`ReplyDelivery` answers a person right after their update was committed: it retries
  429 (after ``retry_after``) and network errors (with backoff) itself, marks the chat inactive
  on 403, and never raises — the bot keeps running whatever Telegram answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Sequence
from typing import Any

from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channel_traits import TELEGRAM, ChannelTraits
from bot.channels.core.retry import RetryPolicy
from bot.channels.telegram.convert import CHANNEL
from bot.channels.telegram.render import ApiCall, RenderError, as_new_message, render
from bot.context import AppContext
from bot.messages import Reply
from bot.sending import (
    SendAmbiguous,
    SendBlocked,
    SendError,
    SendRateLimited,
    SendRejected,
    SendResult,
    SendTemporaryError,
)
from bot.services.identities import deactivate_chat

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


class TelegramSender:
    """The outbox dispatcher's way to Telegram: one attempt per call, typed errors."""

    traits: ChannelTraits = TELEGRAM

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult:
        """Send every reply in order; the result carries the last message's id."""
        last: Message | None = None
        try:
            for reply in replies:
                for call in render(reply, chat_ref(chat_id)):
                    last = await call_api(self.bot, call)
        except RenderError as exc:
            raise SendRejected(str(exc)) from exc
        except TelegramError as exc:
            raise send_error(exc) from exc
        return SendResult(message_id=str(last.message_id) if last is not None else None)


class ReplyDelivery:
    """Answers people after their update was committed (see the module docstring)."""

    def __init__(self, bot: Bot, ctx: AppContext, retry: RetryPolicy | None = None) -> None:
        self.bot = bot
        self.ctx = ctx
        self.retry = retry or RetryPolicy()

    async def deliver(
        self, chat_id: str, replies: Sequence[Reply], origin_message_id: str | None = None
    ) -> bool:
        """Send ``replies`` to ``chat_id`` in order. False if the chat blocked the bot."""
        edit_id = int(origin_message_id) if origin_message_id else None
        for reply in replies:
            try:
                calls = render(reply, chat_ref(chat_id), edit_id)
            except RenderError:
                log.exception("cannot render a reply for telegram chat %s", chat_id)
                continue
            for call in calls:
                try:
                    await self._call(call)
                except Forbidden as exc:
                    await self._deactivate(chat_id, str(exc))
                    return False
                except TelegramError as exc:
                    log.error("giving up a reply to telegram chat %s: %s", chat_id, exc)
        return True

    async def _call(self, call: ApiCall) -> Any:
        """One call with retries; an edit Telegram refuses becomes a new message."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call_api(self.bot, call)
            except Forbidden:
                raise
            except BadRequest as exc:
                if call.is_edit and _is_unchanged_or_uneditable(exc):
                    call = as_new_message(call)
                    attempt = 0
                    continue
                raise
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if attempt >= self.retry.attempts or wait > self.retry.max_retry_after:
                    raise
                log.warning("telegram asks to wait %.0f s before %s", wait, call.method)
                await asyncio.sleep(wait)
            except NetworkError as exc:
                if attempt >= self.retry.attempts:
                    raise
                delay = self.retry.delay(attempt)
                log.warning("telegram %s failed (%s); retrying in %.1f s", call.method, exc, delay)
                await asyncio.sleep(delay)

    async def _deactivate(self, chat_id: str, why: str) -> None:
        log.warning("telegram chat %s refused messages (%s): marking it inactive", chat_id, why)
        try:
            async with self.ctx.db.session() as session:
                await deactivate_chat(session, self.ctx, CHANNEL, chat_id, reason="blocked")
        except Exception:
            log.exception("could not mark telegram chat %s inactive", chat_id)

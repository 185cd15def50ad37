"""Handling one Telegram update end to end: convert, dispatch (commit), answer.

:meth:`UpdateProcessor.process` returns only after the update's effects are committed and
its replies were handed to Telegram; it raises when the dispatcher could not commit (a
database error), so polling and webhook do not acknowledge the update and it comes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.channel_traits import TELEGRAM
from bot.channels.core.delivery import ReplyDelivery
from bot.channels.telegram.convert import to_incoming
from bot.channels.telegram.render import ApiCall
from handlers import Dispatcher

log = logging.getLogger(__name__)


class UpdateProcessor:
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        delivery: ReplyDelivery[ApiCall],
        bot_username: str | None,
        *,
        handle_concurrency: int | None = None,
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.delivery = delivery
        self.bot_username = bot_username
        self._handle_slots = asyncio.Semaphore(handle_concurrency) if handle_concurrency else None
        """SQLite has one writer: transactions are run one at a time there, while replies of
        earlier updates are still being sent."""

    async def process(self, update: Update) -> None:
        """Dispatch and answer one update; raises if its effects could not be committed."""
        message = to_incoming(update, self.bot_username)
        if message is None:
            return
        if self._handle_slots is None:
            replies = await self.dispatcher.handle(message, TELEGRAM)
        else:
            async with self._handle_slots:
                replies = await self.dispatcher.handle(message, TELEGRAM)
        if update.callback_query is not None:
            await self._answer_button(update.callback_query.id)
        if replies:
            await self.delivery.deliver(message.chat_id, replies, message.origin_message_id)

    async def _answer_button(self, query_id: str) -> None:
        """Stop the button's spinner; a query that is too old is of no concern."""
        with contextlib.suppress(TelegramError):
            await self.bot.answer_callback_query(query_id)

"""The Telegram channel as a component of the running bot.

``start()``: build the python-telegram-bot ``Bot`` against ``DONDOC_TELEGRAM_API_URL`` (with
``AIORateLimiter`` unless ``DONDOC_TELEGRAM_RATE_LIMITER`` is off), check the token with
getMe (a refused token is one clear line and the channel stays off; an unreachable Bot API
makes it keep connecting in the background, see :mod:`bot.channels.core.reconnect`), publish
the command menu in Vietnamese and English, then either poll (deleting any webhook) or set
the webhook to ``<--webhook-url>/telegram/webhook``; finally register the outbox sender in
the ``senders`` registry it was given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeDefault,
)
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.channels.core.component import ChannelComponent, ChannelWiring
from bot.channels.core.delivery import ReplyDelivery
from bot.channels.core.ordering import ChatOrder
from bot.channels.core.reconnect import ChannelRefused, ChannelUnreachable, Sleep
from bot.channels.core.retry import RetryPolicy
from bot.channels.core.webhook import Webhook, webhook_endpoint
from bot.channels.telegram.convert import CHANNEL
from bot.channels.telegram.polling import ALLOWED_UPDATES, UpdatePoller, chat_key
from bot.channels.telegram.process import UpdateProcessor
from bot.channels.telegram.sender import TelegramApi, TelegramSender
from bot.channels.telegram.webhook import SECRET_RE, WEBHOOK_PATH, webhook_secret, webhook_spec
from bot.lifecycle import StartupError
from config import Settings

log = logging.getLogger(__name__)

SEND_POOL_SIZE = 64
STOP_GRACE_SECONDS = 10.0


def file_url(settings: Settings) -> str:
    """Where files are downloaded: ``DONDOC_TELEGRAM_FILE_URL``, else next to the API URL."""
    if settings.telegram_file_url:
        return settings.telegram_file_url
    api = settings.telegram_api_url
    if api.endswith("/bot"):
        return api[: -len("/bot")] + "/file/bot"
    return api.rstrip("/") + "/file/bot"


def build_bot(settings: Settings, poll_timeout: float) -> Bot:
    """A python-telegram-bot ``ExtBot`` for the configured Bot API server."""
    if not settings.telegram_token:
        raise StartupError("DONDOC_TELEGRAM_TOKEN is not set")
    limits = settings.rate_limits
    rate_limiter = (
        AIORateLimiter(
            overall_max_rate=limits.telegram_global_per_second,
            group_max_rate=limits.telegram_per_group_per_minute,
            max_retries=2,
        )
        if settings.telegram_rate_limiter
        else None
    )
    return ExtBot(
        settings.telegram_token,
        base_url=settings.telegram_api_url,
        base_file_url=file_url(settings),
        request=HTTPXRequest(connection_pool_size=SEND_POOL_SIZE, pool_timeout=10.0),
        get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=poll_timeout),
        rate_limiter=rate_limiter,
    )


def command_menu(lang: str) -> list[BotCommand]:
    from handlers.commands import menu

    return [BotCommand(name, description) for name, description in menu(lang)]


class TelegramChannel(ChannelComponent):
    """Component ``telegram``: polling or webhook, plus the outbox sender."""

    name = CHANNEL

    def __init__(
        self,
        wiring: ChannelWiring,
        *,
        concurrency: int = 32,
        retry: RetryPolicy | None = None,
        poll_timeout: float = 25.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``concurrency``: updates in flight at once (the composition root chooses it for
        the database)."""
        super().__init__(wiring, retry=retry, sleep=sleep)
        self.settings = self.ctx.settings
        self.poll_timeout = poll_timeout
        self.concurrency = concurrency
        self.bot = build_bot(self.settings, poll_timeout)
        self.poller: UpdatePoller | None = None
        self._polling: asyncio.Task[None] | None = None
        if self.webhook_url:
            assert self.settings.telegram_token
            secret = webhook_secret(
                self.settings.telegram_token, self.settings.telegram_webhook_secret
            )
            self.webhook = Webhook(webhook_spec(self.bot), secret)
            self.webhook.register(wiring.routes)

    async def _go_live(self) -> None:
        """Everything from getMe to the registered sender. A network error, 5xx or 429 on
        the way is :class:`ChannelUnreachable` (worth another try)."""
        try:
            await self._go_live_or_fail()
        except ChannelRefused:
            await self._close_requests()
            raise
        except (NetworkError, RetryAfter) as exc:
            await self._close_requests()
            raise ChannelUnreachable(
                f"cannot reach the Telegram Bot API at {self.settings.telegram_api_url}: {exc}"
            ) from exc

    async def _go_live_or_fail(self) -> None:
        await self._connect()
        await self._warm_up()
        processor = UpdateProcessor(
            self.bot,
            self.dispatcher,
            ReplyDelivery(TelegramApi(self.bot), self.ctx, self.retry),
            self.bot.username,
            handle_concurrency=self.turn_concurrency,
        )
        await self._publish_commands()
        if self.webhook is not None:
            await self._set_webhook(processor)
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)
            self.poller = UpdatePoller(
                self.bot,
                processor.process,
                poll_timeout=self.poll_timeout,
                concurrency=self.concurrency,
                retry=self.retry,
            )
            self._polling = asyncio.create_task(self.poller.run(), name="telegram-polling")
            log.info("telegram: polling as @%s", self.bot.username)
        self._live(TelegramSender(self.bot))

    async def _shut_down(self) -> None:
        """Finish in-flight updates (acknowledging them), then close the connection."""
        if self.poller is not None and self._polling is not None:
            await self.poller.stop()
            try:
                await asyncio.wait_for(self._polling, STOP_GRACE_SECONDS)
            except TimeoutError:
                log.warning("telegram: in-flight updates did not finish; they will come again")
            self._polling = None
        with contextlib.suppress(TelegramError):
            await self.bot.shutdown()

    async def _close_requests(self) -> None:
        """Close the HTTP connections of a start that did not get through."""
        with contextlib.suppress(TelegramError):
            await self.bot.shutdown()

    async def _connect(self) -> None:
        """getMe: a refused token is :class:`ChannelRefused` (network errors are the
        caller's)."""
        try:
            await self.bot.initialize()
        except InvalidToken as exc:
            raise ChannelRefused(
                "Telegram refused DONDOC_TELEGRAM_TOKEN (invalid or revoked token): "
                "check it with @BotFather"
            ) from exc
        expected = self.settings.telegram_bot_username
        if expected and expected.lstrip("@").lower() != (self.bot.username or "").lower():
            log.warning(
                "telegram: DONDOC_TELEGRAM_BOT_USERNAME is %s but the token belongs to @%s",
                expected,
                self.bot.username,
            )

    async def _warm_up(self) -> None:
        """Open a database connection and load this year's holidays before the first update
        arrives, so that the first person does not wait for them."""
        ctx = self.ctx
        ctx.calendar.is_working_day(ctx.today())
        async with ctx.db.session() as session:
            await session.execute(text("SELECT 1"))

    async def _publish_commands(self) -> None:
        """The command menu: Vietnamese by default, English for English-language clients."""
        try:
            for lang_code, lang in (("", "vi"), ("vi", "vi"), ("en", "en")):
                for scope in (BotCommandScopeDefault(), BotCommandScopeAllGroupChats()):
                    await self.bot.set_my_commands(
                        command_menu(lang), scope=scope, language_code=lang_code or None
                    )
        except TelegramError as exc:
            log.warning("telegram: could not publish the command menu: %s", exc)

    async def _set_webhook(self, processor: UpdateProcessor) -> None:
        assert self.webhook is not None and self.webhook_url is not None
        secret = self.webhook.secret
        if not SECRET_RE.fullmatch(secret):
            raise StartupError(
                "DONDOC_TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - "
                "(1 to 256 characters)"
            )
        order = ChatOrder()
        self.webhook.attach(
            lambda update: order.submit(chat_key(update), lambda: processor.process(update))
        )
        url = webhook_endpoint(self.webhook_url, WEBHOOK_PATH)
        try:
            await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        except TelegramError as exc:
            raise StartupError(f"Telegram refused the webhook {url}: {exc}") from exc
        log.info("telegram: webhook set to %s as @%s", url, self.bot.username)

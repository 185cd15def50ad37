"""The Telegram channel as a component of the running bot.

``start()``: build the python-telegram-bot ``Bot`` against ``DONDOC_TELEGRAM_API_URL`` (with
``AIORateLimiter`` unless ``DONDOC_TELEGRAM_RATE_LIMITER`` is off), check the token with
getMe (a refused token is one clear line and the channel stays off; an unreachable Bot API
makes it keep connecting in the background, see :mod:`bot.channels.reconnect`), publish
the command menu in Vietnamese and English, then either poll (deleting any webhook) or set
the webhook to ``<--webhook-url>/telegram/webhook``; finally register the outbox sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from sqlalchemy import text
from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeDefault
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.app import StartupError
from bot.channels.base import RetryPolicy
from bot.channels.reconnect import ChannelConnector, ChannelRefused, ChannelUnreachable, Sleep
from bot.channels.telegram.convert import CHANNEL
from bot.channels.telegram.polling import ALLOWED_UPDATES, UpdatePoller
from bot.channels.telegram.process import UpdateProcessor
from bot.channels.telegram.sender import ReplyDelivery, TelegramSender
from bot.channels.telegram.webhook import (
    SECRET_RE,
    WEBHOOK_PATH,
    TelegramWebhook,
    webhook_endpoint,
    webhook_secret,
)
from config import Settings

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)

SEND_POOL_SIZE = 64
STOP_GRACE_SECONDS = 10.0
SQLITE_CONCURRENCY = 4
"""Updates in flight at once on SQLite. Its write transactions run one at a time anyway (a
chat turn takes the write lock first, see bot/db.py), so more in flight only means more
replies on their way: a few overlap the Bot API round trips of replies with the next turn;
more only add bookkeeping."""
POSTGRES_CONCURRENCY = 32


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


class TelegramChannel:
    """Component ``telegram``: polling or webhook, plus the outbox sender."""

    name = CHANNEL

    def __init__(
        self,
        runtime: Runtime,
        *,
        retry: RetryPolicy | None = None,
        poll_timeout: float = 25.0,
        concurrency: int | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.runtime = runtime
        self.settings = runtime.ctx.settings
        self.retry = retry or RetryPolicy()
        self.poll_timeout = poll_timeout
        self.concurrency = concurrency or (
            SQLITE_CONCURRENCY if runtime.ctx.db.is_sqlite else POSTGRES_CONCURRENCY
        )
        self.bot = build_bot(self.settings, poll_timeout)
        self.webhook_url = runtime.options.webhook_url
        self.webhook: TelegramWebhook | None = None
        self.poller: UpdatePoller | None = None
        self._polling: asyncio.Task[None] | None = None
        self.connector = ChannelConnector(runtime, CHANNEL, self._go_live, self.retry, sleep=sleep)
        if self.webhook_url:
            # Routes must exist before the web server starts.
            assert self.settings.telegram_token
            secret = webhook_secret(
                self.settings.telegram_token, self.settings.telegram_webhook_secret
            )
            self.webhook = TelegramWebhook(secret)
            runtime.web_app.router.add_post(WEBHOOK_PATH, self.webhook.handle)

    async def start(self) -> None:
        await self.connector.start()

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
        ctx = self.runtime.ctx
        await self._warm_up()
        processor = UpdateProcessor(
            self.bot,
            self.runtime.dispatcher,
            ReplyDelivery(self.bot, ctx, self.retry),
            self.bot.username,
            handle_concurrency=1 if ctx.db.is_sqlite else None,
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
        self.runtime.senders[CHANNEL] = TelegramSender(self.bot)

    async def stop(self) -> None:
        """Finish in-flight updates (acknowledging them), then close the connection.

        The webhook stays set: other instances behind the same URL keep serving it.
        """
        await self.connector.stop()
        self.runtime.senders.pop(CHANNEL, None)
        if self.webhook is not None:
            self.webhook.detach()
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
        ctx = self.runtime.ctx
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
        secret = self.webhook.secret.decode()
        if not SECRET_RE.fullmatch(secret):
            raise StartupError(
                "DONDOC_TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - "
                "(1 to 256 characters)"
            )
        self.webhook.attach(self.bot, processor)
        url = webhook_endpoint(self.webhook_url)
        try:
            await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        except TelegramError as exc:
            raise StartupError(f"Telegram refused the webhook {url}: {exc}") from exc
        log.info("telegram: webhook set to %s as @%s", url, self.bot.username)

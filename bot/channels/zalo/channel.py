"""The Zalo channel as a component of the running bot.

Construction registers the routes on the bot's one web server (they must exist before it
starts): ``GET /media/<name>`` (photos Zalo fetches by URL) and, in webhook mode,
``POST /zalo/webhook``. ``start()`` checks the token with getMe (a refused token is one
clear line and the channel stays off; the token itself never appears in logs or messages;
an unreachable Bot API makes it keep connecting in the background, see
:mod:`bot.channels.core.reconnect`), then either polls (after deleteWebhook: polling and a
webhook exclude each other) or sets the webhook to ``<--webhook-url>/zalo/webhook`` with
``DONDOC_ZALO_WEBHOOK_SECRET``; finally it registers the outbox sender in the ``senders``
registry it was given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.channels.core.component import ChannelComponent, ChannelWiring
from bot.channels.core.delivery import ReplyDelivery
from bot.channels.core.reconnect import ChannelRefused, ChannelUnreachable, Sleep
from bot.channels.core.retry import RetryPolicy
from bot.channels.core.webhook import Webhook, webhook_endpoint
from bot.channels.zalo.client import (
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloServerError,
    ZaloUnauthorized,
)
from bot.channels.zalo.convert import CHANNEL
from bot.channels.zalo.media import MediaRoute
from bot.channels.zalo.polling import ZaloPoller
from bot.channels.zalo.process import UpdateProcessor
from bot.channels.zalo.render import ZaloRenderer
from bot.channels.zalo.sender import ZaloApi, ZaloSender
from bot.channels.zalo.webhook import SPEC, WEBHOOK_PATH, secret_problem
from bot.lifecycle import StartupError

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 10.0


class ZaloChannel(ChannelComponent):
    """Component ``zalo``: polling or webhook, plus the outbox sender."""

    name = CHANNEL

    def __init__(
        self,
        wiring: ChannelWiring,
        *,
        retry: RetryPolicy | None = None,
        poll_timeout: int = 30,
        concurrency: int = 16,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        settings = wiring.ctx.settings
        if not settings.zalo_token:
            raise StartupError("DONDOC_ZALO_TOKEN is not set")
        super().__init__(wiring, retry=retry, sleep=sleep)
        self.poll_timeout = poll_timeout
        self.concurrency = concurrency
        if self.webhook_url:
            problem = secret_problem(settings.zalo_webhook_secret)
            if problem is not None:
                raise StartupError(problem)
            assert settings.zalo_webhook_secret is not None
            self.webhook = Webhook(SPEC, settings.zalo_webhook_secret)
            self.webhook.register(wiring.routes)
        MediaRoute(self.ctx).register(wiring.routes)
        self.client: ZaloClient | None = None
        self.processor: UpdateProcessor | None = None
        self.poller: ZaloPoller | None = None
        self._polling: asyncio.Task[None] | None = None

    async def _go_live(self) -> None:
        """Everything from getMe to the registered sender; a network error, 5xx or 429 on
        the way is :class:`ChannelUnreachable` (worth another try)."""
        try:
            await self._go_live_or_fail()
        except (ZaloNetworkError, ZaloServerError, ZaloRateLimited) as exc:
            api_url = self.ctx.settings.zalo_api_url
            raise ChannelUnreachable(f"cannot reach the Zalo Bot API at {api_url}: {exc}") from exc

    async def _go_live_or_fail(self) -> None:
        settings = self.ctx.settings
        assert settings.zalo_token is not None
        # Retries belong to the callers (polling loop, reply delivery, outbox dispatcher),
        # which know whether a second try is safe and can stop waiting on shutdown.
        client = ZaloClient(
            settings.zalo_token,
            base_url=settings.zalo_api_url,
            timeout=REQUEST_TIMEOUT_SECONDS,
            max_retries=0,
        )
        self.client = client
        try:
            await self._connect(client)
            renderer = ZaloRenderer(self.ctx)
            delivery = ReplyDelivery(ZaloApi(client, renderer), self.ctx, self.retry)
            self.processor = UpdateProcessor(
                self.ctx,
                self.dispatcher,
                delivery,
                retry=self.retry,
                concurrency=self.concurrency,
                turn_concurrency=self.turn_concurrency,
            )
            if self.webhook is not None:
                await self._set_webhook(client, self.processor)
            else:
                await self._start_polling(client, self.processor)
        except BaseException:
            await self._close_client()
            raise
        self._live(ZaloSender(client, renderer))

    async def _shut_down(self) -> None:
        """Stop taking updates, let in-flight ones finish, close the connection."""
        if self.poller is not None and self._polling is not None:
            await self.poller.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        if self.processor is not None:
            await self.processor.stop(STOP_GRACE_SECONDS)
        await self._close_client()

    async def _close_client(self) -> None:
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def _connect(self, client: ZaloClient) -> None:
        """getMe: a refused token or another final answer is :class:`ChannelRefused`
        (network errors and 5xx are the caller's)."""
        api_url = self.ctx.settings.zalo_api_url
        try:
            me = await client.get_me()
        except ZaloUnauthorized as exc:
            raise ChannelRefused(
                "Zalo refused DONDOC_ZALO_TOKEN (invalid or revoked token): copy the token "
                "again from Zalo Bot Creator"
            ) from exc
        except (ZaloNetworkError, ZaloServerError, ZaloRateLimited):
            raise
        except ZaloError as exc:
            raise ChannelRefused(
                f"the Zalo Bot API at {api_url} answered getMe with: {exc}"
            ) from exc
        log.info("zalo: connected as %s (bot id %s)", me.account_name or "?", me.id)

    async def _start_polling(self, client: ZaloClient, processor: UpdateProcessor) -> None:
        try:
            await client.delete_webhook()
        except (ZaloNetworkError, ZaloServerError, ZaloRateLimited):
            raise
        except ZaloError as exc:
            raise StartupError(f"Zalo refused deleteWebhook before polling: {exc}") from exc
        self.poller = ZaloPoller(
            client, processor, poll_timeout=self.poll_timeout, retry=self.retry
        )
        self._polling = asyncio.create_task(self.poller.run(), name="zalo-polling")
        log.info("zalo: polling for updates")

    async def _set_webhook(self, client: ZaloClient, processor: UpdateProcessor) -> None:
        assert self.webhook is not None and self.webhook_url is not None
        url = webhook_endpoint(self.webhook_url, WEBHOOK_PATH)
        if not url.startswith("https://"):
            raise StartupError(f"--webhook-url must be an HTTPS URL for Zalo (got {url})")
        self.webhook.attach(processor.process_now)
        try:
            await client.set_webhook(url, self.webhook.secret)
        except (ZaloNetworkError, ZaloServerError, ZaloRateLimited):
            raise
        except ZaloError as exc:
            raise StartupError(f"Zalo refused the webhook {url}: {exc}") from exc
        log.info("zalo: webhook set to %s", url)

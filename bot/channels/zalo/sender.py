"""Sending neutral replies to Zalo.

Two callers with different needs, as on Telegram:

* :class:`ZaloSender` is the :class:`bot.sending.ChannelSender` of the scheduler's outbox
  dispatcher: one attempt per call (the client is built without retries), every failure mapped
  to a typed send error so that the dispatcher decides about retries, pacing and deactivation.
* :class:`ReplyDelivery` answers a person right after their update was committed: it retries
  429 (after ``retry_after``), 5xx and connection failures itself, marks the chat inactive on
  403, and never raises. A timeout after the request left is not retried: the answer most
  likely arrived, and the person can ask again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.channel_traits import ZALO, ChannelTraits
from bot.channels.core.retry import RetryPolicy
from bot.channels.zalo.client import (
    ZaloBadRequest,
    ZaloClient,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloNotFound,
    ZaloRateLimited,
    ZaloSentMessage,
    ZaloServerError,
)
from bot.channels.zalo.convert import CHANNEL
from bot.channels.zalo.render import ZaloCall, ZaloRenderer
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

DEFAULT_RETRY_AFTER = 5.0
"""Seconds to wait after a 429 that does not say how long."""

Sleep = Callable[[float], Awaitable[None]]


def send_error(error: ZaloError) -> SendError:
    """The typed send error for a Zalo client error."""
    if isinstance(error, ZaloForbidden):
        return SendBlocked(str(error))
    if isinstance(error, ZaloBadRequest | ZaloNotFound):
        return SendRejected(str(error))
    if isinstance(error, ZaloRateLimited):
        return SendRateLimited(error.retry_after or DEFAULT_RETRY_AFTER, str(error))
    if isinstance(error, ZaloNetworkError) and error.ambiguous:
        return SendAmbiguous(str(error))
    # 5xx, connection failures, a refused token (the operator must fix it; retry meanwhile)
    # and answers that make no sense.
    return SendTemporaryError(str(error))


async def call_api(client: ZaloClient, chat_id: str, call: ZaloCall) -> ZaloSentMessage:
    """Make one call: sendPhoto for a photo, sendMessage otherwise."""
    if call.photo_url is not None:
        return await client.send_photo(chat_id, call.photo_url, call.caption)
    assert call.text is not None
    return await client.send_message(chat_id, call.text)


class ZaloSender:
    """The outbox dispatcher's way to Zalo: one attempt per call, typed errors."""

    traits: ChannelTraits = ZALO

    def __init__(self, client: ZaloClient, renderer: ZaloRenderer) -> None:
        self.client = client
        self.renderer = renderer

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult:
        """Send every reply in order; the result carries the last message's id.

        ``is_group`` cannot be true for Zalo (no group bindings exist there); it is accepted
        for the protocol's sake.
        """
        last: ZaloSentMessage | None = None
        try:
            for reply in replies:
                for call in await self.renderer.render(reply, chat_id):
                    last = await call_api(self.client, chat_id, call)
        except ValueError as exc:  # the client refused the call before sending it
            raise SendRejected(str(exc)) from exc
        except ZaloError as exc:
            raise send_error(exc) from exc
        return SendResult(message_id=last.message_id if last is not None else None)


class ReplyDelivery:
    """Answers people after their update was committed (see the module docstring)."""

    def __init__(
        self,
        client: ZaloClient,
        renderer: ZaloRenderer,
        ctx: AppContext,
        retry: RetryPolicy | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.renderer = renderer
        self.ctx = ctx
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    async def deliver(self, chat_id: str, replies: Sequence[Reply]) -> bool:
        """Send ``replies`` to ``chat_id`` in order. False if the chat blocked the bot."""
        for reply in replies:
            try:
                calls = await self.renderer.render(reply, chat_id)
            except Exception:
                log.exception("cannot render a reply for zalo chat %s", chat_id)
                continue
            for call in calls:
                try:
                    await self._call(chat_id, call)
                except ZaloForbidden as exc:
                    await self._deactivate(chat_id, str(exc))
                    return False
                except (ZaloError, ValueError) as exc:
                    log.error("giving up a reply to zalo chat %s: %s", chat_id, exc)
        return True

    async def _call(self, chat_id: str, call: ZaloCall) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                await call_api(self.client, chat_id, call)
                return
            except ZaloRateLimited as exc:
                wait = exc.retry_after or self.retry.delay(attempt)
                if attempt >= self.retry.attempts or wait > self.retry.max_retry_after:
                    raise
                log.warning("zalo asks to wait %.0f s before answering chat %s", wait, chat_id)
                await self._sleep(wait)
            except (ZaloServerError, ZaloNetworkError) as exc:
                ambiguous = isinstance(exc, ZaloNetworkError) and exc.ambiguous
                if ambiguous or attempt >= self.retry.attempts:
                    raise
                delay = self.retry.delay(attempt)
                log.warning(
                    "zalo answer to chat %s failed (%s); retry in %.1f s", chat_id, exc, delay
                )
                await self._sleep(delay)

    async def _deactivate(self, chat_id: str, why: str) -> None:
        log.warning("zalo chat %s refused messages (%s): marking it inactive", chat_id, why)
        try:
            async with self.ctx.db.session() as session:
                await deactivate_chat(session, self.ctx, CHANNEL, chat_id, reason="blocked")
        except Exception:
            log.exception("could not mark zalo chat %s inactive", chat_id)

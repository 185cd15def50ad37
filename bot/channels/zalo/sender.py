"""The Zalo calls behind the shared reply delivery and outbox sender
(:mod:`bot.channels.core.delivery`). The client is built without retries: the callers decide.
A timeout after the request left is not resent when answering a person: the answer most
likely arrived, and the person can ask again.
"""

from __future__ import annotations

import logging

from bot.channel_traits import ZALO, ChannelTraits
from bot.channels.core.delivery import OutboxSender
from bot.channels.zalo.client import (
    ZaloBadRequest,
    ZaloClient,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloNotFound,
    ZaloRateLimited,
    ZaloSentMessage,
)
from bot.channels.zalo.render import ZaloCall, ZaloRenderer
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

DEFAULT_RETRY_AFTER = 5.0
"""Seconds to wait after a 429 that does not say how long."""


def send_error(error: ZaloError) -> SendError:
    """The typed send error for a Zalo client error."""
    if isinstance(error, ZaloForbidden):
        return SendBlocked(str(error))
    if isinstance(error, ZaloBadRequest | ZaloNotFound):
        return SendRejected(str(error))
    if isinstance(error, ZaloRateLimited):
        wait = error.retry_after or DEFAULT_RETRY_AFTER
        return SendRateLimited(wait, str(error), stated=bool(error.retry_after))
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


class ZaloApi:
    """Zalo as a :class:`bot.channels.core.delivery.ChannelApi`."""

    traits: ChannelTraits = ZALO
    resend_ambiguous = False

    def __init__(self, client: ZaloClient, renderer: ZaloRenderer) -> None:
        self.client = client
        self.renderer = renderer

    async def render(self, reply: Reply, chat_id: str, edit_of: str | None) -> list[ZaloCall]:
        """Zalo cannot edit: ``edit_of`` is ignored and the reply is a new message."""
        return await self.renderer.render(reply, chat_id)

    async def call(self, chat_id: str, call: ZaloCall) -> str | None:
        try:
            sent = await call_api(self.client, chat_id, call)
        except ValueError as exc:  # the client refused the call before sending it
            raise SendRejected(str(exc)) from exc
        except ZaloError as exc:
            raise send_error(exc) from exc
        return sent.message_id


class ZaloSender(OutboxSender[ZaloCall]):
    """The outbox dispatcher's way to Zalo: one attempt per call, typed errors. There are no
    group bindings on Zalo, so ``is_group`` is never true."""

    def __init__(self, client: ZaloClient, renderer: ZaloRenderer) -> None:
        super().__init__(ZaloApi(client, renderer))

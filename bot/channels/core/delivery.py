"""Sending neutral replies through a channel's API, for the two callers every channel has:

* :class:`OutboxSender` is the :class:`bot.sending.ChannelSender` of the scheduler's outbox
  dispatcher: one attempt per call, every failure a typed send error, so that the dispatcher
  decides about retries, pacing and deactivation;
* :class:`ReplyDelivery` answers a person right after their update was committed: it retries
  429 (after the wait the channel asks for) and temporary failures (with backoff) itself, marks
  the chat inactive when it blocked the bot, and never raises — the bot keeps running whatever
  the platform answers.

A channel supplies a :class:`ChannelApi`: how a reply becomes calls and how one call is made
(its failures raised as the typed errors of :mod:`bot.sending`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

from bot.channel_traits import ChannelTraits
from bot.channels.core.retry import RetryPolicy
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

C = TypeVar("C")
Sleep = Callable[[float], Awaitable[None]]


class RenderError(ValueError):
    """A reply the channel would refuse (e.g. button data too long): a bug in a handler."""


class ChannelApi(Protocol[C]):
    """A channel's calls: what one reply becomes and how one call is made."""

    traits: ChannelTraits
    resend_ambiguous: bool
    """Whether a call that may have arrived (a timeout after it left) is tried again."""

    async def render(self, reply: Reply, chat_id: str, edit_of: str | None) -> list[C]:
        """The calls that show ``reply``; ``edit_of`` is the message a pressed button was on
        (None: never edit). Raises :class:`RenderError`."""
        ...

    async def call(self, chat_id: str, call: C) -> str | None:
        """Make one call; the sent message's id. Raises :class:`bot.sending.SendError`."""
        ...


class OutboxSender(Generic[C]):
    """The outbox dispatcher's way to a channel (see the module docstring)."""

    def __init__(self, api: ChannelApi[C]) -> None:
        self.api = api
        self.traits = api.traits

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult:
        """Send every reply in order; the result carries the last message's id."""
        last: str | None = None
        for reply in replies:
            try:
                calls = await self.api.render(reply, chat_id, None)
            except RenderError as exc:
                raise SendRejected(str(exc)) from exc
            for call in calls:
                last = await self.api.call(chat_id, call)
        return SendResult(message_id=last)


class ReplyDelivery(Generic[C]):
    """Answers people after their update was committed (see the module docstring)."""

    def __init__(
        self,
        api: ChannelApi[C],
        ctx: AppContext,
        retry: RetryPolicy | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.api = api
        self.ctx = ctx
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.channel = api.traits.name

    async def deliver(
        self, chat_id: str, replies: Sequence[Reply], origin_message_id: str | None = None
    ) -> bool:
        """Send ``replies`` to ``chat_id`` in order. False if the chat blocked the bot."""
        for reply in replies:
            try:
                calls = await self.api.render(reply, chat_id, origin_message_id)
            except Exception:
                log.exception("cannot render a reply for %s chat %s", self.channel, chat_id)
                continue
            for call in calls:
                try:
                    await self._call(chat_id, call)
                except SendBlocked as exc:
                    await self._deactivate(chat_id, str(exc))
                    return False
                except SendError as exc:
                    log.error("giving up a reply to %s chat %s: %s", self.channel, chat_id, exc)
        return True

    async def _call(self, chat_id: str, call: C) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.api.call(chat_id, call)
                return
            except SendRateLimited as exc:
                wait = exc.retry_after if exc.stated else self.retry.delay(attempt)
                if attempt >= self.retry.attempts or wait > self.retry.max_retry_after:
                    raise
                log.warning(
                    "%s asks to wait %.0f s before answering chat %s", self.channel, wait, chat_id
                )
                await self._sleep(wait)
            except (SendTemporaryError, SendAmbiguous) as exc:
                ambiguous = isinstance(exc, SendAmbiguous) and not self.api.resend_ambiguous
                if ambiguous or attempt >= self.retry.attempts:
                    raise
                delay = self.retry.delay(attempt)
                log.warning(
                    "%s answer to chat %s failed (%s); retrying in %.1f s",
                    self.channel,
                    chat_id,
                    exc,
                    delay,
                )
                await self._sleep(delay)

    async def _deactivate(self, chat_id: str, why: str) -> None:
        log.warning(
            "%s chat %s refused messages (%s): marking it inactive", self.channel, chat_id, why
        )
        try:
            async with self.ctx.db.session() as session:
                await deactivate_chat(session, self.ctx, self.channel, chat_id, reason="blocked")
        except Exception:
            log.exception("could not mark %s chat %s inactive", self.channel, chat_id)

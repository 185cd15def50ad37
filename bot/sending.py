"""The sending contract between the outbox dispatcher (``scheduler/``) and the channel
adapters: :class:`ChannelSender` and the typed errors it raises.

Each adapter registers its sender in the :data:`Senders` registry the composition root
(:mod:`bot.app`) shares with the scheduler, once the channel is live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.channel_traits import ChannelTraits
from bot.messages import Reply


class SendError(Exception):
    """Base of send failures. ``retryable`` says whether the dispatcher should try again."""

    retryable = False


class SendBlocked(SendError):
    """The person blocked the bot or left (Telegram 403): deactivate the identity."""


class SendRejected(SendError):
    """The channel refused this message for good (400: bad chat id, text too long…)."""


class SendRateLimited(SendError):
    """429: wait ``retry_after`` seconds, then try again. ``stated`` is false when the channel
    did not say how long (``retry_after`` is then the adapter's default)."""

    retryable = True

    def __init__(
        self, retry_after: float, message: str = "rate limited", *, stated: bool = True
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.stated = stated


class SendTemporaryError(SendError):
    """5xx or a network error before the request was delivered: retry with backoff."""

    retryable = True


class SendAmbiguous(SendError):
    """A timeout after the request left: it may have been delivered. Retried (a missed
    reminder is worse than a double one) and counted."""

    retryable = True


@dataclass(frozen=True)
class SendResult:
    message_id: str | None


class ChannelSender(Protocol):
    """The sending half of an adapter, used by the outbox dispatcher."""

    traits: ChannelTraits

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult: ...


Senders = dict[str, ChannelSender]
"""Channel name → sender of every channel that is live."""

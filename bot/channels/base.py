"""What every channel adapter offers the rest of the system.

Incoming: an adapter builds :class:`bot.messages.IncomingMessage` objects and passes them to
``handlers.Dispatcher.handle(message, traits)``. Outgoing: the scheduler's dispatcher calls
:meth:`ChannelSender.send` and reacts to the typed errors below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from bot.messages import Reply


@dataclass(frozen=True)
class ChannelTraits:
    """What a channel can show; handlers adapt their replies to it."""

    name: str
    buttons: bool
    """Inline buttons exist. Without them, options become a numbered list ("trả lời 1, 2, 3")."""
    bare_commands: bool
    """Commands are recognised without the leading slash (Zalo has no native commands)."""
    max_text: int
    """Longest text one message may carry."""
    contact_request: bool = False
    """A button can ask for the person's own phone number (phone-number registration)."""


TELEGRAM = ChannelTraits(
    name="telegram", buttons=True, bare_commands=False, max_text=4096, contact_request=True
)
ZALO = ChannelTraits(name="zalo", buttons=False, bare_commands=True, max_text=2000)
WEB = ChannelTraits(name="web", buttons=True, bare_commands=True, max_text=8000)
TRAITS = {traits.name: traits for traits in (TELEGRAM, ZALO, WEB)}


class SendError(Exception):
    """Base of send failures. ``retryable`` says whether the dispatcher should try again."""

    retryable = False


class SendBlocked(SendError):
    """The person blocked the bot or left (Telegram 403): deactivate the identity."""


class SendRejected(SendError):
    """The channel refused this message for good (400: bad chat id, text too long…)."""


class SendRateLimited(SendError):
    """429: wait ``retry_after`` seconds, then try again."""

    retryable = True

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SendTemporaryError(SendError):
    """5xx or a network error before the request was delivered: retry with backoff."""

    retryable = True


class SendAmbiguous(SendError):
    """A timeout after the request left: it may have been delivered. Retried (a missed
    reminder is worse than a double one) and counted."""

    retryable = True


def is_transient(error: BaseException) -> bool:
    """Errors worth retrying an incoming update for as long as it takes: the database or
    network is away. Integrity and data errors come from the update itself (or a bug) and
    would fail the same way every time. A missing table (migrations not run) is worth
    waiting for."""
    if isinstance(error, IntegrityError | DataError):
        return False
    return isinstance(error, SQLAlchemyError | OSError | TimeoutError)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard an answer (or a poll) is tried before it is given up (logged)."""

    attempts: int = 4
    """Tries per API call for 429, 5xx and network errors."""
    backoff: float = 0.5
    """Delay before the second try; doubles each time."""
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    """A 429 asking for a longer wait gives the answer up instead."""

    def delay(self, attempt: int) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        return float(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class SendResult:
    message_id: str | None


class ChannelSender(Protocol):
    """The sending half of an adapter, used by the outbox dispatcher."""

    traits: ChannelTraits

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult: ...

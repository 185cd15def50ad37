"""Retrying an incoming update until its effects are committed.

An update that fails for a database or network reason is tried again with backoff for as
long as it takes (the database comes back); one that keeps failing for another reason (a bug,
data the database refuses) is given up after :attr:`RetryPolicy.poison_attempts` tries and
logged, so it cannot block everyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

log = logging.getLogger(__name__)

T = TypeVar("T")


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
    """How hard an update, an answer or a poll is tried before it is given up (logged)."""

    attempts: int = 4
    """Tries per API call for 429, 5xx and network errors."""
    backoff: float = 0.5
    """Delay before the second try; doubles each time."""
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    """A 429 asking for a longer wait gives the answer up instead."""
    poison_attempts: int = 5
    """Tries before an update failing for a non-database reason is given up."""

    def delay(self, attempt: int) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        return float(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))


class GaveUp(Exception):
    """An update kept failing for a reason retrying cannot cure (see the module docstring)."""


async def until_committed(
    work: Callable[[], Awaitable[T]],
    *,
    retry: RetryPolicy,
    what: str,
    stopping: asyncio.Event | None = None,
) -> T:
    """Run ``work`` until it succeeds. Raises :class:`GaveUp` (from the last error) after
    ``retry.poison_attempts`` non-transient failures, and the last error itself when
    ``stopping`` is set (the channel stops; the update is not committed)."""
    attempt = 0
    while True:
        try:
            return await work()
        except Exception as exc:
            attempt += 1
            if stopping is not None and stopping.is_set():
                raise
            if not is_transient(exc) and attempt >= retry.poison_attempts:
                raise GaveUp(f"{what} failed {attempt} times; giving it up") from exc
            delay = retry.delay(attempt)
            log.warning(
                "%s not processed (%s: %s); retrying in %.1f s",
                what,
                type(exc).__name__,
                exc,
                delay,
            )
            if stopping is None:
                await asyncio.sleep(delay)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), delay)

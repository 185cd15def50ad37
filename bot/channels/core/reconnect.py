"""Connecting a chat channel at start-up without holding the rest of the bot hostage.

A Bot API that cannot be reached (network error, 5xx) must not stop the scheduler, the
dashboard and the other channels: the channel is marked ``down`` in ``/healthz`` and keeps
trying in the background with exponential backoff (the channel's :class:`RetryPolicy`,
capped at ``max_backoff``), one log line per attempt. A refused token is a different story:
retrying cannot help, so it is one clear line and the channel stays ``off`` while the rest
runs (a bot that exits instead would be restarted by its supervisor again and again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.channels.core.retry import RetryPolicy
from bot.lifecycle import ChannelState, ChannelStates, StartupError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class ChannelUnreachable(Exception):
    """The Bot API did not answer usefully (network error, timeout, 5xx); it may later."""


class ChannelRefused(Exception):
    """The Bot API refuses us for good (an invalid or revoked token, a getMe that can never
    succeed); the message says what to fix."""


class ChannelConnector:
    """Runs a channel's ``connect`` step now, or in the background until it succeeds.

    ``connect`` raises :class:`ChannelUnreachable` for a failure worth retrying and
    :class:`ChannelRefused` when the channel cannot work at all; a
    :class:`bot.lifecycle.StartupError` (a wrong webhook setting) stops start-up.
    """

    def __init__(
        self,
        states: ChannelStates,
        name: str,
        connect: Callable[[], Awaitable[None]],
        retry: RetryPolicy,
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.states = states
        self.name = name
        self.connect = connect
        self.retry = retry
        self.sleep = sleep
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect now; when the API is unreachable, mark the channel down and keep trying
        in the background; when it refuses the token, the channel stays off."""
        try:
            await self.connect()
        except ChannelRefused as exc:
            self._turn_off(exc)
            return
        except ChannelUnreachable as exc:
            self._set("down")
            log.warning(
                "%s: %s; retrying in the background (next try in %g s)",
                self.name,
                exc,
                self.retry.delay(1),
            )
            self.task = asyncio.create_task(self._keep_trying(), name=f"{self.name}-connect")
            return
        self._set("up")

    async def _keep_trying(self) -> None:
        attempt = 1
        while True:
            await self.sleep(self.retry.delay(attempt))
            attempt += 1
            try:
                await self.connect()
            except ChannelUnreachable as exc:
                log.warning(
                    "%s: attempt %d: %s; next try in %g s",
                    self.name,
                    attempt,
                    exc,
                    self.retry.delay(attempt),
                )
                continue
            except (ChannelRefused, StartupError) as exc:
                self._turn_off(exc)
                return
            except Exception:
                self._set("off")
                log.exception("%s: could not start; the channel stays off", self.name)
                return
            self._set("up")
            log.info("%s: connected after %d attempts", self.name, attempt)
            return

    def _turn_off(self, reason: Exception) -> None:
        self._set("off")
        log.error("%s: %s; the channel stays off", self.name, reason)

    def _set(self, state: ChannelState) -> None:
        self.states[self.name] = state

    async def stop(self) -> None:
        """Stop trying (a shutdown while the API is still away)."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        self.states.pop(self.name, None)

"""What every chat channel is as a component of the running bot: connected at start
(:mod:`.reconnect`), its outbox sender registered once it is live and withdrawn at stop, its
webhook route (if any) detached at stop. The Telegram and Zalo parts add only how they
connect, take updates and shut down."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.channels.core.reconnect import ChannelConnector, Sleep
from bot.channels.core.retry import RetryPolicy
from bot.channels.core.webhook import Webhook
from bot.context import AppContext
from bot.lifecycle import ChannelStates
from bot.sending import ChannelSender, Senders
from handlers import Dispatcher


@dataclass(frozen=True)
class ChannelWiring:
    """What the composition root hands a chat channel."""

    ctx: AppContext
    dispatcher: Dispatcher
    routes: web.Application
    """The web server's application: webhook (and media) routes must exist before it starts."""
    senders: Senders
    """Where the channel's outbox sender is registered while it is live."""
    states: ChannelStates
    """Where the channel's state (up, down, off) is reported for ``/healthz``."""
    webhook_url: str | None = None
    """Public HTTPS base URL of ``dondoc run --webhook-url``; None means long polling."""
    turn_concurrency: int | None = None
    """Chat turns at once (None: no limit), chosen by the composition root for the database."""


class ChannelComponent(ABC):
    """The life cycle shared by the chat channels (see the module docstring)."""

    name: str

    def __init__(
        self, wiring: ChannelWiring, *, retry: RetryPolicy | None, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.ctx = wiring.ctx
        self.dispatcher = wiring.dispatcher
        self.webhook_url = wiring.webhook_url
        self.turn_concurrency = wiring.turn_concurrency
        self.retry = retry or RetryPolicy()
        self.webhook: Webhook[Any] | None = None
        self._senders = wiring.senders
        self.connector = ChannelConnector(
            wiring.states, self.name, self._go_live, self.retry, sleep=sleep
        )

    async def start(self) -> None:
        await self.connector.start()

    def _live(self, sender: ChannelSender) -> None:
        """The channel takes updates: the outbox may send through it."""
        self._senders[self.name] = sender

    async def stop(self) -> None:
        """Stop connecting and taking updates, then shut the channel down.

        The webhook stays set: other instances behind the same URL keep serving it.
        """
        await self.connector.stop()
        self._senders.pop(self.name, None)
        if self.webhook is not None:
            self.webhook.detach()
        await self._shut_down()

    @abstractmethod
    async def _go_live(self) -> None:
        """Connect, start taking updates and call :meth:`_live`; raise
        :class:`.reconnect.ChannelUnreachable` when worth another try."""

    @abstractmethod
    async def _shut_down(self) -> None:
        """Let in-flight updates finish and close the connections."""

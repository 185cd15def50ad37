"""A stand-in for ``asyncio.sleep`` that the test releases one wait at a time."""

from __future__ import annotations

import asyncio
from typing import Protocol

from bot.channels.core.reconnect import ChannelConnector


class ControlledSleep:
    """Records every requested delay and returns only when the test calls :meth:`release`."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._permits: asyncio.Queue[None] = asyncio.Queue()
        self._waiting = asyncio.Condition()

    async def __call__(self, delay: float) -> None:
        async with self._waiting:
            self.delays.append(delay)
            self._waiting.notify_all()
        await self._permits.get()

    async def waiting(self, count: int) -> None:
        """Until ``count`` waits have been requested in all."""
        async with self._waiting:
            await asyncio.wait_for(self._waiting.wait_for(lambda: len(self.delays) >= count), 5)

    async def release(self) -> None:
        """Let the current wait end and wait for the next one to begin (or the loop to end)."""
        self._permits.put_nowait(None)
        await asyncio.sleep(0)


class Connecting(Protocol):
    connector: ChannelConnector


async def connected(channel: Connecting) -> None:
    """Until the channel's background connecting has ended (connected or turned off)."""
    task = channel.connector.task
    assert task is not None
    await asyncio.wait_for(task, 5)

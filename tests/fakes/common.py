"""Pieces both fake Bot API servers use: the record of calls and event-based counters."""

from __future__ import annotations

import abc
import asyncio
from collections import Counter
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import ClientSession, ClientTimeout, web

JSONDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One request the bot made: method name as sent, decoded parameters, monotonic time."""

    method: str
    params: JSONDict
    time: float


class Counts:
    """Counts events per key and wakes coroutines waiting for a count (no polling)."""

    def __init__(self) -> None:
        self._per_key: Counter[object] = Counter()
        self._total = 0
        self._waiters: list[tuple[object | None, int, asyncio.Event]] = []

    def get(self, key: object | None) -> int:
        """The count for ``key``, or the total over all keys for ``None``."""
        return self._total if key is None else self._per_key[key]

    def add(self, key: object) -> None:
        self._per_key[key] += 1
        self._total += 1
        for wanted_key, wanted, event in self._waiters:
            if self.get(wanted_key) >= wanted:
                event.set()

    async def wait(
        self,
        key: object | None,
        count: int,
        timeout: float,  # noqa: ASYNC109
        what: str,
    ) -> None:
        if self.get(key) >= count:
            return
        entry = (key, count, asyncio.Event())
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(entry[2].wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"expected {count} {what}, got {self.get(key)}") from None
        finally:
            self._waiters.remove(entry)


class LocalServer(abc.ABC):
    """The life cycle both fakes share: serve on 127.0.0.1 at a free port, keep a client
    session for webhook deliveries, and on stop release hanging requests and long polls."""

    def __init__(self) -> None:
        self.url = ""
        self._update_arrived = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None

    @abc.abstractmethod
    def _application(self) -> web.Application:
        """The aiohttp application with the fake's routes."""

    async def start(self) -> None:
        self._runner = web.AppRunner(self._application(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self._client = ClientSession(timeout=ClientTimeout(total=10))

    async def stop(self) -> None:
        """Release hanging requests and long polls, then shut the server down."""
        self._closing.set()
        self._update_arrived.set()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

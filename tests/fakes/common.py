"""Pieces both fake Bot API servers use: the record of calls and event-based counters."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

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

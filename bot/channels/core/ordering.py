"""Per-chat ordering: the updates of one chat are handled in the order they arrived, those of
different chats concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class ChatOrder:
    """Runs jobs as tasks, each after the previous job of the same key has finished."""

    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Task[object]] = {}
        self.tasks: set[asyncio.Task[object]] = set()
        """Jobs submitted and not finished."""
        self.progress = asyncio.Event()
        """Set whenever a job finishes."""

    def submit(self, key: Hashable, job: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
        """Start ``job`` once the earlier jobs of ``key`` are done (whatever their outcome)."""
        previous = self._tails.get(key)

        async def after_previous() -> T:
            if previous is not None:
                await asyncio.wait([previous])
            return await job()

        task: asyncio.Task[T] = asyncio.create_task(after_previous())
        self._tails[key] = task
        self.tasks.add(task)

        def forget(done: asyncio.Task[T]) -> None:
            self.tasks.discard(done)
            if self._tails.get(key) is done:
                del self._tails[key]
            self.progress.set()

        task.add_done_callback(forget)
        return task

    def __len__(self) -> int:
        return len(self.tasks)

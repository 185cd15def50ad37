"""Handling Zalo updates end to end: convert, dispatch (commit), answer.

Updates of one chat are handled in the order they arrived; updates of different chats run
concurrently (bounded; one transaction at a time on SQLite, which has a single writer). The
replies of an update are sent after its effects are committed, so a webhook can be answered
as soon as the commit is done (:meth:`UpdateProcessor.process_now`) while the replies go out.

Zalo's getUpdates has no offsets: an update is gone from Zalo once fetched. A polled update is
therefore retried here, in memory, while the database is away (:meth:`UpdateProcessor.enqueue`);
it is lost only if the process stops before it could be committed (see docs/zalo.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.channels.base import ZALO, RetryPolicy, is_transient
from bot.channels.zalo.client import ZaloUpdate
from bot.channels.zalo.convert import TEXTS, Courtesy, to_incoming
from bot.channels.zalo.sender import ReplyDelivery
from bot.context import AppContext
from bot.messages import IncomingMessage, Reply
from handlers import Dispatcher

log = logging.getLogger(__name__)

POISON_ATTEMPTS = 3
"""Tries before an update failing for a reason other than an unavailable database is given up."""


class StoppedError(Exception):
    """The channel stopped before an update could be committed."""


class UpdateProcessor:
    def __init__(
        self,
        ctx: AppContext,
        dispatcher: Dispatcher,
        delivery: ReplyDelivery,
        *,
        retry: RetryPolicy | None = None,
        concurrency: int = 16,
    ) -> None:
        self.ctx = ctx
        self.dispatcher = dispatcher
        self.delivery = delivery
        self.retry = retry or RetryPolicy()
        self._slots = asyncio.Semaphore(concurrency)
        self._handle_slots = asyncio.Semaphore(1) if ctx.db.is_sqlite else None
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._progress = asyncio.Event()

    @property
    def in_flight(self) -> int:
        """Updates accepted whose handling (replies included) has not finished."""
        return len(self._tasks)

    async def process_now(self, update: ZaloUpdate) -> None:
        """Handle ``update`` after the earlier ones of its chat; return once its effects are
        committed (its replies are sent afterwards). Raises if it could not be committed."""
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._schedule(update, committed)
        await committed

    def enqueue(self, update: ZaloUpdate) -> None:
        """Handle a polled update in the background, retrying while the database is away."""
        self._schedule(update, None)

    async def wait_for_room(self, limit: int) -> None:
        """Wait until fewer than ``limit`` updates are in flight (or the processor stops)."""
        while self.in_flight >= limit and not self._stopping.is_set():
            self._progress.clear()
            await self._progress.wait()

    async def stop(self, grace: float) -> None:
        """Stop retrying; let in-flight updates finish for ``grace`` seconds, then cancel."""
        self._stopping.set()
        self._progress.set()
        tasks = list(self._tasks)
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("zalo: %d updates still in flight at shutdown were abandoned", len(pending))
            await asyncio.wait(pending)

    def _schedule(self, update: ZaloUpdate, committed: asyncio.Future[None] | None) -> None:
        key = update.message.chat_id
        task = asyncio.create_task(self._run(update, self._tails.get(key), committed))
        self._tails[key] = task
        self._tasks.add(task)

        def forget(done: asyncio.Task[None]) -> None:
            self._tasks.discard(done)
            if self._tails.get(key) is done:
                del self._tails[key]
            self._progress.set()

        task.add_done_callback(forget)

    async def _run(
        self,
        update: ZaloUpdate,
        previous: asyncio.Task[None] | None,
        committed: asyncio.Future[None] | None,
    ) -> None:
        try:
            if previous is not None:
                await asyncio.wait([previous])
            async with self._slots:
                replies = await self._commit(update, persist=committed is None)
        except asyncio.CancelledError:
            if committed is not None and not committed.done():
                committed.set_exception(StoppedError("stopped before the commit"))
            raise
        except Exception as exc:
            if committed is None:
                log.error("zalo update %s lost: %s: %s", update.dedup_key, type(exc).__name__, exc)
            elif not committed.done():
                committed.set_exception(exc)
            return
        if committed is not None and not committed.done():
            committed.set_result(None)
        if replies:
            await self.delivery.deliver(update.message.chat_id, replies)

    async def _commit(self, update: ZaloUpdate, *, persist: bool) -> list[Reply]:
        """The replies to ``update``, after its effects are committed."""
        converted = to_incoming(update)
        if converted is None:
            return []
        if isinstance(converted, Courtesy):
            return [Reply(TEXTS.t(converted.key, self.ctx.settings.language))]
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._handle(converted)
            except Exception as exc:
                transient = is_transient(exc)
                if not persist or self._stopping.is_set():
                    raise
                if not transient and attempt >= POISON_ATTEMPTS:
                    raise
                delay = self.retry.delay(attempt)
                log.warning(
                    "zalo update %s not processed (%s: %s); retrying in %.1f s",
                    update.dedup_key,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)

    async def _handle(self, message: IncomingMessage) -> list[Reply]:
        if self._handle_slots is None:
            return await self.dispatcher.handle(message, ZALO)
        async with self._handle_slots:
            return await self.dispatcher.handle(message, ZALO)

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
import logging

from bot.channel_traits import ZALO
from bot.channels.core.delivery import ReplyDelivery
from bot.channels.core.ordering import ChatOrder
from bot.channels.core.retry import RetryPolicy, until_committed
from bot.channels.zalo.client import ZaloUpdate
from bot.channels.zalo.convert import TEXTS, Courtesy, to_incoming
from bot.channels.zalo.render import ZaloCall
from bot.context import AppContext
from bot.messages import IncomingMessage, Reply
from handlers import Dispatcher

log = logging.getLogger(__name__)


class StoppedError(Exception):
    """The channel stopped before an update could be committed."""


class UpdateProcessor:
    def __init__(
        self,
        ctx: AppContext,
        dispatcher: Dispatcher,
        delivery: ReplyDelivery[ZaloCall],
        *,
        retry: RetryPolicy | None = None,
        concurrency: int = 16,
        turn_concurrency: int | None = None,
    ) -> None:
        self.ctx = ctx
        self.dispatcher = dispatcher
        self.delivery = delivery
        self.retry = retry or RetryPolicy()
        self._slots = asyncio.Semaphore(concurrency)
        self._handle_slots = asyncio.Semaphore(turn_concurrency) if turn_concurrency else None
        self._order = ChatOrder()
        self._stopping = asyncio.Event()

    @property
    def in_flight(self) -> int:
        """Updates accepted whose handling (replies included) has not finished."""
        return len(self._order)

    async def process_now(self, update: ZaloUpdate) -> None:
        """Handle ``update`` after the earlier ones of its chat; return once its effects are
        committed (its replies are sent afterwards). Raises if it could not be committed."""
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = self._schedule(update, committed)
        await asyncio.wait([committed, task], return_when=asyncio.FIRST_COMPLETED)
        if not committed.done():
            raise StoppedError("stopped before the commit")
        committed.result()

    def enqueue(self, update: ZaloUpdate) -> None:
        """Handle a polled update in the background, retrying while the database is away."""
        self._schedule(update, None)

    async def wait_for_room(self, limit: int) -> None:
        """Wait until fewer than ``limit`` updates are in flight (or the processor stops)."""
        while self.in_flight >= limit and not self._stopping.is_set():
            self._order.progress.clear()
            await self._order.progress.wait()

    async def stop(self, grace: float) -> None:
        """Stop retrying; let in-flight updates finish for ``grace`` seconds, then cancel."""
        self._stopping.set()
        self._order.progress.set()
        tasks = list(self._order.tasks)
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("zalo: %d updates still in flight at shutdown were abandoned", len(pending))
            await asyncio.wait(pending)

    def _schedule(
        self, update: ZaloUpdate, committed: asyncio.Future[None] | None
    ) -> asyncio.Task[None]:
        return self._order.submit(update.message.chat_id, lambda: self._run(update, committed))

    async def _run(self, update: ZaloUpdate, committed: asyncio.Future[None] | None) -> None:
        try:
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
        """The replies to ``update``, after its effects are committed: a webhook update is
        tried once (Zalo delivers it again), a polled one until it is committed."""
        converted = to_incoming(update)
        if converted is None:
            return []
        if isinstance(converted, Courtesy):
            return [Reply(TEXTS.t(converted.key, self.ctx.settings.language))]
        if not persist:
            return await self._handle(converted)
        return await until_committed(
            lambda: self._handle(converted),
            retry=self.retry,
            what=f"zalo update {update.dedup_key}",
            stopping=self._stopping,
        )

    async def _handle(self, message: IncomingMessage) -> list[Reply]:
        if self._handle_slots is None:
            return await self.dispatcher.handle(message, ZALO)
        async with self._handle_slots:
            return await self.dispatcher.handle(message, ZALO)

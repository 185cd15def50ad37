"""Long polling that acknowledges an update only after its effects are committed.

python-telegram-bot's own ``Updater`` moves the ``getUpdates`` offset when it *fetches*
updates, before any handler has run: a crash then loses what was fetched. Here the offset
(which is what acknowledges updates to Telegram) only moves past a contiguous prefix of
updates whose processing finished: a crash at any moment means Telegram delivers the
unfinished ones again, and the dispatcher's record of processed update keys makes a second
delivery change nothing.

Updates of different chats are processed concurrently (bounded); updates of one chat run in
the order they were sent (:mod:`bot.channels.core.ordering`). An update that fails for a
database reason is retried until it is committed, holding the offset back; one that keeps
failing for another reason is given up and logged (:mod:`bot.channels.core.retry`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.channels.core.ordering import ChatOrder
from bot.channels.core.retry import GaveUp, RetryPolicy, until_committed
from bot.channels.telegram.sender import retry_after_seconds

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
FETCH_LIMIT = 100

ProcessUpdate = Callable[[Update], Awaitable[None]]


def chat_key(update: Update) -> str:
    """Updates with the same key are processed one after another, in order."""
    if update.effective_chat is not None:
        return f"chat:{update.effective_chat.id}"
    if update.effective_user is not None:
        return f"user:{update.effective_user.id}"
    return "other"


class UpdatePoller:
    """Fetches updates with ``getUpdates`` and processes them (see the module docstring).

    ``run()`` works until ``stop()`` (graceful: in-flight updates finish and are
    acknowledged) or until it is cancelled (abrupt, like a crash: nothing unfinished is
    acknowledged).
    """

    def __init__(
        self,
        bot: Bot,
        process: ProcessUpdate,
        *,
        poll_timeout: float = 25.0,
        concurrency: int = 32,
        max_in_flight: int = 200,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.bot = bot
        self.process = process
        self.poll_timeout = poll_timeout
        self.max_in_flight = max_in_flight
        self.retry = retry or RetryPolicy()
        self._slots = asyncio.Semaphore(concurrency)
        self._pending: dict[int, bool] = {}
        """Fetched, not yet acknowledged update ids (ascending) → processing finished."""
        self._undone = 0
        self._highest_seen = -1
        self.offset: int | None = None
        """The next ``getUpdates`` offset: everything below it is processed."""
        self._acknowledged: int | None = None
        self._order = ChatOrder()
        self._changed = asyncio.Event()
        self._stopping = False
        self._fetch: asyncio.Task[tuple[Update, ...]] | None = None

    @property
    def in_flight(self) -> int:
        """Updates fetched whose processing has not finished."""
        return self._undone

    async def drained(self) -> None:
        """Wait until every update fetched so far has been processed."""
        await self._wait(lambda: self._undone == 0)

    async def run(self) -> None:
        try:
            await self._fetch_loop()
        except asyncio.CancelledError:
            for task in self._order.tasks:
                task.cancel()
            raise
        await self._finish()

    async def stop(self) -> None:
        """Stop fetching; ``run()`` then lets in-flight updates finish and returns."""
        self._stopping = True
        if self._fetch is not None:
            self._fetch.cancel()
        self._changed.set()

    async def _fetch_loop(self) -> None:
        failures = 0
        while not self._stopping:
            await self._wait(lambda: self._undone <= self.max_in_flight // 4)
            if self._stopping:
                break
            offset = self.offset
            self._fetch = asyncio.ensure_future(
                self.bot.get_updates(
                    offset=offset,
                    timeout=dt.timedelta(seconds=self.poll_timeout),
                    limit=FETCH_LIMIT,
                    allowed_updates=ALLOWED_UPDATES,
                )
            )
            try:
                updates = await self._fetch
            except asyncio.CancelledError:
                if self._stopping:
                    break
                raise
            except RetryAfter as exc:
                await self._pause(retry_after_seconds(exc))
                continue
            except TelegramError as exc:
                failures += 1
                self._log_fetch_error(exc, failures)
                await self._pause(self.retry.delay(failures))
                continue
            finally:
                self._fetch = None
            failures = 0
            self._acknowledged = offset
            fresh = [update for update in updates if self._is_fresh(update.update_id, offset)]
            for update in fresh:
                self._start(update)
            if not fresh and self._undone:
                # Telegram hands unacknowledged updates out again at once: wait for progress
                # instead of fetching the same ones in a loop.
                await self._wait(lambda: self._undone == 0, within=0.05)

    def _is_fresh(self, update_id: int, sent_offset: int | None) -> bool:
        """Not fetched before. Updates in [sent offset, current offset) finished while the
        fetch was under way; any other id is new (Telegram may restart its ids at random
        after a week without updates, so a lower id is not assumed to be old)."""
        if update_id in self._pending:
            return False
        if sent_offset is None or self.offset is None:
            return True
        return not sent_offset <= update_id < self.offset

    def _log_fetch_error(self, error: TelegramError, failures: int) -> None:
        if isinstance(error, InvalidToken):
            log.error("telegram rejected the bot token while polling: %s", error)
        elif isinstance(error, Conflict):
            log.warning(
                "telegram getUpdates conflict (another instance polling, or a webhook set): %s",
                error,
            )
        else:
            log.warning("telegram getUpdates failed (%d in a row): %s", failures, error)

    async def _pause(self, seconds: float) -> None:
        """Sleep, unless stop() comes first."""
        await self._wait(lambda: self._stopping, within=seconds)

    async def _wait(self, ready: Callable[[], bool], within: float | None = None) -> None:
        """Wait until ``ready()`` (re-checked after every finished update or stop)."""
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        while not ready() and not self._stopping:
            self._changed.clear()
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return

    def _start(self, update: Update) -> None:
        update_id = update.update_id
        self._pending[update_id] = False
        self._undone += 1
        self._highest_seen = update_id
        if self.offset is None:
            self.offset = update_id
        self._order.submit(chat_key(update), lambda: self._run_one(update))

    async def _run_one(self, update: Update) -> None:
        async with self._slots:
            try:
                await until_committed(
                    lambda: self.process(update),
                    retry=self.retry,
                    what=f"telegram update {update.update_id}",
                )
            except GaveUp:
                log.exception("telegram update %s given up", update.update_id)
        self._finished(update.update_id)

    def _finished(self, update_id: int) -> None:
        self._pending[update_id] = True
        self._undone -= 1
        while self._pending:
            first = next(iter(self._pending))
            if not self._pending[first]:
                break
            del self._pending[first]
        self.offset = next(iter(self._pending)) if self._pending else self._highest_seen + 1
        self._changed.set()

    async def _finish(self) -> None:
        """After stop(): let in-flight updates finish, then acknowledge them."""
        if self._order.tasks:
            await asyncio.gather(*self._order.tasks, return_exceptions=True)
        if self.offset is not None and self.offset != self._acknowledged:
            with contextlib.suppress(TelegramError):
                await self.bot.get_updates(offset=self.offset, timeout=0, limit=1)
            self._acknowledged = self.offset

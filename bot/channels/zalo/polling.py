"""Long polling: ``getUpdates`` in a loop, each update handed to the processor.

Zalo's getUpdates returns one update per call, with no offset to acknowledge: the update is
consumed when it is fetched. The loop therefore hands it over at once; the processor commits
it (retrying while the database is away) and answers. What this means for a crash is in
docs/zalo.md: an update fetched but not yet committed when the process dies is lost.

Failures back off (``RetryPolicy``): 429 waits ``retry_after``; 5xx, network errors, a 400
(a webhook is set, e.g. by an instance in webhook mode) and a refused token wait
exponentially longer, and are logged without the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.channels.core.retry import RetryPolicy
from bot.channels.zalo.client import (
    InvalidZaloUpdate,
    ZaloBadRequest,
    ZaloClient,
    ZaloError,
    ZaloRateLimited,
    ZaloUnauthorized,
    ZaloUpdate,
)
from bot.channels.zalo.process import UpdateProcessor

log = logging.getLogger(__name__)


class ZaloPoller:
    """Fetches updates until :meth:`stop` (see the module docstring)."""

    def __init__(
        self,
        client: ZaloClient,
        processor: UpdateProcessor,
        *,
        poll_timeout: int = 30,
        retry: RetryPolicy | None = None,
        max_in_flight: int = 64,
    ) -> None:
        self.client = client
        self.processor = processor
        self.poll_timeout = poll_timeout
        self.retry = retry or RetryPolicy()
        self.max_in_flight = max_in_flight
        self.fetched = 0
        self._stopping = asyncio.Event()
        self._fetch: asyncio.Task[ZaloUpdate | None] | None = None

    async def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            await self.processor.wait_for_room(self.max_in_flight)
            if self._stopping.is_set():
                break
            self._fetch = asyncio.ensure_future(self.client.get_updates(timeout=self.poll_timeout))
            try:
                update = await self._fetch
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    break
                raise
            except InvalidZaloUpdate as exc:
                log.warning("zalo getUpdates returned an unreadable update (dropped): %s", exc)
                continue
            except ZaloRateLimited as exc:
                await self._pause(exc.retry_after or self.retry.delay(1))
                continue
            except ZaloError as exc:
                failures += 1
                self._log_failure(exc, failures)
                await self._pause(self.retry.delay(failures))
                continue
            finally:
                self._fetch = None
            failures = 0
            if update is not None:
                self.fetched += 1
                self.processor.enqueue(update)

    async def stop(self) -> None:
        """Stop fetching. An open long poll is abandoned: an update Zalo hands out at that
        very moment is lost (docs/zalo.md)."""
        self._stopping.set()
        if self._fetch is not None:
            self._fetch.cancel()

    def _log_failure(self, error: ZaloError, failures: int) -> None:
        if isinstance(error, ZaloUnauthorized):
            log.error("zalo refused the bot token while polling (revoked?): %s", error)
        elif isinstance(error, ZaloBadRequest):
            log.warning(
                "zalo getUpdates refused (a webhook is set, e.g. by an instance in webhook "
                "mode?): %s",
                error,
            )
        else:
            log.warning("zalo getUpdates failed (%d in a row): %s", failures, error)

    async def _pause(self, seconds: float) -> None:
        """Sleep, unless stop() comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

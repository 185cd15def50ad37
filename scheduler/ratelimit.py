"""Outgoing rate limits per channel: never faster than the channel allows.

Each send reserves the earliest slot that respects three spacings at once — the channel's
global rate, the per-chat rate (private chats) and the per-group rate (group chats) — then
sleeps until that slot. Reservations are made synchronously, so concurrent senders on one
event loop can never overbook a slot (a "virtual scheduling" token bucket with a burst of one).
A 429 pushes the channel (or the chat) back by ``retry_after``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from config.settings import RateLimits

#: Channels not listed in the settings (the web chat) are paced at this many messages/s.
UNLIMITED_RATE = 1000.0
#: Pace at this fraction of each configured limit: a send the event loop delays by a few tens
#: of milliseconds must not land in the same one-second window as the next thirty.
HEADROOM = 0.97
#: Lateness of a release, as a fraction of the spacing, that the next release may make up.
LATE_CREDIT = 0.25


@dataclass(frozen=True)
class ChannelRates:
    """Messages per second overall, per private chat, and per group chat."""

    global_per_second: float
    per_chat_per_second: float
    per_group_per_second: float


def rates_from_settings(limits: RateLimits, headroom: float = 1.0) -> dict[str, ChannelRates]:
    """The channels' limits from the settings, times ``headroom`` (the dispatcher uses
    :data:`HEADROOM`)."""
    return {
        "telegram": ChannelRates(
            limits.telegram_global_per_second * headroom,
            limits.telegram_per_chat_per_second * headroom,
            limits.telegram_per_group_per_minute / 60.0 * headroom,
        ),
        "zalo": ChannelRates(
            limits.zalo_global_per_second * headroom,
            limits.zalo_per_chat_per_second * headroom,
            limits.zalo_per_chat_per_second * headroom,
        ),
    }


class RateLimiter:
    """Paces sends per channel; ``monotonic`` and ``sleep`` are injectable for tests."""

    def __init__(
        self,
        rates: dict[str, ChannelRates],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.rates = rates
        self._monotonic = monotonic
        self._sleep = sleep
        self._global_next: dict[str, float] = {}
        self._chat_next: dict[tuple[str, str], float] = {}
        self._released: dict[str, float] = {}

    def _rates(self, channel: str) -> ChannelRates:
        default = ChannelRates(UNLIMITED_RATE, UNLIMITED_RATE, UNLIMITED_RATE)
        return self.rates.get(channel, default)

    def reserve(self, channel: str, chat_id: str, *, is_group: bool) -> float:
        """Book the next slot for one message to ``chat_id``; returns how long to wait."""
        rates = self._rates(channel)
        now = self._monotonic()
        chat_rate = rates.per_group_per_second if is_group else rates.per_chat_per_second
        key = (channel, chat_id)
        slot = max(now, self._global_next.get(channel, now), self._chat_next.get(key, now))
        self._global_next[channel] = slot + 1.0 / rates.global_per_second
        self._chat_next[key] = slot + 1.0 / chat_rate
        self._forget_idle_chats(now)
        return slot - now

    async def acquire(self, channel: str, chat_id: str, *, is_group: bool) -> None:
        """Wait until one more message may go to ``chat_id``.

        Booked slots are evenly spaced, but if the event loop stalls, every sender whose slot
        passed meanwhile would wake at once and reach the channel as a burst. So a release
        also keeps the channel's spacing from the previous *actual* release: a stall delays
        the sends after it instead of bunching them.
        """
        wait = self.reserve(channel, chat_id, is_group=is_group)
        if wait > 0:
            await self._sleep(wait)
        spacing = 1.0 / self._rates(channel).global_per_second
        while True:
            now = self._monotonic()
            previous = self._released.get(channel, now - spacing)
            gap = previous + spacing - now
            if gap <= 1e-9:
                break
            await self._sleep(gap)
        # Waking a little late (timer granularity) is credited back, so the pace does not
        # drift below the rate; a longer delay restarts the grid from now.
        self._released[channel] = max(previous + spacing, now - spacing * LATE_CREDIT)

    def back_off(self, channel: str, chat_id: str, seconds: float, *, whole_channel: bool) -> None:
        """After a 429: nothing more to this chat (or the whole channel) for ``seconds``."""
        until = self._monotonic() + seconds
        key = (channel, chat_id)
        self._chat_next[key] = max(self._chat_next.get(key, until), until)
        if whole_channel:
            self._global_next[channel] = max(self._global_next.get(channel, until), until)

    def _forget_idle_chats(self, now: float) -> None:
        """Drop per-chat state whose slot has passed, so 5,000 chats do not pile up."""
        if len(self._chat_next) < 10_000:
            return
        self._chat_next = {key: at for key, at in self._chat_next.items() if at > now}

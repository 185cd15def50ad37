"""The rate limiter never lets more through than the channel allows."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from config.settings import RateLimits
from scheduler.ratelimit import ChannelRates, RateLimiter, rates_from_settings
from tests.scheduler.fakes import VirtualTime

TELEGRAM = ChannelRates(global_per_second=30, per_chat_per_second=1, per_group_per_second=20 / 60)


async def _send_times(limiter: RateLimiter, time: VirtualTime, chats: list[tuple[str, bool]]):  # type: ignore[no-untyped-def]
    times: list[float] = []

    async def one(chat: str, group: bool) -> None:
        await limiter.acquire("telegram", chat, is_group=group)
        times.append(time.now)

    await asyncio.gather(*(one(chat, group) for chat, group in chats))
    return times


def _max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t < start + window - 1e-9) for start in ordered)


async def test_many_chats_are_paced_at_the_global_rate() -> None:
    time = VirtualTime()
    limiter = RateLimiter({"telegram": TELEGRAM}, monotonic=time.monotonic, sleep=time.sleep)

    times = await _send_times(limiter, time, [(str(n), False) for n in range(300)])

    assert _max_in_window(times, 1.0) == 30
    assert max(times) == pytest.approx(299 / 30)


async def test_one_chat_gets_one_message_per_second_and_a_group_twenty_per_minute() -> None:
    time = VirtualTime()
    limiter = RateLimiter({"telegram": TELEGRAM}, monotonic=time.monotonic, sleep=time.sleep)

    private = await _send_times(limiter, time, [("7", False)] * 5)
    time.now = 100.0
    group = await _send_times(limiter, time, [("-100", True)] * 25)

    assert sorted(private) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert _max_in_window(group, 60.0) == 20


async def test_429_pushes_the_channel_back() -> None:
    time = VirtualTime()
    limiter = RateLimiter({"telegram": TELEGRAM}, monotonic=time.monotonic, sleep=time.sleep)
    await limiter.acquire("telegram", "1", is_group=False)

    limiter.back_off("telegram", "1", 5.0, whole_channel=True)
    await limiter.acquire("telegram", "2", is_group=False)

    assert time.now == 5.0


def test_rates_come_from_the_settings_with_headroom() -> None:
    assert rates_from_settings(RateLimits())["telegram"] == TELEGRAM
    rates = rates_from_settings(RateLimits(zalo_global_per_second=2.5), headroom=0.9)

    assert rates["telegram"].global_per_second == pytest.approx(27.0)
    assert rates["telegram"].per_group_per_second == pytest.approx(20 / 60 * 0.9)
    assert rates["zalo"].global_per_second == pytest.approx(2.25)


async def test_a_stalled_event_loop_does_not_release_a_burst() -> None:
    """Real time, briefly: 20 senders book slots 10 ms apart, then the loop is blocked for
    120 ms. Without the release spacing, the senders whose slots passed would all go at once."""
    limiter = RateLimiter({"telegram": ChannelRates(100.0, 100.0, 100.0)})
    released: list[float] = []

    async def one(chat: str) -> None:
        await limiter.acquire("telegram", chat, is_group=False)
        released.append(time.monotonic())

    senders = [asyncio.create_task(one(str(n))) for n in range(20)]
    await asyncio.sleep(0)  # every sender has booked its slot
    time.sleep(0.12)  # noqa: ASYNC251 - the point: the event loop stalls
    await asyncio.gather(*senders)

    gaps = [b - a for a, b in itertools.pairwise(released)]
    assert min(gaps) >= 0.0074  # never a burst: at most a quarter of the spacing made up

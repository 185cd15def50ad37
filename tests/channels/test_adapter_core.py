"""The adapter core the channels share: per-chat ordering and one poison limit."""

from __future__ import annotations

import asyncio

from bot.channels.core.ordering import ChatOrder
from bot.channels.core.retry import GaveUp, RetryPolicy, until_committed


async def test_one_chats_updates_run_in_order_while_other_chats_go_ahead() -> None:
    order = ChatOrder()
    release_first = asyncio.Event()
    ran: list[str] = []

    async def job(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        ran.append(name)

    first = order.submit("lan", lambda: job("lan 1", release_first))
    second = order.submit("lan", lambda: job("lan 2"))
    other = order.submit("minh", lambda: job("minh 1"))
    await other
    assert ran == ["minh 1"], "another chat is not held up by lan's slow update"
    release_first.set()
    await asyncio.gather(first, second)
    assert ran == ["minh 1", "lan 1", "lan 2"]
    assert len(order) == 0


async def test_a_failed_update_does_not_stop_the_next_one_of_its_chat() -> None:
    order = ChatOrder()

    async def broken() -> None:
        raise RuntimeError("bug")

    async def fine() -> str:
        return "done"

    failed = order.submit("lan", broken)
    after = order.submit("lan", fine)
    assert await after == "done"
    assert isinstance(failed.exception(), RuntimeError)


async def test_an_update_failing_for_a_bug_is_given_up_after_the_one_poison_limit() -> None:
    policy = RetryPolicy(backoff=0.001, max_backoff=0.001, poison_attempts=4)
    tries = 0

    async def broken() -> None:
        nonlocal tries
        tries += 1
        raise RuntimeError("bug")

    try:
        await until_committed(broken, retry=policy, what="update 1")
    except GaveUp as exc:
        assert isinstance(exc.__cause__, RuntimeError)
    else:
        raise AssertionError("a failing update must be given up")
    assert tries == 4

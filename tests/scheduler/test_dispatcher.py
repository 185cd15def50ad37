"""The outbox dispatcher: order, retries, 429/5xx/403/timeout, resuming, crash recovery."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from sqlalchemy import select

from bot.channel_traits import TELEGRAM, ZALO
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Button, Document, Reply
from bot.models import ChannelIdentity, GroupBinding, OutboxMessage, OutboxStatus, Role
from bot.sending import (
    SendAmbiguous,
    SendBlocked,
    SendRateLimited,
    SendRejected,
    SendTemporaryError,
)
from bot.services.outbox import Recipient, enqueue
from scheduler.dispatcher import OutboxDispatcher, fit_replies
from tests.scheduler.builders import World
from tests.scheduler.fakes import RecordingSender, virtual_limiter


async def _queue(
    ctx: AppContext,
    chat_id: str,
    text: str = "Nhắc việc",
    *,
    priority: int = 50,
    channel: str = "telegram",
    is_group: bool = False,
    expires_in: dt.timedelta | None = None,
) -> None:
    async with ctx.db.session() as session:
        await enqueue(
            session,
            ctx,
            Recipient(channel, chat_id, is_group=is_group),
            [Reply(text)],
            kind="reminder",
            dedupe_key=f"test:{channel}:{chat_id}:{text[:20]}",
            priority=priority,
            expires_at=ctx.now() + expires_in if expires_in else None,
        )


async def _rows(ctx: AppContext) -> dict[str, OutboxMessage]:
    async with ctx.db.session() as session:
        return {row.chat_id: row for row in await session.scalars(select(OutboxMessage))}


def _dispatcher(ctx: AppContext, sender: RecordingSender, **options: object) -> OutboxDispatcher:
    return OutboxDispatcher(
        ctx,
        {sender.traits.name: sender},
        limiter=virtual_limiter(),
        **options,  # type: ignore[arg-type]
    )


async def test_most_urgent_rows_go_first(ctx: AppContext) -> None:
    await _queue(ctx, "3", priority=40)
    await _queue(ctx, "1", priority=15, is_group=True)
    await _queue(ctx, "2", priority=20)
    sender = RecordingSender()

    stats = await _dispatcher(ctx, sender).drain()

    assert [item.chat_id for item in sender.sent] == ["1", "2", "3"]
    assert stats.sent == 3
    rows = await _rows(ctx)
    assert all(
        row.status is OutboxStatus.SENT and row.sent_at == ctx.now() for row in rows.values()
    )
    assert rows["2"].external_message_id == "2"


async def test_429_waits_retry_after_without_using_an_attempt(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _queue(ctx, "10")
    sender = RecordingSender()
    sender.fail("10", SendRateLimited(3))
    dispatcher = _dispatcher(ctx, sender, max_attempts=1)

    first = await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=2))
    early = await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=1))
    later = await dispatcher.drain()

    assert first.rate_limited == 1 and early.claimed == 0 and later.sent == 1
    row = (await _rows(ctx))["10"]
    assert row.status is OutboxStatus.SENT and row.attempts == 1
    assert len(sender.sent) == 1


async def test_server_errors_retry_with_backoff_then_fail_visibly(
    ctx: AppContext, clock: FrozenClock
) -> None:
    await _queue(ctx, "20")
    await _queue(ctx, "21")
    sender = RecordingSender()
    sender.fail("20", SendTemporaryError("502 Bad Gateway"), SendTemporaryError("500"))
    sender.fail("21", *(SendTemporaryError("503") for _ in range(3)))
    dispatcher = _dispatcher(ctx, sender, max_attempts=3, backoff=dt.timedelta(seconds=5))

    totals = await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=4))
    assert (await dispatcher.drain()).claimed == 0  # backoff: 5 s after the first failure
    clock.advance(dt.timedelta(seconds=1))
    totals.add(await dispatcher.drain())
    clock.advance(dt.timedelta(seconds=10))  # then 10 s
    totals.add(await dispatcher.drain())

    rows = await _rows(ctx)
    assert rows["20"].status is OutboxStatus.SENT and rows["20"].attempts == 3
    assert rows["21"].status is OutboxStatus.FAILED
    assert rows["21"].last_error == "SendTemporaryError: 503"
    assert totals.retried == 4 and totals.failed == 1 and totals.sent == 1


async def test_timeout_is_retried_and_counted(ctx: AppContext, clock: FrozenClock) -> None:
    await _queue(ctx, "30")
    await _queue(ctx, "31")
    sender = RecordingSender()
    sender.fail("30", SendAmbiguous("Timed out"))
    sender.fail("31", SendAmbiguous("Timed out"), SendAmbiguous("Timed out"))
    dispatcher = _dispatcher(ctx, sender, max_attempts=2, backoff=dt.timedelta(seconds=1))

    stats = await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=1))
    stats.add(await dispatcher.drain())

    rows = await _rows(ctx)
    assert rows["30"].status is OutboxStatus.SENT and rows["30"].ambiguous == 1
    assert rows["31"].status is OutboxStatus.UNKNOWN and rows["31"].ambiguous == 2
    assert stats.ambiguous == 3 and stats.unknown == 1


async def test_blocked_chat_is_deactivated_and_admins_are_told(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        unit = await world.unit("SO-TC", "Sở Tài chính")
        await world.official("TC-CV", unit, name="Trần Thị Bình", chat_id="40")
        await world.official("VP-QT", None, Role.ADMIN, chat_id="49")
        await world.group(unit, "-10040")
    await _queue(ctx, "40")
    await _queue(ctx, "-10040", is_group=True)
    sender = RecordingSender()
    sender.fail("40", SendBlocked("Forbidden: bot was blocked by the user"))
    sender.fail("-10040", SendBlocked("Forbidden: bot was kicked from the group chat"))

    stats = await _dispatcher(ctx, sender).drain()

    assert stats.blocked == 2
    rows = await _rows(ctx)
    assert rows["40"].status is OutboxStatus.FAILED
    assert rows["40"].last_error.startswith("blocked:")
    async with ctx.db.session() as session:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.chat_id == "40")
        )
        binding = await session.scalar(select(GroupBinding))
    assert identity is not None and not identity.active and identity.deactivated_at is not None
    assert binding is not None and not binding.active
    notices = [item.reply.text for item in sender.sent if item.chat_id == "49"]
    assert len(notices) == 2
    assert any(
        text.startswith("Không gửi được tin nhắn tới Trần Thị Bình (TC-CV) qua Telegram")
        for text in notices
    )


async def test_rejected_message_fails_at_once(ctx: AppContext) -> None:
    await _queue(ctx, "50")
    sender = RecordingSender()
    sender.fail("50", SendRejected("Bad Request: chat not found"))

    stats = await _dispatcher(ctx, sender).drain()

    assert stats.failed == 1
    assert (await _rows(ctx))["50"].status is OutboxStatus.FAILED


async def test_a_long_message_resumes_after_the_part_that_failed(
    ctx: AppContext, clock: FrozenClock
) -> None:
    text = "\n".join(f"Dòng số {n}: " + "nội dung " * 20 for n in range(40))
    await _queue(ctx, "60", text, channel="zalo")
    sender = RecordingSender(ZALO)
    dispatcher = _dispatcher(ctx, sender, backoff=dt.timedelta(seconds=1))
    original_send = sender.send
    calls = 0

    async def flaky_send(chat_id: str, replies: list[Reply], *, is_group: bool = False):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise SendTemporaryError("network down")
        return await original_send(chat_id, replies, is_group=is_group)

    sender.send = flaky_send  # type: ignore[method-assign]
    await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=1))
    await dispatcher.drain()

    parts = [item.reply.text for item in sender.sent]
    assert len(parts) == 4 and all(len(part) <= 2000 for part in parts)
    assert "\n".join(parts) == text
    assert (await _rows(ctx))["60"].parts_sent == 4


async def test_rows_of_a_channel_without_sender_wait(ctx: AppContext) -> None:
    await _queue(ctx, "zalo-1", channel="zalo")
    sender = RecordingSender(TELEGRAM)

    stats = await _dispatcher(ctx, sender).drain()

    assert stats.claimed == 0
    assert (await _rows(ctx))["zalo-1"].status is OutboxStatus.PENDING


async def test_window_over_means_skipped_or_failed(ctx: AppContext, clock: FrozenClock) -> None:
    await _queue(ctx, "70", expires_in=dt.timedelta(hours=1))
    await _queue(ctx, "71", expires_in=dt.timedelta(hours=1))
    sender = RecordingSender()
    sender.fail("71", SendTemporaryError("500"))
    dispatcher = _dispatcher(ctx, sender, backoff=dt.timedelta(hours=2))
    sender.fail("70", SendRateLimited(7200))

    await dispatcher.drain()
    clock.advance(dt.timedelta(hours=1))
    stats = await dispatcher.drain()

    rows = await _rows(ctx)
    assert stats.skipped == 2
    assert rows["70"].status is OutboxStatus.SKIPPED  # never really tried
    assert rows["71"].status is OutboxStatus.FAILED
    assert sender.sent == []


async def test_rows_of_a_crashed_instance_are_reclaimed_after_the_lease(
    ctx: AppContext, clock: FrozenClock
) -> None:
    for chat in ("80", "81", "82"):
        await _queue(ctx, chat)
    hung = asyncio.Event()

    class HangingSender(RecordingSender):
        async def send(self, chat_id, replies, *, is_group=False):  # type: ignore[no-untyped-def]
            hung.set()
            await asyncio.Event().wait()

    crashed = _dispatcher(ctx, HangingSender(), concurrency=1)
    task = asyncio.create_task(crashed.dispatch_once())
    await asyncio.wait_for(hung.wait(), 5)
    task.cancel()  # the instance dies mid-send: its rows stay 'sending'
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert {row.status for row in (await _rows(ctx)).values()} == {OutboxStatus.SENDING}

    sender = RecordingSender()
    restarted = _dispatcher(ctx, sender, lease=dt.timedelta(minutes=2))
    clock.advance(dt.timedelta(minutes=1))
    assert (await restarted.drain()).claimed == 0  # still within the lease
    clock.advance(dt.timedelta(minutes=1, seconds=1))
    stats = await restarted.drain()

    assert stats.reclaimed == 3 and stats.sent == 3
    assert sorted(item.chat_id for item in sender.sent) == ["80", "81", "82"]
    rows = await _rows(ctx)
    assert all(row.claimed_by == restarted.instance for row in rows.values())


def test_fit_replies_makes_one_call_per_reply() -> None:
    document = Document(name="bao-cao.xlsx", mime="application/octet-stream", content=b"x")
    photo = Document(name="chart.png", mime="image/png", content=b"p")
    buttons = [[Button("Báo cáo NV-01", "rp:NV-01")]]

    telegram = fit_replies(
        [Reply("a" * 5000, buttons=buttons), Reply("Biểu đồ", photo=photo, document=document)],
        TELEGRAM,
    )
    zalo = fit_replies(
        [Reply("Nhắc việc", buttons=buttons), Reply("b" * 1500, document=document)], ZALO
    )

    assert [(len(r.text), bool(r.buttons), r.photo, r.document) for r in telegram] == [
        (4096, False, None, None),
        (904, True, None, None),
        (7, False, photo, None),
        (0, False, None, document),
    ]
    assert [(r.text[:4], r.buttons, r.document) for r in zalo] == [
        ("Nhắc", [], None),
        ("bbbb", [], None),
        ("", [], document),
    ]

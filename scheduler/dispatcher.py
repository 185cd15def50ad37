"""The outbox dispatcher: claim due rows, send them within the channel's limits, record.

One pass (:meth:`OutboxDispatcher.dispatch_once`):

1. Housekeeping: rows left in ``sending`` longer than the lease (an instance crashed in the
   middle of a send) go back to ``pending``; pending rows whose window is over become
   ``skipped`` (or ``failed`` if they were tried).
2. Claim a batch of due rows (``pending``, ``not_before <= now``), most urgent first, and mark
   them ``sending`` with this instance's id. PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``
   inside the ``UPDATE``, so concurrent instances never claim the same row. SQLite: the same
   single ``UPDATE … RETURNING`` statement (one instance only; see ``scheduler.locks``).
3. Send each row, every part paced by the :class:`~scheduler.ratelimit.RateLimiter`, and
   record the outcome in its own short transaction:

   - sent → ``sent`` with the channel's message id;
   - 429 → back to ``pending`` after ``retry_after`` (not counted as an attempt);
   - 5xx / network error → retried with exponential backoff, ``failed`` after
     ``max_attempts`` (logged, and counted in the leaders' and admins' digest);
   - timeout after the request left (ambiguous) → retried the same way and counted
     (a missed reminder is worse than a double one), ``unknown`` when attempts run out;
   - 403 blocked → ``failed``; the chat account (or group binding) is deactivated and the
     admins get a notice;
   - 400 rejected → ``failed``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.channel_traits import TRAITS, ChannelTraits
from bot.context import AppContext
from bot.messages import Reply, split_text
from bot.models import (
    ChannelIdentity,
    GroupBinding,
    Official,
    OutboxMessage,
    OutboxPayload,
    OutboxStatus,
    Role,
)
from bot.options import as_numbered, chat_account, remember_options
from bot.sending import (
    ChannelSender,
    SendAmbiguous,
    SendBlocked,
    SendRateLimited,
    SendRejected,
    SendTemporaryError,
)
from bot.services.identities import deactivate_chat
from bot.services.outbox import enqueue, official_recipients
from scheduler.ratelimit import HEADROOM, RateLimiter, rates_from_settings
from scheduler.texts import TEXTS

log = logging.getLogger(__name__)

#: Longest text sent as a file's caption; a longer text goes first as its own message.
CAPTION_LIMIT = 1024
MAX_BACKOFF = dt.timedelta(minutes=10)


def instance_id() -> str:
    """Who claims rows: host, process and a random suffix (unique per running instance)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class DispatchStats:
    """What happened in one or more passes; every field is a count of rows (or sends)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    ambiguous: int = 0
    failed: int = 0
    unknown: int = 0
    blocked: int = 0
    skipped: int = 0
    reclaimed: int = 0

    def add(self, other: DispatchStats) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


@dataclass(frozen=True)
class _Claimed:
    id: int
    channel: str
    chat_id: str
    is_group: bool
    kind: str
    priority: int
    payload: dict[str, Any]
    parts_sent: int
    attempts: int


def fit_replies(replies: Sequence[Reply], traits: ChannelTraits) -> list[Reply]:
    """Split replies so that each one is exactly one channel call: long texts on line
    boundaries, files as their own messages (text as caption when it fits), no buttons
    where the channel has none (the text of a reminder says how to answer instead)."""
    parts: list[Reply] = []
    for reply in replies:
        buttons = reply.buttons if traits.buttons else []
        files = [(reply.photo, None), (None, reply.document)]
        attached = [(photo, doc) for photo, doc in files if photo or doc]
        text = reply.text
        if not attached or len(text) > CAPTION_LIMIT:
            chunks = split_text(text, traits.max_text) if text.strip() else []
            parts += [Reply(chunk) for chunk in chunks]
            text = ""
        for photo, document in attached:
            parts.append(Reply(text, photo=photo, document=document))
            text = ""
        if parts and buttons:
            parts[-1].buttons = buttons
    return parts


class OutboxDispatcher:
    """Sends what the outbox holds through ``senders`` (channel name → sender)."""

    def __init__(
        self,
        ctx: AppContext,
        senders: Mapping[str, ChannelSender],
        *,
        instance: str | None = None,
        limiter: RateLimiter | None = None,
        batch_size: int = 100,
        concurrency: int = 32,
        lease: dt.timedelta = dt.timedelta(minutes=2),
        max_attempts: int = 5,
        backoff: dt.timedelta = dt.timedelta(seconds=5),
        tick: float = 5.0,
    ) -> None:
        self.ctx = ctx
        self.senders = senders
        self.instance = instance or instance_id()
        self.limiter = limiter or RateLimiter(
            rates_from_settings(ctx.settings.rate_limits, headroom=HEADROOM)
        )
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.tick = tick
        self.totals = DispatchStats()
        self._stopping = asyncio.Event()

    # -- the loop ------------------------------------------------------------------------

    async def run(self) -> None:
        """Dispatch until :meth:`request_stop` (or cancelled): woken by ``ctx.outbox_ready``
        or every ``tick`` seconds. A stop lets the batch in hand finish, so no transaction is
        cut off half-way."""
        ready = self.ctx.outbox_ready
        while not self._stopping.is_set():
            ready.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox dispatch failed; retrying in %.0f s", self.tick)
            woken = asyncio.ensure_future(ready.wait())
            stopping = asyncio.ensure_future(self._stopping.wait())
            try:
                await asyncio.wait(
                    {woken, stopping}, timeout=self.tick, return_when="FIRST_COMPLETED"
                )
            finally:
                woken.cancel()
                stopping.cancel()

    def request_stop(self) -> None:
        """Ask :meth:`run` to return once the batch in hand is sent and recorded."""
        self._stopping.set()

    async def drain(self) -> DispatchStats:
        """Pass after pass until nothing is due now."""
        total = DispatchStats()
        while not self._stopping.is_set():
            stats = await self.dispatch_once()
            total.add(stats)
            if stats.claimed == 0:
                break
        return total

    async def dispatch_once(self) -> DispatchStats:
        """Housekeeping, one claimed batch, every row of it sent and recorded."""
        stats = DispatchStats()
        await self._housekeeping(stats)
        rows = await self._claim()
        stats.claimed = len(rows)
        if rows:
            slots = asyncio.Semaphore(self.concurrency)

            async def deliver(row: _Claimed) -> None:
                async with slots:
                    await self._deliver(row, stats)

            await asyncio.gather(*(deliver(row) for row in rows))
        self.totals.add(stats)
        return stats

    # -- claiming ------------------------------------------------------------------------

    async def _housekeeping(self, stats: DispatchStats) -> None:
        now = self.ctx.now()
        async with self.ctx.db.session() as session:
            reclaimed = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_at < now - self.lease,
                )
                .values(
                    status=OutboxStatus.PENDING,
                    claimed_by=None,
                    last_error="lease expired: the sending instance stopped mid-send",
                )
                .execution_options(synchronize_session=False)
            )
            expired = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.expires_at <= now,
                )
                .values(
                    status=case(
                        (OutboxMessage.attempts > 0, OutboxStatus.FAILED.value),
                        else_=OutboxStatus.SKIPPED.value,
                    )
                )
                .execution_options(synchronize_session=False)
            )
        stats.reclaimed += _rowcount(reclaimed)
        stats.skipped += _rowcount(expired)
        if stats.reclaimed:
            log.warning(
                "reclaimed %d outbox rows left in 'sending' by a stopped instance", stats.reclaimed
            )

    async def _claim(self) -> list[_Claimed]:
        channels = [name for name in self.senders]
        if not channels:
            return []
        now = self.ctx.now()
        async with self.ctx.db.session() as session:
            due = (
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.not_before <= now,
                    or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
                    OutboxMessage.channel.in_(channels),
                )
                .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
                .limit(self.batch_size)
            )
            if not self.ctx.db.is_sqlite:
                due = due.with_for_update(skip_locked=True)
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(due.scalar_subquery()))
                .values(
                    status=OutboxStatus.SENDING,
                    claimed_by=self.instance,
                    claimed_at=now,
                    attempts=OutboxMessage.attempts + 1,
                )
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.channel,
                    OutboxMessage.chat_id,
                    OutboxMessage.is_group,
                    OutboxMessage.kind,
                    OutboxMessage.priority,
                    OutboxMessage.payload,
                    OutboxMessage.parts_sent,
                    OutboxMessage.attempts,
                    OutboxMessage.shared_payload_id,
                )
                .execution_options(synchronize_session=False)
            )
            claimed = result.all()
            shared_ids = {row.shared_payload_id for row in claimed} - {None}
            shared: dict[int, dict[str, Any]] = {}
            if shared_ids:
                found = await session.execute(
                    select(OutboxPayload.id, OutboxPayload.payload).where(
                        OutboxPayload.id.in_(shared_ids)
                    )
                )
                shared = {payload_id: payload for payload_id, payload in found}
        rows = [
            _Claimed(
                id=row.id,
                channel=row.channel,
                chat_id=row.chat_id,
                is_group=row.is_group,
                kind=row.kind,
                priority=row.priority,
                payload=row.payload
                if row.shared_payload_id is None
                else shared[row.shared_payload_id],
                parts_sent=row.parts_sent,
                attempts=row.attempts,
            )
            for row in claimed
        ]
        return sorted(rows, key=lambda row: (row.priority, row.id))

    # -- sending -------------------------------------------------------------------------

    async def _deliver(self, row: _Claimed, stats: DispatchStats) -> None:
        sender = self.senders[row.channel]
        traits = TRAITS.get(row.channel, sender.traits)
        replies = [Reply.from_dict(item) for item in row.payload.get("replies", [])]
        options: list[str] = []
        account: tuple[str, str] | None = None
        if not traits.buttons and any(reply.buttons for reply in replies):
            # A notice with buttons (e.g. approve/reject) on a channel without them: number
            # the options and remember them, so the person can answer "1" or "2".
            async with self.ctx.db.session() as session:
                account = await chat_account(session, row.channel, row.chat_id)
            language = account[1] if account else self.ctx.settings.language
            replies, options = as_numbered(replies, language)
        parts = fit_replies(replies, traits)
        sent = row.parts_sent
        first_id: str | None = None
        try:
            while sent < len(parts):
                await self.limiter.acquire(row.channel, row.chat_id, is_group=row.is_group)
                result = await sender.send(row.chat_id, [parts[sent]], is_group=row.is_group)
                first_id = first_id or result.message_id
                sent += 1
        except SendRateLimited as exc:
            self._count_send(row, metrics.SEND_RATE_LIMITED)
            stats.rate_limited += 1
            self.limiter.back_off(row.channel, row.chat_id, exc.retry_after, whole_channel=True)
            await self._retry(
                row, sent, exc, delay=dt.timedelta(seconds=exc.retry_after), count_attempt=False
            )
        except SendBlocked as exc:
            self._count_send(row, metrics.SEND_BLOCKED)
            stats.blocked += 1
            stats.failed += 1
            await self._blocked(row, sent, exc)
        except SendRejected as exc:
            self._count_send(row, metrics.SEND_REJECTED)
            stats.failed += 1
            log.warning("outbox %d to %s:%s rejected: %s", row.id, row.channel, row.chat_id, exc)
            await self._finish(row, OutboxStatus.FAILED, sent, error=f"rejected: {exc}")
        except SendAmbiguous as exc:
            self._count_send(row, metrics.SEND_AMBIGUOUS)
            stats.ambiguous += 1
            await self._retry_or_give_up(row, sent, exc, stats, final=OutboxStatus.UNKNOWN)
        except SendTemporaryError as exc:
            self._count_send(row, metrics.SEND_SERVER_ERROR)
            await self._retry_or_give_up(row, sent, exc, stats, final=OutboxStatus.FAILED)
        except Exception as exc:  # a sender bug must not stop the dispatcher
            log.exception("outbox %d: unexpected error from the %s sender", row.id, row.channel)
            self._count_send(row, metrics.SEND_ERROR)
            await self._retry_or_give_up(row, sent, exc, stats, final=OutboxStatus.FAILED)
        else:
            self._count_send(row, metrics.SEND_OK)
            stats.sent += 1
            await self._finish(row, OutboxStatus.SENT, sent, message_id=first_id)
            if options and account is not None:
                async with self.ctx.db.session() as session:
                    await remember_options(
                        session,
                        channel=row.channel,
                        chat_id=row.chat_id,
                        user_id=account[0],
                        options=options,
                        now=self.ctx.now(),
                    )

    def _count_send(self, row: _Claimed, result: str) -> None:
        self.ctx.metrics.sends.labels(channel=row.channel, result=result).inc()

    async def _retry_or_give_up(
        self,
        row: _Claimed,
        sent: int,
        exc: Exception,
        stats: DispatchStats,
        *,
        final: OutboxStatus,
    ) -> None:
        ambiguous = isinstance(exc, SendAmbiguous)
        if row.attempts >= self.max_attempts:
            if final is OutboxStatus.UNKNOWN:
                stats.unknown += 1
            else:
                stats.failed += 1
            log.error(
                "outbox %d (%s to %s:%s) gave up after %d attempts: %s",
                row.id,
                row.kind,
                row.channel,
                row.chat_id,
                row.attempts,
                exc,
            )
            await self._finish(row, final, sent, error=_describe(exc), ambiguous=ambiguous)
            return
        stats.retried += 1
        delay = min(self.backoff * 2 ** (row.attempts - 1), MAX_BACKOFF)
        await self._retry(row, sent, exc, delay=delay, ambiguous=ambiguous)

    async def _retry(
        self,
        row: _Claimed,
        sent: int,
        exc: Exception,
        *,
        delay: dt.timedelta,
        count_attempt: bool = True,
        ambiguous: bool = False,
    ) -> None:
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING,
            "not_before": self.ctx.now() + delay,
            "parts_sent": sent,
            "claimed_by": None,
            "last_error": _describe(exc),
        }
        if not count_attempt:
            values["attempts"] = OutboxMessage.attempts - 1
        if ambiguous:
            values["ambiguous"] = OutboxMessage.ambiguous + 1
        async with self.ctx.db.session() as session:
            await self._update_own(session, row, values)

    async def _finish(
        self,
        row: _Claimed,
        status: OutboxStatus,
        sent: int,
        *,
        message_id: str | None = None,
        error: str | None = None,
        ambiguous: bool = False,
    ) -> None:
        values: dict[str, Any] = {"status": status, "parts_sent": sent, "last_error": error}
        if status is OutboxStatus.SENT:
            values["sent_at"] = self.ctx.now()
            values["external_message_id"] = message_id
        if ambiguous:
            values["ambiguous"] = OutboxMessage.ambiguous + 1
        async with self.ctx.db.session() as session:
            await self._update_own(session, row, values)

    async def _update_own(
        self, session: AsyncSession, row: _Claimed, values: dict[str, Any]
    ) -> None:
        """Update a row this instance still holds (a reclaimed row is left to its new owner)."""
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_by == self.instance,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if not _rowcount(result):
            log.warning("outbox %d was reclaimed by another instance meanwhile", row.id)

    async def _blocked(self, row: _Claimed, sent: int, exc: SendBlocked) -> None:
        """403: deactivate the chat account or group binding and tell the admins."""
        log.warning("%s chat %s blocked the bot: %s", row.channel, row.chat_id, exc)
        async with self.ctx.db.session() as session:
            await self._update_own(
                session,
                row,
                {
                    "status": OutboxStatus.FAILED,
                    "parts_sent": sent,
                    "last_error": f"blocked: {exc}",
                },
            )
            who = await _chat_owner(session, row)
            if await deactivate_chat(session, self.ctx, row.channel, row.chat_id, reason="blocked"):
                await self._notify_admins(session, row, who)

    async def _notify_admins(self, session: AsyncSession, row: _Claimed, who: str) -> None:
        admin_ids = list(
            await session.scalars(
                select(Official.id).where(Official.role == Role.ADMIN, Official.active.is_(True))
            )
        )
        chats = await official_recipients(session, admin_ids)
        for recipients in chats.values():
            for recipient in recipients:
                if (recipient.channel, recipient.chat_id) == (row.channel, row.chat_id):
                    continue
                text = TEXTS.t(
                    "notice.blocked",
                    recipient.language,
                    who=who,
                    channel=row.channel.capitalize(),
                    chat=row.chat_id,
                )
                await enqueue(
                    session,
                    self.ctx,
                    recipient,
                    [Reply(text)],
                    kind="notice",
                    dedupe_key=f"notice:blocked:{row.id}:{recipient.key}",
                    priority=10,
                )


async def _chat_owner(session: AsyncSession, row: _Claimed) -> str:
    """Who a chat belongs to, for the admins' notice: officials (code) or the group's title."""
    if row.is_group:
        titles = await session.scalars(
            select(GroupBinding.title).where(
                GroupBinding.channel == row.channel, GroupBinding.chat_id == row.chat_id
            )
        )
        return ", ".join(title for title in titles if title) or row.chat_id
    names = await session.execute(
        select(Official.full_name, Official.code)
        .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
        .where(
            ChannelIdentity.channel == row.channel,
            ChannelIdentity.chat_id == row.chat_id,
            ChannelIdentity.active.is_(True),
        )
    )
    return ", ".join(f"{name} ({code})" for name, code in names) or row.chat_id


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _rowcount(result: object) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)

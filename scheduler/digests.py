"""Digests: daily to leaders and admins (city-wide) and to unit heads (their unit); weekly on
the first working day of the week, with the week's trend, a chart and the Excel report.

Idempotent per (recipient, period): a recipient's ``digest_log`` row (unique
``recipient_key`` + ``period``) is written in the same transaction as its outbox rows (unique
``digest:<official_id>:<period>:<channel>``), so a restart at 07:31 — or a second instance —
finds the row and sends nothing twice. The log also keeps the counts, which is how the next
digest shows the change ("Quá hạn: 12 (+3)").

Periods: ``2025-12-09`` for a daily digest, ``2025-W50`` for a weekly one. On the weekly day
the weekly digest replaces the daily one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import WorkCalendar
from bot.charts import status_chart_png
from bot.context import AppContext
from bot.digest import counts_for_log, render_digest
from bot.evaluation.trends import TrendPoint, weekly_trend
from bot.i18n import format_date
from bot.messages import Document, Reply
from bot.models import DigestLog, Official, OutboxMessage, OutboxStatus, Role, Unit
from bot.services.outbox import Recipient, enqueue, official_recipients
from bot.services.summary import Summary, build_summary
from scheduler import locks
from scheduler.texts import TEXTS

log = logging.getLogger(__name__)

DAILY_JOB = "digest.daily"
WEEKLY_JOB = "digest.weekly"
DIGEST_PRIORITY = 25


@dataclass(frozen=True)
class DigestTarget:
    """One person who gets a digest, and its scope (None: the whole city)."""

    official_id: int | None
    """None for a digest printed for a scope rather than a person (``dondoc digest``)."""
    name: str
    language: str
    unit_id: int | None
    unit_name: str | None
    with_delivery: bool
    """Leaders and admins also see how reminders were delivered."""
    leader: bool = False
    """A leader's digest starts with the tasks they are in charge of (lãnh đạo phụ trách)."""

    @property
    def recipient_key(self) -> str:
        return f"official:{self.official_id}"

    @property
    def scope(self) -> str:
        return "city" if self.unit_id is None else f"unit:{self.unit_id}"


@dataclass
class DigestRound:
    period: str
    weekly: bool
    recipients: int = 0
    queued: int = 0
    already_sent: int = 0


def week_period(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def is_weekly_day(calendar: WorkCalendar, day: dt.date, weekday: int) -> bool:
    """The weekly digest day: the first working day of the ISO week on or after ``weekday``
    (Monday by default; the Tuesday when Monday is a holiday)."""
    if not calendar.is_working_day(day) or day.weekday() < weekday:
        return False
    earlier = day - dt.timedelta(days=day.weekday() - weekday)
    while earlier < day:
        if calendar.is_working_day(earlier):
            return False
        earlier += dt.timedelta(days=1)
    return True


async def run_daily(
    ctx: AppContext, now: dt.datetime | None = None, *, instance: str = ""
) -> DigestRound | None:
    """The morning digests of today (weekly ones on the weekly day); None when not due."""
    now = now or ctx.now()
    local = now.astimezone(ctx.tz)
    day = local.date()
    schedule = ctx.settings.digests
    if not ctx.calendar.is_working_day(day) or local.time() < schedule.daily_time:
        return None
    if is_weekly_day(ctx.calendar, day, schedule.weekly_weekday):
        return await run_weekly(ctx, now, instance=instance)
    return await _run(ctx, now, day, weekly=False, instance=instance)


async def run_weekly(
    ctx: AppContext, now: dt.datetime | None = None, *, instance: str = ""
) -> DigestRound | None:
    """The weekly digests, on the weekly day after the digest time; None when not due."""
    now = now or ctx.now()
    local = now.astimezone(ctx.tz)
    day = local.date()
    schedule = ctx.settings.digests
    if local.time() < schedule.daily_time or not is_weekly_day(
        ctx.calendar, day, schedule.weekly_weekday
    ):
        return None
    return await _run(ctx, now, day, weekly=True, instance=instance)


async def _run(
    ctx: AppContext, now: dt.datetime, day: dt.date, *, weekly: bool, instance: str
) -> DigestRound:
    job = WEEKLY_JOB if weekly else DAILY_JOB
    period = week_period(day) if weekly else day.isoformat()
    result = DigestRound(period=period, weekly=weekly)
    async with ctx.db.session() as session:
        if await locks.run_done(session, job, period):
            return result
        targets = await digest_targets(session)
    expires_at = ctx.at_local(day, ctx.settings.reminders.send_until)
    for target in targets:
        async with ctx.db.session() as session:
            queued = await _send_one(session, ctx, target, day, period, weekly, expires_at)
        result.recipients += 1
        if queued is None:
            result.already_sent += 1
        else:
            result.queued += queued
    async with ctx.db.session() as session:
        await locks.mark_run(session, ctx, job, period, instance=instance, queued=result.queued)
    log.info(
        "%s digests %s: %d queued, %d already sent",
        "weekly" if weekly else "daily",
        period,
        result.queued,
        result.already_sent,
    )
    return result


async def digest_targets(session: AsyncSession) -> list[DigestTarget]:
    """Leaders and admins (city-wide) and unit heads (their unit), active ones only."""
    rows = await session.execute(
        select(Official, Unit.name)
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .where(
            Official.active.is_(True),
            or_(
                Official.role.in_((Role.LEADER, Role.ADMIN, Role.HEAD)),
                Unit.head_id == Official.id,
            ),
        )
        .order_by(Official.id)
    )
    targets = []
    for official, unit_name in rows:
        city = official.role in (Role.LEADER, Role.ADMIN)
        if not city and official.unit_id is None:
            continue
        targets.append(
            DigestTarget(
                official_id=official.id,
                name=official.full_name,
                language=official.language,
                unit_id=None if city else official.unit_id,
                unit_name=None if city else unit_name,
                with_delivery=city,
                leader=official.role is Role.LEADER,
            )
        )
    return targets


async def _send_one(
    session: AsyncSession,
    ctx: AppContext,
    target: DigestTarget,
    day: dt.date,
    period: str,
    weekly: bool,
    expires_at: dt.datetime,
) -> int | None:
    """Queue one person's digest; None if their digest of this period exists already."""
    exists = await session.scalar(
        select(DigestLog.id).where(
            DigestLog.recipient_key == target.recipient_key, DigestLog.period == period
        )
    )
    if exists is not None:
        return None
    if target.official_id is None:
        return 0
    chats = (await official_recipients(session, [target.official_id])).get(target.official_id)
    if not chats:
        return 0
    replies, counts = await build_digest(session, ctx, target, day, weekly=weekly)
    return await log_and_enqueue(
        session, ctx, target, chats, period, replies, counts, day=day, expires_at=expires_at
    )


async def log_and_enqueue(
    session: AsyncSession,
    ctx: AppContext,
    target: DigestTarget,
    chats: Sequence[Recipient],
    period: str,
    replies: list[Reply],
    counts: dict[str, int],
    *,
    day: dt.date,
    expires_at: dt.datetime,
) -> int | None:
    """Record ``target``'s digest of ``period`` (unique per recipient and period, so several
    instances send it once) and queue it to each of their chats; None if it was recorded
    before."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    logged = await session.execute(
        insert(DigestLog)
        .values(
            recipient_key=target.recipient_key,
            scope=target.scope,
            period=period,
            counts=counts,
            created_at=ctx.now(),
        )
        .on_conflict_do_nothing(index_elements=["recipient_key", "period"])
    )
    if not getattr(logged, "rowcount", 0):
        return None
    queued = 0
    for chat in chats:
        queued += await enqueue(
            session,
            ctx,
            chat,
            replies,
            kind="digest",
            dedupe_key=f"digest:{target.official_id}:{period}:{chat.channel}",
            priority=DIGEST_PRIORITY,
            window_day=day,
            expires_at=expires_at,
        )
    return queued


async def build_digest(
    session: AsyncSession,
    ctx: AppContext,
    target: DigestTarget,
    day: dt.date,
    *,
    weekly: bool,
    attachments: bool = True,
) -> tuple[list[Reply], dict[str, int]]:
    """The replies of one digest and the counts to log (also used by ``dondoc digest``);
    a weekly digest has the chart and the Excel report unless ``attachments`` is False."""
    previous_log = await _previous_log(session, ctx, target, weekly=weekly)
    since = (
        ctx.now() - dt.timedelta(days=7)
        if weekly or previous_log is None
        else previous_log.created_at
    )
    summary = await build_summary(session, ctx, unit_id=target.unit_id, since=since)
    delivery = (
        await delivery_figures(session, ctx, day, weekly=weekly) if target.with_delivery else None
    )
    in_charge = (
        await build_summary(session, ctx, leader_id=target.official_id, since=since)
        if target.leader and target.official_id is not None
        else None
    )
    lang = target.language
    scope_name = target.unit_name or TEXTS.t("digest.scope_city", lang)
    text = render_digest(
        summary,
        lang,
        scope_name=scope_name,
        previous=previous_log.counts if previous_log else None,
        weekly=weekly,
        silent_days=ctx.settings.digests.no_report_days,
        escalate_after_days=ctx.settings.reminders.overdue_escalate_after_days,
        delivery=delivery,
        tz=ctx.tz,
        in_charge=in_charge,
    )
    replies = [Reply(text)]
    if weekly and attachments:
        replies += await _weekly_attachments(session, ctx, summary, target, day)
    return replies, counts_for_log(summary)


async def _previous_log(
    session: AsyncSession, ctx: AppContext, target: DigestTarget, *, weekly: bool
) -> DigestLog | None:
    """The digest to compare with: the last one, or for a weekly digest the one a week ago."""
    if target.official_id is None:
        return None
    query = select(DigestLog).where(
        DigestLog.recipient_key == target.recipient_key, DigestLog.scope == target.scope
    )
    if weekly:
        query = query.where(DigestLog.created_at <= ctx.now() - dt.timedelta(days=6))
    return await session.scalar(query.order_by(DigestLog.created_at.desc()).limit(1))


async def delivery_figures(
    session: AsyncSession, ctx: AppContext, day: dt.date, *, weekly: bool
) -> dict[str, int]:
    """How the reminders of the previous window(s) went: sent, late, failed, skipped."""
    first = (
        day - dt.timedelta(days=7)
        if weekly
        else ctx.calendar.previous_working_day(day, inclusive=False)
    )
    rows = await session.execute(
        select(OutboxMessage.status, OutboxMessage.late, func.count())
        .where(
            OutboxMessage.kind == "reminder",
            OutboxMessage.window_day >= first,
            OutboxMessage.window_day < day,
        )
        .group_by(OutboxMessage.status, OutboxMessage.late)
    )
    figures = {"sent": 0, "late": 0, "failed": 0, "skipped": 0}
    for status, late, count in rows:
        if status is OutboxStatus.SENT:
            figures["sent"] += count
            figures["late"] += count if late else 0
        elif status in (OutboxStatus.FAILED, OutboxStatus.UNKNOWN):
            figures["failed"] += count
        elif status is OutboxStatus.SKIPPED:
            figures["skipped"] += count
    return figures


async def _trend(session: AsyncSession, summary: Summary, day: dt.date) -> list[TrendPoint]:
    """The city's weekly trend from the daily snapshots, this week being today's figures."""
    now = TrendPoint(week=day - dt.timedelta(days=day.weekday()), day=day, counts=summary.counts)
    earlier = await weekly_trend(session, day)
    return [point for point in earlier if point.week != now.week] + [now]


async def _weekly_attachments(
    session: AsyncSession,
    ctx: AppContext,
    summary: Summary,
    target: DigestTarget,
    day: dt.date,
) -> list[Reply]:
    """The chart (city-wide digests) and the Excel status report of the digest's scope."""
    lang = target.language
    replies = []
    if target.unit_id is None and summary.units:
        chart = status_chart_png(summary.units, lang, trend=await _trend(session, summary, day))
        caption = TEXTS.t("digest.chart_caption", lang, week=week_period(day))
        replies.append(
            Reply(
                caption,
                photo=Document(
                    name=f"tinh-hinh-{day.isoformat()}.png", mime="image/png", content=chart
                ),
            )
        )
    from bot.exporting import XLSX_MIME, build_status_workbook  # openpyxl only when needed

    workbook = await build_status_workbook(session, ctx, unit_id=target.unit_id)
    caption = TEXTS.t("digest.report_caption", lang, date=format_date(day, lang))
    replies.append(
        Reply(
            caption,
            document=Document(
                name=f"bao-cao-tinh-hinh-{day.isoformat()}.xlsx", mime=XLSX_MIME, content=workbook
            ),
        )
    )
    return replies

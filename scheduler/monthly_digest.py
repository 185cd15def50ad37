"""The monthly digest: on the first working day of each month, leaders and admins get the
previous month's results — the city's scorecard on both bases, the rankings of departments
and communes with ratings and the change of place — and the "Báo cáo kết quả thực hiện nhiệm
vụ" attached (.docx).

Idempotent like the daily and weekly digests (scheduler/digests.py): one ``digest_log`` row
per (recipient, period ``2026-11``) written with the outbox rows, and a ``job_runs`` row per
round."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import WorkCalendar
from bot.context import AppContext
from bot.evaluation.periods import Period, month
from bot.evaluation.ranking import Evaluation, evaluate
from bot.evaluation.render import ReportFormat, render_report, report_file_name
from bot.evaluation.report import CITY_NAME, period_words
from bot.i18n import format_date
from bot.messages import Document, Reply
from bot.services.outbox import official_recipients
from bot.status import STATUS_ORDER
from bot.texts import TEXTS as DOMAIN_TEXTS
from scheduler import locks
from scheduler.digests import DigestRound, DigestTarget, digest_targets, log_and_enqueue
from scheduler.texts import TEXTS

log = logging.getLogger(__name__)

MONTHLY_JOB = "digest.monthly"
RANKED_LINES = 10


def is_monthly_day(calendar: WorkCalendar, day: dt.date) -> bool:
    """The first working day of the month (e.g. 02/01/2026 is off, so Monday 05/01)."""
    if not calendar.is_working_day(day):
        return False
    earlier = day.replace(day=1)
    while earlier < day:
        if calendar.is_working_day(earlier):
            return False
        earlier += dt.timedelta(days=1)
    return True


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def render_monthly(evaluation: Evaluation, lang: str) -> str:
    """The digest text: city figures on both bases, the rankings (top lines), the cap note."""

    def pct(value: float | None) -> str:
        text = _number(value or 0.0)
        return text if lang == "en" else text.replace(".", ",")

    card = evaluation.total
    words = period_words(evaluation.period).upper() if lang != "en" else evaluation.period.label
    lines = [
        TEXTS.t("monthly.title", lang, period=words),
        TEXTS.t("monthly.as_of", lang, date=format_date(evaluation.as_of, lang)),
        "",
        TEXTS.t("monthly.total", lang, total=card.total, with_deadline=card.with_deadline),
    ]
    for status in STATUS_ORDER:
        lines.append(
            TEXTS.t(
                "monthly.status",
                lang,
                name=DOMAIN_TEXTS.t(f"status.{status.value}", lang),
                n=card.counts[status],
                all=pct(100 * card.counts[status] / card.total if card.total else 0),
                deadline=pct(
                    100 * card.deadline_count(status) / card.with_deadline
                    if card.with_deadline
                    else 0
                ),
            )
        )
        if status is STATUS_ORDER[0]:
            lines.append(
                TEXTS.t("monthly.done_without_deadline", lang, n=card.done_without_deadline)
            )
    lines.append(TEXTS.t("monthly.score", lang, score=pct(card.score)))
    for kind, ranking in evaluation.rankings.items():
        lines += ["", TEXTS.t(f"monthly.ranking.{kind.value}", lang)]
        for row in ranking.rows[:RANKED_LINES]:
            change = "" if row.change is None else f" ({row.change:+d})"
            rating = TEXTS.t(f"rating.{row.card.rating.value}", lang) if row.card.rating else ""
            lines.append(
                TEXTS.t(
                    "monthly.row",
                    lang,
                    place=row.position,
                    name=row.card.name,
                    score=pct(row.card.score),
                    rating=rating,
                    change=change,
                )
            )
        if len(ranking.rows) > RANKED_LINES:
            lines.append(TEXTS.t("monthly.more", lang, n=len(ranking.rows) - RANKED_LINES))
        if ranking.cap.exceeded:
            cap = ranking.cap
            lines.append(
                TEXTS.t(
                    "monthly.cap",
                    lang,
                    excellent=cap.excellent,
                    rated=cap.rated,
                    cap=_number(cap.cap_percent),
                    allowed=cap.allowed,
                )
            )
    return "\n".join(lines)


async def build_monthly(
    session: AsyncSession, ctx: AppContext, period: Period, lang: str
) -> tuple[list[Reply], dict[str, int]]:
    """The replies (text, then the report) and the counts to log."""
    evaluation = await evaluate(session, ctx, period, CITY_NAME)
    report = await render_report(session, ctx, period, ReportFormat.DOCX)
    words = period_words(period) if lang != "en" else period.label
    caption = TEXTS.t("monthly.report_caption", lang, period=words)
    replies = [
        Reply(render_monthly(evaluation, lang)),
        Reply(
            caption,
            document=Document(
                name=report_file_name(period, ReportFormat.DOCX),
                mime=ReportFormat.DOCX.mime,
                content=report,
            ),
        ),
    ]
    counts = {status.value: int(evaluation.total.counts[status]) for status in STATUS_ORDER}
    counts["total"] = evaluation.total.total
    return replies, counts


async def run_monthly(
    ctx: AppContext, now: dt.datetime | None = None, *, instance: str = ""
) -> DigestRound | None:
    """Last month's results to leaders and admins; None when not due."""
    now = now or ctx.now()
    local = now.astimezone(ctx.tz)
    day = local.date()
    if local.time() < ctx.settings.digests.daily_time or not is_monthly_day(ctx.calendar, day):
        return None
    period = month(day.replace(day=1) - dt.timedelta(days=1))
    result = DigestRound(period=period.label, weekly=False)
    async with ctx.db.session() as session:
        if await locks.run_done(session, MONTHLY_JOB, period.label):
            return result
        targets = [t for t in await digest_targets(session) if t.unit_id is None]
    built: dict[str, tuple[list[Reply], dict[str, int]]] = {}
    expires_at = ctx.at_local(day, ctx.settings.reminders.send_until)
    for target in targets:
        async with ctx.db.session() as session:
            if target.language not in built:
                built[target.language] = await build_monthly(session, ctx, period, target.language)
            replies, counts = built[target.language]
            queued = await _send_one(session, ctx, target, day, period, replies, counts, expires_at)
        result.recipients += 1
        if queued is None:
            result.already_sent += 1
        else:
            result.queued += queued
    async with ctx.db.session() as session:
        await locks.mark_run(
            session, ctx, MONTHLY_JOB, period.label, instance=instance, queued=result.queued
        )
    log.info("monthly digests %s: %d queued", period.label, result.queued)
    return result


async def _send_one(
    session: AsyncSession,
    ctx: AppContext,
    target: DigestTarget,
    day: dt.date,
    period: Period,
    replies: list[Reply],
    counts: dict[str, int],
    expires_at: dt.datetime,
) -> int | None:
    """Queue one leader's monthly digest; None if it was queued before."""
    if target.official_id is None:
        return 0
    chats = (await official_recipients(session, [target.official_id])).get(target.official_id)
    if not chats:
        return 0
    return await log_and_enqueue(
        session, ctx, target, chats, period.label, replies, counts, day=day, expires_at=expires_at
    )

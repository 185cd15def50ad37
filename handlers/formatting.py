"""How tasks, reports and deadlines read in chat (plain text: it must work on every channel)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.context import AppContext
from bot.i18n import format_date, format_datetime, shorten
from bot.models import DeadlineChange, ExtensionRequest, Report, Task, TaskState
from bot.services.people import person_label
from bot.services.summary import task_status
from bot.status import StatusInfo
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.texts import named
from handlers.texts import TEXTS


def status_label(info: StatusInfo, lang: str) -> str:
    """``Quá hạn`` or ``Đang thực hiện trong hạn (Sắp đến hạn)``."""
    label = DOMAIN_TEXTS.t(f"status.{info.status.value}", lang)
    warnings = [DOMAIN_TEXTS.t(f"warning.{w.value}", lang) for w in sorted(info.warnings)]
    return f"{label} ({', '.join(warnings)})" if warnings else label


def timing(ctx: AppContext, task: Task, info: StatusInfo, lang: str) -> str:
    """Days left or late against the current deadline, in words."""
    if info.status.is_done:
        if info.days_late:
            return DOMAIN_TEXTS.t("days_late", lang, n=info.days_late)
        return DOMAIN_TEXTS.t("status.done_on_time", lang).lower()
    if task.deadline is None:
        return DOMAIN_TEXTS.t("no_deadline", lang)
    if info.days_late is not None:
        return DOMAIN_TEXTS.t("days_late", lang, n=info.days_late)
    if task.deadline == ctx.today():
        return DOMAIN_TEXTS.t("due_today", lang)
    return DOMAIN_TEXTS.t("days_left", lang, n=info.days_left or 0)


def last_report(ctx: AppContext, task: Task, lang: str) -> str:
    if task.last_report_at is None:
        return TEXTS.t("task.never_reported", lang)
    return TEXTS.t("task.last_report", lang, date=format_date(ctx.local_date(task.last_report_at)))


def task_line(
    ctx: AppContext, task: Task, lang: str, *, with_unit: bool = False, marker: str = ""
) -> str:
    """One line per task: code, title, deadline, days left or late, progress, last report,
    and the handling official when there is one."""
    info = task_status(ctx, task)
    unit = f" [{task.lead_unit.code}]" if with_unit else ""
    when = timing(ctx, task, info, lang)
    if task.deadline is not None:
        when = TEXTS.t("task.deadline", lang, date=format_date(task.deadline), timing=when)
    line = TEXTS.t(
        "task.line",
        lang,
        code=task.code,
        title=shorten(task.title),
        unit=unit,
        marker=marker,
        when=when,
        progress=task.progress,
        last=last_report(ctx, task, lang),
    )
    if task.handler is None:
        return line
    return line + TEXTS.t("task.handler", lang, name=task.handler.full_name)


def task_lines(
    ctx: AppContext, tasks: Sequence[Task], lang: str, *, with_unit: bool = False, limit: int = 30
) -> list[str]:
    """Task lines, at most ``limit``, with a "… and N more" line when some are left out."""
    lines = [task_line(ctx, task, lang, with_unit=with_unit) for task in tasks[:limit]]
    if len(tasks) > limit:
        lines.append(TEXTS.t("list.more", lang, n=len(tasks) - limit))
    return lines


def task_detail(
    ctx: AppContext,
    task: Task,
    lang: str,
    *,
    reports: Sequence[Report],
    changes: Sequence[DeadlineChange],
    pending: ExtensionRequest | None,
) -> str:
    """Everything about one task: facts, status, deadline history, every report."""
    t = TEXTS.t
    info = task_status(ctx, task)
    lines = [f"{task.code} — {task.title}"]
    if task.state is not TaskState.ACTIVE:
        lines.append(t(f"detail.{task.state.value}", lang, reason=task.state_reason))
    if task.source_document:
        lines.append(t("detail.source", lang, source=task.source_document))
    lines.append(t("detail.lead", lang, unit=task.lead_unit.name))
    if task.handler is not None:
        lines.append(t("detail.handler", lang, person=person_label(task.handler)))
    if task.leader_in_charge is not None:
        lines.append(t("detail.leader_in_charge", lang, person=person_label(task.leader_in_charge)))
    if task.coordinating_units:
        names = ", ".join(unit.name for unit in task.coordinating_units)
        lines.append(t("detail.coordinating", lang, units=names))
    if task.expected_output:
        lines.append(t("detail.output", lang, output=task.expected_output))
    lines.append(t("detail.deadline", lang, date=format_date(task.deadline, lang)))
    for change in changes:
        lines.append(
            t(
                "detail.deadline_change",
                lang,
                old=format_date(change.old_deadline, lang),
                new=format_date(change.new_deadline, lang),
                on=format_date(ctx.local_date(change.changed_at)),
                reason=change.reason or "—",
            )
        )
    if pending is not None:
        lines.append(
            t(
                "detail.pending_extension",
                lang,
                date=format_date(pending.new_deadline),
                reason=pending.reason,
            )
        )
    lines.append(
        t(
            "detail.status",
            lang,
            status=status_label(info, lang),
            timing=timing(ctx, task, info, lang),
        )
    )
    lines.append(t("detail.progress", lang, progress=task.progress))
    if task.completed_on is not None:
        lines.append(t("detail.completed", lang, date=format_date(task.completed_on)))
    lines.append("")
    if not reports:
        lines.append(t("detail.no_reports", lang))
        return "\n".join(lines)
    lines.append(t("detail.history", lang, n=len(reports)))
    for report in reports:
        lines.append(report_line(ctx, report, lang))
    return "\n".join(lines)


def report_line(ctx: AppContext, report: Report, lang: str) -> str:
    """``• 09:00 08/12/2025 — Nguyễn Thị Hoa: 60% — Đã trình dự thảo [tệp: DuThao.pdf]``."""
    who = named(report.official, lang) if report.official else "—"
    value = TEXTS.t("history.note", lang) if report.progress is None else f"{report.progress}%"
    parts = [f"• {format_datetime(report.created_at, ctx.tz)} — {who}: {value}"]
    if report.note:
        parts.append(f" — {report.note}")
    for attachment in report.attachments:
        name = attachment.name or TEXTS.t(
            "file.photo" if attachment.kind == "photo" else "file.unnamed", lang
        )
        parts.append(" " + TEXTS.t("history.file", lang, name=name))
    return "".join(parts)

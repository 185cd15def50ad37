"""The digest as plain text: what leaders and unit heads read every morning and on /tonghop.

Plain text only (no markdown, no emoji) so the same string works on Telegram, Zalo and the
web chat; long digests are split on line boundaries by the channel layer
(``bot.messages.split_text``). The counts follow Vietnamese government reporting: the
four official categories, each with its share of all tasks and the share of its tasks with a
deadline among all tasks with a deadline, and the tasks without a deadline done counted apart —
as the city's monthly reports give both figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.i18n import Catalog, format_date, shorten
from bot.services.explanations import is_late
from bot.services.summary import Summary, TaskLine, UnitFigures
from bot.status import STATUS_ORDER, Status
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.texts import named

TEXTS = Catalog("digest")

MAX_TITLE = 60
MAX_DIGEST_CHARS = 3000
"""A digest a leader reads on a phone: about two screens of text at most."""
SECTION_CAPS = (5, 3, 1)
"""Lines per list, tried in turn until the digest fits :data:`MAX_DIGEST_CHARS` (the units
table gets twice as many)."""
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def counts_for_log(summary: Summary) -> dict[str, int]:
    """The figures a DigestLog row keeps, so the next digest can show the change."""
    counts = summary.counts
    data = {status.value: int(counts[status]) for status in STATUS_ORDER}
    data["total"] = summary.total
    data["with_deadline"] = summary.with_deadline
    return data


def render_digest(
    summary: Summary,
    lang: str,
    *,
    scope_name: str,
    previous: Mapping[str, int] | None = None,
    weekly: bool = False,
    silent_days: int = 7,
    escalate_after_days: int = 5,
    delivery: Mapping[str, int] | None = None,
    tz: dt.tzinfo = VN_TZ,
    in_charge: Summary | None = None,
) -> str:
    """The digest text for one scope (the city or one unit) in ``lang`` ("vi" or "en").

    ``previous`` is the :func:`counts_for_log` of the digest this one is compared with (the
    last daily one, or a week ago for the weekly digest). ``delivery`` (sent, late, failed,
    skipped) adds a reminder delivery line, for leaders and admins. ``tz`` turns stored
    UTC times into local dates. ``in_charge``, the summary of the tasks a leader is in charge
    of, puts a short section about them before the figures.
    """
    t = TEXTS.t
    title = t("title.weekly" if weekly else "title.daily", lang)
    lines = [title, t("scope", lang, scope=scope_name, date=format_date(summary.today, lang))]
    if in_charge is not None and in_charge.total:
        lines += ["", *_in_charge_lines(in_charge, lang)]
    if summary.total == 0:
        lines += ["", t("no_tasks", lang)]
        return "\n".join(lines)

    head = [*lines, "", *_count_lines(summary, lang, previous, weekly)]
    delivery_lines: list[str] = []
    if delivery is not None:
        delivery_lines = [
            "",
            t("delivery.header", lang),
            t(
                "delivery.line",
                lang,
                sent=delivery.get("sent", 0),
                late=delivery.get("late", 0),
                failed=delivery.get("failed", 0),
                skipped=delivery.get("skipped", 0),
            ),
        ]
    text = ""
    for cap in SECTION_CAPS:
        body = _sections(summary, lang, cap, weekly, silent_days, escalate_after_days, tz)
        text = "\n".join([*head, *body, *delivery_lines])
        if len(text) <= MAX_DIGEST_CHARS:
            break
    return text


def _sections(
    summary: Summary,
    lang: str,
    cap: int,
    weekly: bool,
    silent_days: int,
    escalate_after_days: int,
    tz: dt.tzinfo,
) -> list[str]:
    """The units table and the lists, each at most ``cap`` lines plus "… and N more".

    Every task is listed once: the escalated overdue tasks have their own section, and the
    overdue list holds the others.
    """
    t = TEXTS.t
    many_units = len(summary.units) > 1
    lines: list[str] = []
    if many_units:
        lines += ["", *_unit_lines(summary.units, lang, cap * 2)]
    not_escalated_total = summary.counts[Status.OVERDUE] - summary.escalated_total
    sections: list[tuple[str, list[str], int, str]] = [
        (
            t("escalated.header", lang, n=escalate_after_days),
            [_task_line(line, lang, many_units) for line in summary.escalated],
            summary.escalated_total,
            "more.tasks",
        ),
        (
            t("overdue.header", lang),
            [_task_line(line, lang, many_units) for line in summary.overdue_not_escalated],
            not_escalated_total,
            "more.tasks",
        ),
        (
            t("due_week.header", lang),
            [_task_line(line, lang, many_units) for line in summary.due_this_week],
            summary.due_this_week_total,
            "more.tasks",
        ),
        (
            t("silent.header", lang, n=silent_days),
            [_silent_line(unit, lang, tz) for unit in summary.silent_units],
            len(summary.silent_units),
            "units.more",
        ),
        (
            t("extensions.header", lang),
            _extension_lines(summary, lang, tz),
            len(summary.pending_extensions),
            "more.requests",
        ),
        (
            t("advice.header", lang, n=summary.pending_advice.recommendations),
            _advice_lines(summary, lang, tz),
            summary.pending_advice.tasks,
            "advice.more",
        ),
        (
            t("explanations.header", lang, n=summary.open_explanations_total),
            _explanation_lines(summary, lang),
            summary.open_explanations_total,
            "explanations.more",
        ),
        (
            t("completed.header.weekly" if weekly else "completed.header.daily", lang),
            [_task_line(line, lang, many_units, state=False) for line in summary.completed_since],
            summary.completed_total,
            "more.tasks",
        ),
    ]
    for header, body, total, more_key in sections:
        if not body:
            continue
        shown = body[:cap]
        lines += ["", header, *shown]
        hidden = max(total, len(body)) - len(shown)
        if hidden > 0:
            lines.append(t(more_key, lang, n=hidden))
    return lines


def _in_charge_lines(summary: Summary, lang: str) -> list[str]:
    """The tasks a leader is in charge of: the four categories, then their overdue tasks."""
    counts = summary.counts
    lines = [TEXTS.t("in_charge.header", lang, n=summary.total)]
    for status in STATUS_ORDER:
        lines.append(f"- {DOMAIN_TEXTS.t(f'status.{status.value}', lang)}: {counts[status]}")
    if summary.overdue:
        lines.append(TEXTS.t("in_charge.overdue", lang))
        lines += [_task_line(line, lang, True) for line in summary.overdue]
    return lines


def _count_lines(
    summary: Summary, lang: str, previous: Mapping[str, int] | None, weekly: bool
) -> list[str]:
    total, with_deadline = summary.total, summary.with_deadline
    lines = [
        TEXTS.t(
            "total",
            lang,
            total=f"{total}{_change(total, previous, 'total')}",
            with_deadline=with_deadline,
            without=total - with_deadline,
        )
    ]
    if previous is not None:
        lines.append(TEXTS.t("change.weekly" if weekly else "change.daily", lang))
    counts, deadline_counts = summary.counts, summary.deadline_counts
    for status in STATUS_ORDER:
        count = counts[status]
        shares = [TEXTS.t("share_all", lang, pct=_percent(count, total, lang))]
        if with_deadline:
            share = _percent(deadline_counts[status], with_deadline, lang)
            shares.append(TEXTS.t("share_deadline", lang, pct=share))
        name = DOMAIN_TEXTS.t(f"status.{status.value}", lang)
        lines.append(
            f"- {name}: {count}{_change(count, previous, status.value)} ({'; '.join(shares)})"
        )
        if status is Status.DONE_ON_TIME:
            lines.append(TEXTS.t("done_without_deadline", lang, n=summary.done_without_deadline))
    return lines


def _change(value: int, previous: Mapping[str, int] | None, key: str) -> str:
    if previous is None or key not in previous:
        return ""
    delta = value - int(previous[key])
    return f" ({delta:+d})"


def _percent(part: int, whole: int, lang: str) -> str:
    if whole == 0:
        return "0%"
    text = f"{100 * part / whole:.1f}%"
    return text if lang == "en" else text.replace(".", ",")


def _unit_lines(units: list[UnitFigures], lang: str, cap: int) -> list[str]:
    """One line per unit (most overdue first), its four figures in the official order."""
    columns = " / ".join(DOMAIN_TEXTS.t(f"status.{s.value}", lang).lower() for s in STATUS_ORDER)
    lines = [TEXTS.t("units.header", lang, columns=columns)]
    for unit in units[:cap]:
        figures = " / ".join(str(unit.counts[status]) for status in STATUS_ORDER)
        lines.append(f"- {unit.name}: {figures}")
    if len(units) > cap:
        lines.append(TEXTS.t("units.more", lang, n=len(units) - cap))
    return lines


def _task_line(line: TaskLine, lang: str, with_unit: bool, *, state: bool = True) -> str:
    parts = [f"- {line.code} {shorten(line.title, MAX_TITLE)}"]
    if with_unit:
        parts[0] += f" ({line.unit_name})"
    details: list[str] = []
    if line.deadline is not None:
        details.append(TEXTS.t("deadline", lang, date=format_date(line.deadline, lang)))
    if state:
        if line.days_late is not None:
            details.append(DOMAIN_TEXTS.t("days_late", lang, n=line.days_late))
        elif line.days_left == 0:
            details.append(DOMAIN_TEXTS.t("due_today", lang))
        elif line.days_left is not None:
            details.append(DOMAIN_TEXTS.t("days_left", lang, n=line.days_left))
        details.append(f"{line.progress}%")
    if line.handler:
        details.append(TEXTS.t("handler", lang, name=line.handler))
    return f"{parts[0]}: {', '.join(details)}" if details else parts[0]


def _silent_line(unit: UnitFigures, lang: str, tz: dt.tzinfo) -> str:
    if unit.last_report_at is None:
        when = TEXTS.t("silent.never", lang)
    else:
        when = TEXTS.t(
            "silent.last", lang, date=format_date(unit.last_report_at.astimezone(tz).date(), lang)
        )
    return f"- {unit.name}: {when}"


def _extension_lines(summary: Summary, lang: str, tz: dt.tzinfo) -> list[str]:
    lines = []
    for request in summary.pending_extensions:
        lines.append(
            "- "
            + TEXTS.t(
                "extensions.line",
                lang,
                code=request.task.code,
                title=shorten(request.task.title, 40),
                old=format_date(request.old_deadline, lang),
                new=format_date(request.new_deadline, lang),
                who=named(request.requested_by, lang),
                on=format_date(request.requested_at.astimezone(tz).date(), lang),
            )
        )
    return lines


def _advice_lines(summary: Summary, lang: str, tz: dt.tzinfo) -> list[str]:
    """Recommendations awaiting a direction, one line per task (its oldest one shown)."""
    lines = []
    for item in summary.pending_advice.items:
        first = item.recommendations[0]
        many = len(item.recommendations) > 1
        lines.append(
            "- "
            + TEXTS.t(
                "advice.line_many" if many else "advice.line",
                lang,
                code=item.task.code,
                title=shorten(item.task.title, 40),
                unit=item.task.lead_unit.name,
                on=format_date(first.created_at.astimezone(tz).date(), lang),
                text=shorten(first.text, 80),
                n=len(item.recommendations),
            )
        )
    return lines


def _explanation_lines(summary: Summary, lang: str) -> list[str]:
    """Unanswered explanation requests: task, unit, due date; late ones marked."""
    lines = []
    for request in summary.open_explanations:
        late = is_late(request, summary.today)
        lines.append(
            "- "
            + TEXTS.t(
                "explanations.line_late" if late else "explanations.line",
                lang,
                code=request.task.code,
                title=shorten(request.task.title, 40),
                unit=request.unit.name,
                due=format_date(request.due_date, lang),
            )
        )
    return lines

"""HTML fragments of the dashboard: figure cards, sortable tables, task facts, links.

Pure functions from data to escaped markup; the pages in :mod:`bot.web.dashboard` put them
together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.context import AppContext
from bot.i18n import format_date, format_datetime
from bot.models import DeadlineChange, ExtensionRequest, Official, Report, Task
from bot.services.people import person_label
from bot.services.summary import (
    Summary,
    TaskLine,
    UnitFigures,
    task_status,
)
from bot.status import STATUS_ORDER, Status
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.web.html import Markup, join, path_part, render, safe_link
from bot.web.pages import csrf_input
from bot.web.texts import TEXTS


def task_url(code: str) -> str:
    return f"/tasks/{path_part(code)}"


def unit_url(code: str) -> str:
    return f"/units/{path_part(code)}"


def status_labels(lang: str) -> dict[Status, str]:
    return {status: DOMAIN_TEXTS.t(f"status.{status.value}", lang) for status in STATUS_ORDER}


def percent(part: int, whole: int) -> str:
    if not whole:
        return "0%"
    return f"{100 * part / whole:.1f}%".replace(".", ",")


def official_options(officials: Sequence[Official], lang: str) -> Markup:
    return join(
        render(
            '<option value="$code">$name — $role$unit</option>',
            code=o.code,
            name=o.full_name,
            role=DOMAIN_TEXTS.t(f"role.{o.role.value}", lang),
            unit=f" ({o.unit.name})" if o.unit else "",
        )
        for o in officials
    )


def figure_cards(
    counts: Mapping[Status, int], deadline_counts: Mapping[Status, int], lang: str
) -> Markup:
    """The four official categories as big numbers, each with its share of all tasks and of
    the tasks with a deadline, and the tasks without a deadline done counted apart."""
    total = sum(counts.get(s, 0) for s in STATUS_ORDER)
    with_deadline = sum(deadline_counts.get(s, 0) for s in STATUS_ORDER)
    cards = [
        render(
            '<div class="figure total"><span class="label">$label</span>'
            '<span class="number" data-status="total">$n</span>'
            '<span class="share">$share</span></div>',
            label=TEXTS.t("overview.total", lang),
            n=total,
            share=TEXTS.t("overview.with_deadline", lang, n=with_deadline),
        )
    ]
    for status in STATUS_ORDER:
        count = counts.get(status, 0)
        share = TEXTS.t("overview.of_total", lang, pct=percent(count, total))
        if with_deadline:
            of_deadline = percent(deadline_counts.get(status, 0), with_deadline)
            share += " · " + TEXTS.t("overview.of_deadline", lang, pct=of_deadline)
        cards.append(
            render(
                '<div class="figure $cls"><span class="label">$label</span>'
                '<span class="number" data-status="$cls">$n</span>'
                '<span class="share">$share</span></div>',
                cls=status.value,
                label=DOMAIN_TEXTS.t(f"status.{status.value}", lang),
                n=count,
                share=share,
            )
        )
    done_without = counts.get(Status.DONE_ON_TIME, 0) - deadline_counts.get(Status.DONE_ON_TIME, 0)
    cards.append(
        render(
            '<div class="figure done_without_deadline"><span class="label">$label</span>'
            '<span class="number" data-status="done_without_deadline">$n</span></div>',
            label=TEXTS.t("overview.done_without_deadline", lang),
            n=done_without,
        )
    )
    return join(cards)


def _table(headers: Sequence[tuple[str, str]], rows: Sequence[Markup], lang: str) -> Markup:
    """A table whose headers sort it (``text``/``num`` kinds); empty → 'None.'"""
    if not rows:
        return render('<p class="muted">$none</p>', none=TEXTS.t("none", lang))
    head = join(
        render('<th data-kind="$kind" scope="col">$label</th>', kind=kind, label=label)
        for label, kind in headers
    )
    return render(
        '<table class="sortable"><thead><tr>$head</tr></thead><tbody>$rows</tbody></table>',
        head=head,
        rows=join(rows),
    )


def _cell(value: object, sort: object | None = None, cls: str = "") -> Markup:
    return render(
        '<td class="$cls" data-value="$sort">$value</td>',
        cls=cls,
        sort="" if sort is None else sort,
        value=value,
    )


def _link(url: str, label: str) -> Markup:
    return render('<a href="$url">$label</a>', url=url, label=label)


def unit_table(units: Sequence[UnitFigures], lang: str, ctx: AppContext) -> Markup:
    labels = status_labels(lang)
    headers = [
        (TEXTS.t("col.code", lang), "text"),
        (TEXTS.t("col.unit", lang), "text"),
        *[(labels[s], "num") for s in STATUS_ORDER],
        (TEXTS.t("col.total", lang), "num"),
        (TEXTS.t("col.last_report", lang), "num"),
    ]
    rows = []
    for unit in units:
        last = unit.last_report_at
        cells = [
            _cell(_link(unit_url(unit.code), unit.code), unit.code, "code"),
            _cell(unit.name, unit.name, "name"),
            *[
                _cell(unit.counts[s], unit.counts[s], f"num {s.value}" if unit.counts[s] else "num")
                for s in STATUS_ORDER
            ],
            _cell(unit.total, unit.total, "num"),
            _cell(
                format_date(ctx.local_date(last)) if last else TEXTS.t("never", lang),
                int(last.timestamp()) if last else 0,
            ),
        ]
        rows.append(
            render(
                '<tr class="$cls">$cells</tr>',
                cls="has-overdue" if unit.overdue else "",
                cells=join(cells),
            )
        )
    return _table(headers, rows, lang)


def _task_link_cells(line: TaskLine) -> list[Markup]:
    return [
        _cell(_link(task_url(line.code), line.code), line.code, "code"),
        _cell(line.title, line.title, "title"),
        _cell(_link(unit_url(line.unit_code), line.unit_name), line.unit_name, "name"),
        _cell(line.handler or "—", line.handler or "", "name"),
        _cell(format_date(line.deadline), line.deadline.isoformat() if line.deadline else ""),
        _cell(f"{line.progress}%", line.progress, "num"),
    ]


def _task_headers(lang: str, last: str) -> list[tuple[str, str]]:
    return [
        (TEXTS.t("col.code", lang), "text"),
        (TEXTS.t("col.task", lang), "text"),
        (TEXTS.t("col.lead_unit", lang), "text"),
        (TEXTS.t("col.handler", lang), "text"),
        (TEXTS.t("col.deadline", lang), "text"),
        (TEXTS.t("col.progress", lang), "num"),
        (TEXTS.t(last, lang), "num"),
    ]


def scope_switch(mine: bool, lang: str) -> Markup:
    """A leader's "Của tôi / Toàn thành phố" switch on the overview (``?scope=mine|all``)."""
    links = [
        render(
            '<a href="/?scope=$scope"$current>$label</a>',
            scope=scope,
            current=Markup(' aria-current="page"') if chosen else Markup(""),
            label=TEXTS.t(f"overview.scope_{scope}", lang),
        )
        for scope, chosen in (("mine", mine), ("all", not mine))
    ]
    return render('<nav class="scope">$links</nav>', links=join(links, " / "))


def overdue_table(lines: Sequence[TaskLine], lang: str) -> Markup:
    rows = []
    for line in lines:
        late = TEXTS.t("days_late", lang, n=line.days_late or 0)
        badge = (
            render(' <span class="badge">$label</span>', label=TEXTS.t("overview.escalated", lang))
            if line.escalated
            else Markup("")
        )
        rows.append(
            render(
                "<tr>$cells$late</tr>",
                cells=join(_task_link_cells(line)),
                late=_cell(join([late, badge]), line.days_late or 0, "num overdue"),
            )
        )
    return _table(_task_headers(lang, "col.late"), rows, lang)


def due_table(lines: Sequence[TaskLine], lang: str) -> Markup:
    rows = []
    for line in lines:
        left = line.days_left or 0
        text = TEXTS.t("today", lang) if left == 0 else TEXTS.t("days_left", lang, n=left)
        rows.append(
            render(
                "<tr>$cells$left</tr>",
                cells=join(_task_link_cells(line)),
                left=_cell(text, left, "num"),
            )
        )
    return _table(_task_headers(lang, "col.left"), rows, lang)


def silent_list(summary: Summary, lang: str, ctx: AppContext) -> Markup:
    headers = [
        (TEXTS.t("col.unit", lang), "text"),
        (TEXTS.t("col.last_report", lang), "num"),
    ]
    rows = [
        render(
            "<tr>$name$last</tr>",
            name=_cell(_link(unit_url(unit.code), unit.name), unit.name),
            last=_cell(
                format_date(ctx.local_date(unit.last_report_at))
                if unit.last_report_at
                else TEXTS.t("never", lang),
                int(unit.last_report_at.timestamp()) if unit.last_report_at else 0,
            ),
        )
        for unit in summary.silent_units
    ]
    return _table(headers, rows, lang)


def extension_table(summary: Summary, lang: str, csrf: str | None = None) -> Markup:
    """The pending requests; with ``csrf`` (a viewer who decides) each row has the
    approve/reject form."""
    headers = [
        (TEXTS.t("col.task", lang), "text"),
        (TEXTS.t("col.unit", lang), "text"),
        (TEXTS.t("col.deadline", lang), "text"),
        (TEXTS.t("col.new_deadline", lang), "text"),
        (TEXTS.t("col.requested_by", lang), "text"),
        (TEXTS.t("col.reason", lang), "text"),
    ]
    rows = []
    for request in summary.pending_extensions:
        task = request.task
        rows.append(
            render(
                "<tr>$cells</tr>",
                cells=join(
                    [
                        _cell(_link(task_url(task.code), task.code), task.code),
                        _cell(task.lead_unit.name, task.lead_unit.name),
                        _cell(format_date(request.old_deadline)),
                        _cell(format_date(request.new_deadline)),
                        _cell(request.requested_by.full_name),
                        _cell(request.reason),
                        *(
                            [_cell(decision_form(request, csrf, lang, back="overview"))]
                            if csrf
                            else []
                        ),
                    ]
                ),
            )
        )
    if csrf:
        headers.append((TEXTS.t("col.decision", lang), "text"))
    return _table(headers, rows, lang)


def decision_form(request: ExtensionRequest, csrf: str, lang: str, *, back: str) -> Markup:
    """Approve (to the requested date) or reject one pending extension request; ``back``
    says which page to return to (``overview`` or ``task``)."""
    return render(
        '<form method="post" action="/extensions/$id" class="decide">$csrf'
        '<input type="hidden" name="back" value="$back">'
        '<button type="submit" name="decision" value="approve">$approve</button> '
        '<button type="submit" name="decision" value="reject" class="secondary">$reject</button>'
        "</form>",
        id=request.id,
        csrf=csrf_input(csrf),
        back=back,
        approve=TEXTS.t("extension.approve", lang, date=format_date(request.new_deadline)),
        reject=TEXTS.t("extension.reject", lang),
    )


def pending_extension(request: ExtensionRequest | None, lang: str, csrf: str | None) -> Markup:
    """The task page's card about a pending request (with the decision form for deciders)."""
    if request is None:
        return Markup("")
    return render(
        '<section class="card" id="pending-extension"><h2>$title</h2><p>$text</p>$form</section>',
        title=TEXTS.t("task.pending_extension", lang),
        text=TEXTS.t(
            "task.pending_extension_text",
            lang,
            who=request.requested_by.full_name,
            old=format_date(request.old_deadline),
            new=format_date(request.new_deadline),
            reason=request.reason,
        ),
        form=decision_form(request, csrf, lang, back="task") if csrf else Markup(""),
    )


def status_and_label(task: Task, lang: str, ctx: AppContext) -> tuple[Status, str]:
    """The task's category (as the chat and digests count it) and its label with warnings."""
    info = task_status(ctx, task)
    labels = [DOMAIN_TEXTS.t(f"status.{info.status.value}", lang)]
    labels += [DOMAIN_TEXTS.t(f"warning.{w.value}", lang) for w in sorted(info.warnings)]
    return info.status, " · ".join(labels)


def task_facts(task: Task, lang: str, ctx: AppContext) -> Markup:
    status, label = status_and_label(task, lang, ctx)
    coordinating = join(
        (_link(unit_url(u.code), u.name) for u in task.coordinating_units), ", "
    ) or Markup("—")
    facts: list[tuple[str, object]] = [
        (
            TEXTS.t("col.status", lang),
            render('<span class="status $cls">$label</span>', cls=status.value, label=label),
        ),
        (
            TEXTS.t("col.progress", lang),
            render('<progress max="100" value="$p"></progress> $p%', p=task.progress),
        ),
        (TEXTS.t("col.deadline", lang), format_date(task.deadline, lang)),
        (TEXTS.t("task.original_deadline", lang), format_date(task.original_deadline, lang)),
        (TEXTS.t("task.completed", lang), format_date(task.completed_on, lang)),
        (TEXTS.t("col.lead_unit", lang), _link(unit_url(task.lead_unit.code), task.lead_unit.name)),
        (TEXTS.t("col.handler", lang), person_label(task.handler) if task.handler else "—"),
        (
            TEXTS.t("task.leader_in_charge", lang),
            person_label(task.leader_in_charge) if task.leader_in_charge else "—",
        ),
        (TEXTS.t("task.coordinating", lang), coordinating),
        (TEXTS.t("task.source", lang), task.source_document or "—"),
        (
            TEXTS.t("task.assigned_by", lang),
            task.assigned_by.full_name if task.assigned_by else task.assigned_by_name or "—",
        ),
        (TEXTS.t("task.output", lang), task.expected_output or "—"),
        (TEXTS.t("task.priority", lang), DOMAIN_TEXTS.t(f"priority.{task.priority.value}", lang)),
        (
            TEXTS.t("col.last_report", lang),
            format_datetime(task.last_report_at, ctx.tz)
            if task.last_report_at
            else TEXTS.t("never", lang),
        ),
    ]
    return join(render("<dt>$k</dt><dd>$v</dd>", k=k, v=v) for k, v in facts)


def deadline_history(changes: Sequence[DeadlineChange], lang: str, ctx: AppContext) -> Markup:
    if not changes:
        return render('<p class="muted">$t</p>', t=TEXTS.t("task.no_deadline_changes", lang))
    headers = [
        (TEXTS.t("col.when", lang), "num"),
        (TEXTS.t("col.old_deadline", lang), "text"),
        (TEXTS.t("col.new_deadline", lang), "text"),
        (TEXTS.t("col.reason", lang), "text"),
    ]
    rows = [
        render(
            "<tr>$cells</tr>",
            cells=join(
                [
                    _cell(format_datetime(c.changed_at, ctx.tz), int(c.changed_at.timestamp())),
                    _cell(format_date(c.old_deadline, lang)),
                    _cell(format_date(c.new_deadline, lang)),
                    _cell(c.reason),
                ]
            ),
        )
        for c in changes
    ]
    return _table(headers, rows, lang)


def attachment_links(report: Report) -> Markup:
    items = []
    for item in report.attachments:
        name = item.name or item.kind
        link = safe_link(item.url)
        items.append(_link(link, name) if link else render("<span>$n</span>", n=name))
    return join(items, ", ")


def report_table(
    reports: Sequence[Report], lang: str, ctx: AppContext, *, with_task: bool
) -> Markup:
    if not reports:
        return render('<p class="muted">$t</p>', t=TEXTS.t("task.no_reports", lang))
    headers = [(TEXTS.t("col.when", lang), "num")]
    if with_task:
        headers.append((TEXTS.t("col.task", lang), "text"))
    headers += [
        (TEXTS.t("col.who", lang), "text"),
        (TEXTS.t("col.kind", lang), "text"),
        (TEXTS.t("col.progress", lang), "num"),
        (TEXTS.t("col.note", lang), "text"),
        (TEXTS.t("col.files", lang), "text"),
    ]
    rows = []
    for report in reports:
        cells = [
            _cell(format_datetime(report.created_at, ctx.tz), int(report.created_at.timestamp()))
        ]
        if with_task:
            cells.append(
                _cell(_link(task_url(report.task.code), report.task.code), report.task.code)
            )
        cells += [
            _cell(report.official.full_name if report.official else "—"),
            _cell(TEXTS.t(f"kind.{report.kind.value}", lang)),
            _cell(
                "—" if report.progress is None else f"{report.progress}%",
                -1 if report.progress is None else report.progress,
                "num",
            ),
            _cell(report.note, cls="pre"),
            _cell(attachment_links(report)),
        ]
        rows.append(render("<tr>$cells</tr>", cells=join(cells)))
    return _table(headers, rows, lang)


def task_table(tasks: Sequence[Task], lang: str, ctx: AppContext) -> Markup:
    headers = [
        (TEXTS.t("col.code", lang), "text"),
        (TEXTS.t("col.task", lang), "text"),
        (TEXTS.t("col.deadline", lang), "text"),
        (TEXTS.t("col.progress", lang), "num"),
        (TEXTS.t("col.status", lang), "text"),
        (TEXTS.t("col.last_report", lang), "num"),
    ]
    rows = []
    for task in tasks:
        status, label = status_and_label(task, lang, ctx)
        last = task.last_report_at
        rows.append(
            render(
                '<tr class="$cls">$cells</tr>',
                cls=status.value,
                cells=join(
                    [
                        _cell(_link(task_url(task.code), task.code), task.code, "code"),
                        _cell(task.title, task.title, "title"),
                        _cell(
                            format_date(task.deadline, lang),
                            task.deadline.isoformat() if task.deadline else "",
                        ),
                        _cell(f"{task.progress}%", task.progress, "num"),
                        _cell(
                            render('<span class="status $c">$l</span>', c=status.value, l=label),
                            label,
                        ),
                        _cell(
                            format_date(ctx.local_date(last)) if last else TEXTS.t("never", lang),
                            int(last.timestamp()) if last else 0,
                        ),
                    ]
                ),
            )
        )
    return _table(headers, rows, lang)

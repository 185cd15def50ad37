"""Explanation requests on the dashboard: the task page's card (history, the ask form for
leaders and admins, the answer form for the unit head) and the overview's list of the
unanswered ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.context import AppContext
from bot.i18n import format_date
from bot.models import ExplanationRequest, Official, Task
from bot.services.explanations import (
    can_request_explanation,
    is_late,
    is_overdue,
    is_unit_head,
    named,
)
from bot.web.fragments import task_url
from bot.web.html import Markup, join, render
from bot.web.pages import csrf_input
from bot.web.texts import TEXTS


def explanation_card(
    ctx: AppContext,
    task: Task,
    requests: Sequence[ExplanationRequest],
    viewer: Official,
    csrf: str,
    lang: str,
) -> Markup:
    """The task's explanation requests with their answers, and the form this viewer may use:
    ask (a leader or admin, an overdue task with no open request) or answer (the head of the
    unit asked)."""
    today = ctx.today()
    items = [_history_item(ctx, request, lang, today) for request in requests]
    open_request = next((r for r in requests if r.answered_at is None), None)
    form = Markup("")
    if open_request is not None and is_unit_head(viewer, open_request.unit):
        form = _answer_form(open_request, csrf, lang)
    elif open_request is None and can_request_explanation(viewer) and is_overdue(task, today):
        form = _ask_form(task, csrf, lang, today)
    if not items and not form:
        return Markup("")
    listed = (
        render('<ol class="explanations">$items</ol>', items=join(items)) if items else Markup("")
    )
    return render(
        '<section class="card" id="explanations"><h2>$title</h2>$listed$form</section>',
        title=TEXTS.t("explanation.title", lang),
        listed=listed,
        form=form,
    )


def open_explanation_table(
    requests: Sequence[ExplanationRequest], total: int, lang: str, today: dt.date
) -> Markup:
    """The overview's unanswered requests, earliest date first; late ones marked."""
    if not requests:
        return render('<p class="muted">$none</p>', none=TEXTS.t("none", lang))
    rows = [
        render(
            '<tr class="$cls"><td><a href="$url">$code</a></td><td>$unit</td><td>$who</td>'
            "<td>$due</td><td>$state</td></tr>",
            cls="late" if is_late(request, today) else "",
            url=task_url(request.task.code),
            code=request.task.code,
            unit=request.unit.name,
            who=named(request.requested_by),
            due=format_date(request.due_date),
            state=TEXTS.t(
                "explanation.late" if is_late(request, today) else "explanation.waiting", lang
            ),
        )
        for request in requests
    ]
    more = (
        render('<p class="muted">$more</p>', more=TEXTS.t("explanation.more", lang, n=total))
        if total > len(requests)
        else Markup("")
    )
    return render(
        "<table><thead><tr><th>$task</th><th>$unit</th><th>$who</th><th>$due</th>"
        "<th>$state</th></tr></thead><tbody>$rows</tbody></table>$more",
        task=TEXTS.t("col.task", lang),
        unit=TEXTS.t("col.unit", lang),
        who=TEXTS.t("col.requested_by", lang),
        due=TEXTS.t("explanation.col_due", lang),
        state=TEXTS.t("col.status", lang),
        rows=join(rows),
        more=more,
    )


def _history_item(
    ctx: AppContext, request: ExplanationRequest, lang: str, today: dt.date
) -> Markup:
    asked = TEXTS.t(
        "explanation.asked",
        lang,
        on=format_date(ctx.local_date(request.created_at)),
        who=named(request.requested_by),
        unit=request.unit.name,
        due=format_date(request.due_date),
    )
    if request.answered_on is not None:
        key = "explanation.answered_late" if is_late(request, today) else "explanation.answered"
        outcome = render(
            '<p><strong>$label</strong></p><p class="pre">$answer</p>',
            label=TEXTS.t(
                key, lang, on=format_date(request.answered_on), who=named(request.answered_by)
            ),
            answer=request.answer,
        )
    else:
        key = "explanation.late" if is_late(request, today) else "explanation.waiting"
        outcome = render('<p class="muted">$state</p>', state=TEXTS.t(key, lang))
    return render(
        '<li><p>$asked</p><p class="pre">$text</p>$outcome</li>',
        asked=asked,
        text=request.text,
        outcome=outcome,
    )


def _ask_form(task: Task, csrf: str, lang: str, today: dt.date) -> Markup:
    return render(
        '<form method="post" action="$url/explanations" class="explain">$csrf'
        '<label>$due_label <input type="date" name="due_date" required min="$min"></label>'
        '<label>$text_label <textarea name="text" rows="3" required></textarea></label>'
        '<button type="submit">$submit</button></form>',
        url=task_url(task.code),
        csrf=csrf_input(csrf),
        min=today.isoformat(),
        due_label=TEXTS.t("explanation.due_label", lang),
        text_label=TEXTS.t("explanation.text_label", lang),
        submit=TEXTS.t("explanation.ask", lang),
    )


def _answer_form(request: ExplanationRequest, csrf: str, lang: str) -> Markup:
    return render(
        '<form method="post" action="/explanations/$id" class="explain">$csrf'
        '<label>$label <textarea name="answer" rows="4" required></textarea></label>'
        '<button type="submit">$submit</button></form>',
        id=request.id,
        csrf=csrf_input(csrf),
        label=TEXTS.t("explanation.answer_label", lang),
        submit=TEXTS.t("explanation.answer", lang),
    )

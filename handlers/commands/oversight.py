"""For leaders and unit heads: /tonghop (digest now), /quahan (overdue), /donvi (one unit).

Leaders and admins see the whole city; a unit head sees their own unit only. These commands
are ``read_only``: they read in their own session after the chat turn has been committed.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.digest import render_digest
from bot.importing.headers import fold
from bot.messages import Button, Reply
from bot.models import ExplanationRequest, Role, Task, Unit
from bot.services.directory import can_read_unit, sees_everything, unit_by_code
from bot.services.explanations import can_request_explanation
from bot.services.summary import build_summary, unit_figures
from bot.status import STATUS_ORDER
from bot.texts import TEXTS as DOMAIN_TEXTS
from handlers.commands.common import (
    OVERSIGHT_ROLES,
    ChatError,
    first_word,
    official_of,
    unit_tasks_query,
)
from handlers.commands.explanation import ASK_CALLBACK
from handlers.formatting import task_line
from handlers.router import Router
from handlers.turn import Turn

router = Router()

#: ``/tonghop tôi``: the words for "the tasks I am in charge of", folded.
MINE = frozenset({"toi", "cua toi", "mine"})
OVERDUE_LIMIT = 60
EXPLANATION_BUTTONS = 6
UNIT_LIMIT = 40


@router.command(
    "tonghop",
    english="digest",
    roles=OVERSIGHT_ROLES,
    help_key="help.digest",
    menu_key="menu.digest",
    read_only=True,
)
async def digest(turn: Turn) -> Reply:
    """The status digest now: city-wide for leaders and admins, own unit for heads;
    ``/tonghop tôi`` (mine): a leader's own, the tasks they are in charge of."""
    official = official_of(turn)
    ctx = turn.ctx
    wanted = turn.args.strip()
    leader_id = None
    if wanted and fold(wanted) not in MINE:
        raise ChatError("digest.unknown_scope", word=wanted)
    if wanted:
        if official.role is not Role.LEADER:
            raise ChatError("digest.mine_leaders_only")
        unit_id, leader_id, scope = None, official.id, turn.t("scope.mine")
    elif sees_everything(official):
        unit_id, scope = None, turn.t("scope.city")
    elif official.unit is not None:
        unit_id, scope = official.unit.id, official.unit.name
    else:
        raise ChatError("tasks.no_unit")
    summary = await build_summary(turn.session, ctx, unit_id=unit_id, leader_id=leader_id)
    text = render_digest(
        summary,
        turn.lang,
        scope_name=scope,
        silent_days=ctx.settings.digests.no_report_days,
        escalate_after_days=ctx.settings.reminders.overdue_escalate_after_days,
        tz=ctx.tz,
    )
    return turn.reply(text)


@router.command(
    "quahan",
    english="overdue",
    roles=OVERSIGHT_ROLES,
    help_key="help.overdue",
    menu_key="menu.overdue",
    read_only=True,
)
async def overdue(turn: Turn) -> Reply:
    """Overdue open tasks grouped by lead unit, the units with most overdue first."""
    official = official_of(turn)
    query = (
        select(Task)
        .where(Task.completed_at.is_(None), Task.deadline < turn.ctx.today())
        .order_by(Task.deadline, Task.code)
        .limit(OVERDUE_LIMIT + 1)
        .options(selectinload(Task.lead_unit), selectinload(Task.handler))
    )
    if not sees_everything(official):
        if official.unit_id is None:
            raise ChatError("tasks.no_unit")
        query = query.where(Task.lead_unit_id == official.unit_id)
    found = list(await turn.session.scalars(query))
    if not found:
        return turn.reply(turn.t("overdue.none"))
    by_unit: dict[int, list[Task]] = defaultdict(list)
    for task in found[:OVERDUE_LIMIT]:
        by_unit[task.lead_unit_id].append(task)
    groups = sorted(by_unit.values(), key=lambda tasks: (-len(tasks), tasks[0].lead_unit.code))
    lines = [turn.t("overdue.header", date=turn.ctx.today().strftime("%d/%m/%Y"))]
    for tasks in groups:
        unit = tasks[0].lead_unit
        lines += ["", turn.t("overdue.unit", unit=unit.name, code=unit.code, n=len(tasks))]
        lines += [task_line(turn.ctx, task, turn.lang) for task in tasks]
    if len(found) > OVERDUE_LIMIT:
        lines += ["", turn.t("overdue.more", limit=OVERDUE_LIMIT)]
    if not can_request_explanation(official):
        return turn.reply("\n".join(lines))
    if not turn.traits.buttons:  # read-only: no numbered options to remember
        lines += ["", turn.t("overdue.explain_hint")]
        return turn.reply("\n".join(lines))
    return turn.reply("\n".join(lines), await _explanation_buttons(turn, found[:OVERDUE_LIMIT]))


async def _explanation_buttons(turn: Turn, tasks: list[Task]) -> list[list[Button]]:
    """ "Giải trình <TASK>" for the most overdue tasks that have no open explanation
    request (leaders and admins, on channels with buttons)."""
    asked = set(
        await turn.session.scalars(
            select(ExplanationRequest.task_id).where(
                ExplanationRequest.answered_at.is_(None),
                ExplanationRequest.task_id.in_([task.id for task in tasks]),
            )
        )
    )
    buttons = [
        Button(turn.t("button.ask_explanation_code", code=task.code), f"{ASK_CALLBACK}:{task.code}")
        for task in tasks
        if task.id not in asked
    ][:EXPLANATION_BUTTONS]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


@router.command(
    "donvi",
    english="unit",
    roles=OVERSIGHT_ROLES,
    help_key="help.unit",
    menu_key="menu.unit",
    read_only=True,
)
async def unit(turn: Turn) -> Reply:
    """One unit: its figures in the four categories and its open tasks."""
    official = official_of(turn)
    code, _ = first_word(turn.args)
    if not code:
        if sees_everything(official):
            return await _unit_codes(turn)
        if official.unit is None:
            raise ChatError("tasks.no_unit")
        target = official.unit
    else:
        target = await unit_by_code(turn.session, code)
    if not can_read_unit(official, target.id):
        raise ChatError("unit.denied", unit=target.name)
    figures = await unit_figures(turn.session, turn.ctx.today(), target.id)
    counts = figures[0].counts if figures else None
    lines = [turn.t("unit.header", unit=target.name, code=target.code)]
    for status in STATUS_ORDER:
        label = DOMAIN_TEXTS.t(f"status.{status.value}", turn.lang)
        lines.append(f"• {label}: {counts[status] if counts else 0}")
    open_tasks = list(await turn.session.scalars(unit_tasks_query(target.id)))
    lines.append("")
    if open_tasks:
        lines.append(turn.t("unit.open", n=len(open_tasks)))
        for task in open_tasks[:UNIT_LIMIT]:
            marker = turn.t("tasks.coordinating") if task.lead_unit_id != target.id else ""
            lines.append(task_line(turn.ctx, task, turn.lang, marker=marker))
        if len(open_tasks) > UNIT_LIMIT:
            lines.append(turn.t("list.more", n=len(open_tasks) - UNIT_LIMIT))
    else:
        lines.append(turn.t("unit.no_open"))
    return turn.reply("\n".join(lines))


async def _unit_codes(turn: Turn) -> Reply:
    units = list(await turn.session.scalars(select(Unit).order_by(Unit.code).limit(200)))
    lines = [turn.t("unit.usage"), ""]
    lines += [f"• {unit.code} — {unit.name}" for unit in units]
    return turn.reply("\n".join(lines))

"""For leaders and unit heads: /tonghop (digest now), /quahan (overdue), /donvi (one unit).

Leaders and admins see the whole city; a unit head sees their own unit only. These commands
are ``read_only``: they read in their own session after the chat turn has been committed.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.digest import render_digest
from bot.i18n import shorten
from bot.importing.headers import fold
from bot.messages import Button, Reply
from bot.models import TASK_ACTIVE, ExplanationRequest, Role, Task, Unit
from bot.services.directory import can_read_unit, sees_everything, unit_by_code, units_matching
from bot.services.explanations import can_request_explanation
from bot.services.summary import build_summary, status_expression, unit_figures
from bot.status import STATUS_ORDER, Status
from bot.texts import TEXTS as DOMAIN_TEXTS
from handlers.commands.common import (
    OVERSIGHT_ROLES,
    ChatError,
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
CHOICES = 10
"""Units offered when a name matches several."""
CALLBACK = "dv"


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
        .where(Task.completed_at.is_(None), Task.deadline < turn.ctx.today(), TASK_ACTIVE)
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
    """One unit by code, name or part of its name (with or without diacritics): its figures
    in the four categories and its unfinished tasks; choices when several units match."""
    official = official_of(turn)
    wanted = turn.args.strip()
    if not wanted:
        if sees_everything(official):
            return await _unit_codes(turn)
        if official.unit is None:
            raise ChatError("tasks.no_unit")
        return await _unit_view(turn, official.unit)
    shown = shorten(" ".join(wanted.split()), 40)
    found = await units_matching(turn.session, wanted)
    readable = [u for u in found if can_read_unit(official, u.id)]
    found = readable or found  # a unit head who names another unit is told why not
    if not found:
        raise ChatError("unit.not_found", text=shown)
    if len(found) == 1:
        return await _unit_view(turn, found[0])
    buttons = [[Button(f"{u.name} ({u.code})", f"{CALLBACK}:{u.code}")] for u in found[:CHOICES]]
    text = turn.t("unit.choose", n=len(found), text=shown)
    if len(found) > CHOICES:
        text += "\n" + turn.t("unit.choose_more", n=len(found) - CHOICES)
    return turn.reply(text, buttons)


@router.callback(CALLBACK)
async def unit_chosen(turn: Turn) -> Reply:
    """``dv:<unit code>``: a unit picked among several that matched."""
    if official_of(turn).role not in OVERSIGHT_ROLES:
        return turn.reply(turn.t("denied"))
    if len(turn.callback) < 2:
        return turn.reply(turn.t("stale_button"))
    return await _unit_view(turn, await unit_by_code(turn.session, turn.callback[1]))


async def _unit_view(turn: Turn, target: Unit) -> Reply:
    """The unit's counts and the tasks behind them, by the same status rule: the unfinished
    tasks it leads (in progress within deadline, overdue), then those it coordinates."""
    official = official_of(turn)
    if not can_read_unit(official, target.id):
        raise ChatError("unit.denied", unit=target.name)
    today = turn.ctx.today()
    figures = await unit_figures(turn.session, today, target.id)
    counts = figures[0].counts if figures else Counter[Status]()
    lines = [turn.t("unit.header", unit=target.name, code=target.code)]
    for status in STATUS_ORDER:
        label = DOMAIN_TEXTS.t(f"status.{status.value}", turn.lang)
        lines.append(f"• {label}: {counts[status]}")
    unfinished = (Status.IN_PROGRESS.value, Status.OVERDUE.value)
    led = list(
        await turn.session.scalars(
            unit_tasks_query(target.id, open_only=False).where(
                Task.lead_unit_id == target.id, status_expression(today).in_(unfinished)
            )
        )
    )
    coordinated = list(
        await turn.session.scalars(
            unit_tasks_query(target.id).where(Task.lead_unit_id != target.id)
        )
    )
    lines.append("")
    if led:
        lines.append(
            turn.t(
                "unit.open",
                n=len(led),
                in_progress=counts[Status.IN_PROGRESS],
                overdue=counts[Status.OVERDUE],
            )
        )
        lines += _listed(turn, led)
    else:
        lines.append(turn.t("unit.no_open"))
    if coordinated:
        lines += ["", turn.t("unit.coordinating", n=len(coordinated))]
        lines += _listed(turn, coordinated)
    return turn.reply("\n".join(lines))


def _listed(turn: Turn, tasks: list[Task]) -> list[str]:
    lines = [task_line(turn.ctx, task, turn.lang) for task in tasks[:UNIT_LIMIT]]
    if len(tasks) > UNIT_LIMIT:
        lines.append(turn.t("list.more", n=len(tasks) - UNIT_LIMIT))
    return lines


async def _unit_codes(turn: Turn) -> Reply:
    units = list(await turn.session.scalars(select(Unit).order_by(Unit.code).limit(200)))
    lines = [turn.t("unit.usage"), ""]
    lines += [f"• {unit.code} — {unit.name}" for unit in units]
    return turn.reply("\n".join(lines))

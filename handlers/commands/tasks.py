"""/nhiemvu (/tasks): my unit's open tasks, those I handle (cán bộ thụ lý) first, or one task
with its full history (with the Approve / Reject buttons of a pending extension request for
those who decide, the "Yêu cầu giải trình" button of an overdue task and the "Cho ý kiến"
button of each waiting recommendation for leaders and admins)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.messages import Reply
from bot.models import TASK_ACTIVE, DeadlineChange, Task
from bot.services.directions import history_lines as advice_lines
from bot.services.directions import task_directions
from bot.services.directory import can_decide_extensions, sees_everything
from bot.services.explanations import history_lines, task_requests
from bot.services.extensions import pending_request
from bot.services.recommendations import answer_button, can_direct, task_recommendations
from bot.services.reports import task_history
from handlers.commands.common import first_word, official_of, task_for, unit_open_tasks
from handlers.commands.explanation import ask_buttons
from handlers.commands.extension import decision_buttons
from handlers.formatting import task_detail, task_line, task_lines
from handlers.router import Router
from handlers.turn import Turn

router = Router()

CITY_LIST_LIMIT = 15
UNIT_LIST_LIMIT = 30


@router.command("nhiemvu", english="tasks", help_key="help.tasks", menu_key="menu.tasks")
async def tasks(turn: Turn) -> Reply:
    code, _ = first_word(turn.args)
    if code:
        return await _one_task(turn, code)
    official = official_of(turn)
    if sees_everything(official):
        return await _city_tasks(turn)
    if official.unit_id is None:
        return turn.reply(turn.t("tasks.no_unit"))
    open_tasks = await unit_open_tasks(turn.session, official.unit_id)
    unit_name = official.unit.name if official.unit else ""
    if not open_tasks:
        return turn.reply(turn.t("tasks.none", unit=unit_name))
    lines = [turn.t("tasks.header", unit=unit_name, n=len(open_tasks))]
    mine = [task for task in open_tasks if task.handler_id == official.id]
    others = [task for task in open_tasks if task.handler_id != official.id]
    if mine:
        lines.append(turn.t("tasks.mine", n=len(mine)))
    for index, task in enumerate([*mine, *others][:UNIT_LIST_LIMIT]):
        if mine and index == len(mine):
            lines.append(turn.t("tasks.others", n=len(others)))
        coordinating = task.lead_unit_id != official.unit_id
        marker = turn.t("tasks.coordinating") if coordinating else ""
        lines.append(task_line(turn.ctx, task, turn.lang, marker=marker))
    if len(open_tasks) > UNIT_LIST_LIMIT:
        lines.append(turn.t("list.more", n=len(open_tasks) - UNIT_LIST_LIMIT))
    lines += ["", turn.t("tasks.footer")]
    return turn.reply("\n".join(lines))


async def _city_tasks(turn: Turn) -> Reply:
    """Leaders and admins: the most urgent open tasks city-wide, and where to look next."""
    query = (
        select(Task)
        .where(Task.completed_at.is_(None), TASK_ACTIVE)
        .order_by(Task.deadline.is_(None), Task.deadline, Task.code)
        .limit(CITY_LIST_LIMIT + 1)
        .options(selectinload(Task.lead_unit), selectinload(Task.handler))
    )
    found = list(await turn.session.scalars(query))
    if not found:
        return turn.reply(turn.t("tasks.city_none"))
    lines = [turn.t("tasks.city_header", n=min(len(found), CITY_LIST_LIMIT))]
    lines += task_lines(turn.ctx, found[:CITY_LIST_LIMIT], turn.lang, with_unit=True)
    lines += ["", turn.t("tasks.city_footer")]
    return turn.reply("\n".join(lines))


async def _one_task(turn: Turn, code: str) -> Reply:
    task = await task_for(turn, code)
    await turn.session.refresh(task, ["handler", "leader_in_charge"])
    reports = await task_history(turn.session, task)
    changes = list(
        await turn.session.scalars(
            select(DeadlineChange)
            .where(DeadlineChange.task_id == task.id)
            .order_by(DeadlineChange.changed_at, DeadlineChange.id)
        )
    )
    pending = await pending_request(turn.session, task.id)
    text = task_detail(turn.ctx, task, turn.lang, reports=reports, changes=changes, pending=pending)
    explanations = await task_requests(turn.session, task.id)
    if explanations:
        lines = history_lines(turn.ctx, explanations, turn.lang)
        text += "\n\n" + "\n".join([turn.t("detail.explanations", n=len(explanations)), *lines])
    recommendations = await task_recommendations(turn.session, task.id)
    directions = await task_directions(turn.session, task.id)
    if recommendations or directions:
        lines = advice_lines(turn.ctx, recommendations, directions, turn.lang)
        text += "\n\n" + "\n".join([turn.t("detail.advice"), *lines])
    official = official_of(turn)
    buttons = []
    if pending is not None and can_decide_extensions(official):
        buttons += decision_buttons(pending, turn.lang)
    if can_direct(official):
        buttons += [
            [answer_button(item, turn.lang)] for item in recommendations if item.answered_at is None
        ]
    if not any(request.answered_at is None for request in explanations):
        buttons += ask_buttons(official, task, turn.ctx.today(), turn.lang)
    return turn.reply(text, buttons)

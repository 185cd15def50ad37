"""/chidao (/direct): directions (ý kiến chỉ đạo) on recommendations and tasks.

A leader or admin types ``/chidao`` alone for the recommendations waiting for a direction,
each with a "Cho ý kiến" button (``cd:<recommendation id>``, numbered on Zalo; the notice a
leader gets when a recommendation is raised carries the same button), then the next message
is the direction. ``/chidao NQ-01 nội dung`` gives a direction on any task. Unit members get
their unit's waiting recommendations from ``/chidao``; only leaders and admins give
directions.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.i18n import shorten
from bot.messages import Reply
from bot.models import Task
from bot.services.directions import direct_on_recommendation, give_direction
from bot.services.directory import sees_everything
from bot.services.errors import DomainError
from bot.services.recommendations import (
    answer_button,
    can_direct,
    load_recommendation,
    pending_line,
    pending_recommendations,
    task_recommendations,
)
from handlers.commands.common import ChatError, first_word, official_of, small_number, task_for
from handlers.router import Router
from handlers.turn import FLOW_ID, Turn

router = Router()

ANSWER_FLOW = "direct_answer"
LIST_LIMIT = 10


@router.command("chidao", english="direct", help_key="help.direct", menu_key="menu.direct")
async def direct(turn: Turn) -> Reply:
    """``/chidao`` lists the waiting recommendations; ``/chidao NQ-01 nội dung`` directs."""
    official = official_of(turn)
    if not turn.args:
        return await pending_list(turn)
    if not can_direct(official):
        raise ChatError("direct.leaders_only")
    code, text = first_word(turn.args)
    task = await task_for(turn, code)
    if not text:
        raise ChatError("direct.usage")
    await give_direction(
        turn.session, turn.ctx, leader=official, task=task, text=text, via=turn.via
    )
    return await _sent(turn, task)


@router.callback("cd")
async def answer_pressed(turn: Turn) -> Reply:
    """``cd:<recommendation id>``: the next message is the direction."""
    if not can_direct(official_of(turn)):
        raise ChatError("direct.leaders_only")
    recommendation_id = small_number(turn.callback_part(), 9)
    if recommendation_id is None:
        return turn.reply(turn.t("stale_button"))
    recommendation = await load_recommendation(turn.session, recommendation_id)
    if recommendation.answered_at is not None:
        raise DomainError("recommendation_answered", code=recommendation.task.code)
    data: dict[str, Any] = {FLOW_ID: secrets.token_hex(4), "recommendation": recommendation.id}
    await turn.set_state(ANSWER_FLOW, "text", data)
    return turn.reply(
        turn.t(
            "direct.answer_prompt",
            code=recommendation.task.code,
            title=shorten(recommendation.task.title),
            text=recommendation.text,
        )
    )


@router.flow(ANSWER_FLOW)
async def answer_text(turn: Turn) -> Reply:
    """The direction typed after the Cho ý kiến button."""
    text = (turn.message.text or "").strip()
    if not text:
        return turn.reply(turn.t("direct.answer_again"))
    direction = await direct_on_recommendation(
        turn.session,
        turn.ctx,
        leader=official_of(turn),
        recommendation_id=int(turn.data.get("recommendation", 0)),
        text=text,
        via=turn.via,
    )
    turn.flow_finished = True
    await turn.clear_state()
    return await _sent(turn, direction.task)


async def pending_list(turn: Turn) -> Reply:
    """The recommendations waiting for a direction, oldest first: every one for leaders and
    admins (with a Cho ý kiến button each), the own unit's for others."""
    official = official_of(turn)
    if not sees_everything(official) and official.unit_id is None:
        return turn.reply(turn.t("direct.none_pending"))
    unit_id = None if sees_everything(official) else official.unit_id
    total, found = await pending_recommendations(turn.session, unit_id=unit_id, limit=LIST_LIMIT)
    if not found:
        return turn.reply(turn.t("direct.none_pending"))
    lines = [turn.t("direct.pending_header", n=total)]
    for index, recommendation in enumerate(found, start=1):
        lines.append(f"{index}) {pending_line(turn.ctx, recommendation, turn.lang)}")
    if total > len(found):
        lines.append(turn.t("direct.more", n=total - len(found)))
    directs = can_direct(official)
    lines.append(turn.t("direct.pending_footer" if directs else "direct.pending_footer_unit"))
    buttons = [[answer_button(item, turn.lang)] for item in found] if directs else []
    return turn.reply("\n".join(lines), buttons)


async def _sent(turn: Turn, task: Task) -> Reply:
    """Said to the leader: sent to the lead unit; other recommendations still waiting on the
    task come with their buttons."""
    await turn.session.refresh(task, ["lead_unit"])
    recommendations = await task_recommendations(turn.session, task.id)
    waiting = [item for item in recommendations if item.answered_at is None]
    text = turn.t("direct.sent", code=task.code, unit=task.lead_unit.name)
    if not waiting:
        return turn.reply(text)
    text += "\n" + turn.t("direct.still_pending", code=task.code, n=len(waiting))
    return turn.reply(text, [[answer_button(item, turn.lang)] for item in waiting])

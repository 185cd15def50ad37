"""/giaitrinh (/explain) and /traloi (/answer): explanation requests for overdue tasks.

A leader or admin asks: ``/giaitrinh NV-01 20/12/2025 nội dung`` or the "Yêu cầu giải trình"
button of an overdue task (``gtr:<TASK>``, then the next message is "date content"). The
unit head answers: ``/traloi NV-01 nội dung``, or ``/giaitrinh`` alone lists the unit's open
requests with a "Trả lời" button each (``gt:<request id>``, then the next message is the
answer). Leaders and admins get every open request from a bare ``/giaitrinh``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from bot.i18n import format_date, shorten
from bot.messages import Button, Reply
from bot.models import ExplanationRequest, Official, Task
from bot.services.errors import DomainError
from bot.services.explanations import (
    ANSWER_CALLBACK,
    answer_button,
    answer_explanation,
    can_request_explanation,
    is_late,
    is_overdue,
    is_unit_head,
    load_request,
    named,
    open_request,
    open_requests,
    request_explanation,
)
from handlers.commands.common import (
    ChatError,
    first_word,
    official_of,
    parse_failed,
    small_number,
    task_for,
)
from handlers.examples import example_date
from handlers.parsing import ParseError, parse_date
from handlers.router import Router
from handlers.texts import TEXTS
from handlers.turn import FLOW_ID, Turn

router = Router()

ASK_CALLBACK = "gtr"
"""Button data ``gtr:<TASK>``: ask the task's unit to explain (leaders and admins)."""
ASK_FLOW = "explain_ask"
ANSWER_FLOW = "explain_answer"
LIST_LIMIT = 10


@router.command("giaitrinh", english="explain", help_key="help.explain", menu_key="menu.explain")
async def explain(turn: Turn) -> list[Reply] | Reply:
    """``/giaitrinh NV-01 20/12/2025 nội dung`` asks; ``/giaitrinh`` alone lists the open."""
    official = official_of(turn)
    if not turn.args:
        return await open_list(turn)
    if not can_request_explanation(official):
        raise ChatError("explain.heads_answer")
    code, rest = first_word(turn.args)
    date_text, text = first_word(rest)
    if not date_text:
        raise ChatError("explain.usage")
    task = await task_for(turn, code)
    return await _ask(turn, task, date_text, text)


@router.command("traloi", english="answer", help_key="help.answer", menu_key="menu.answer")
async def answer(turn: Turn) -> Reply:
    """``/traloi NV-01 nội dung giải trình``: the unit head answers the task's open request."""
    code, text = first_word(turn.args)
    if not code:
        raise ChatError("explain.answer_usage")
    task = await task_for(turn, code)
    request = await open_request(turn.session, task.id)
    if request is None:
        raise ChatError("explain.none_open_for_task", code=task.code)
    if not text:
        raise ChatError("explain.answer_usage")
    return await _answer(turn, request.id, text)


@router.callback(ASK_CALLBACK)
async def ask_button(turn: Turn) -> Reply:
    """``gtr:<TASK>``: the next message gives the date and the content."""
    official = official_of(turn)
    if not can_request_explanation(official):
        raise ChatError("explain.heads_answer")
    code = turn.callback_part()
    if not code:
        return turn.reply(turn.t("stale_button"))
    task = await task_for(turn, code)
    _refuse_request(turn, task)
    if await open_request(turn.session, task.id) is not None:
        raise DomainError("explanation_open", code=task.code)
    await turn.set_state(ASK_FLOW, "text", {FLOW_ID: _flow_id(), "task": task.code})
    return turn.reply(turn.t("explain.ask_prompt", code=task.code, title=shorten(task.title)))


@router.flow(ASK_FLOW)
async def ask_text(turn: Turn) -> Reply:
    """ "20/12/2025 nội dung" after the Yêu cầu giải trình button."""
    date_text, text = first_word(turn.message.text or "")
    if not date_text:
        return turn.reply(turn.t("explain.ask_again"))
    task = await task_for(turn, str(turn.data.get("task", "")))
    reply = await _ask(turn, task, date_text, text)
    turn.flow_finished = True
    await turn.clear_state()
    return reply


@router.callback(ANSWER_CALLBACK)
async def answer_button_pressed(turn: Turn) -> Reply:
    """``gt:<request id>``: the next message is the answer."""
    request_id = small_number(turn.callback_part(), 9)
    if request_id is None:
        return turn.reply(turn.t("stale_button"))
    request = await load_request(turn.session, request_id)
    _refuse_answer(official_of(turn), request)
    data: dict[str, Any] = {FLOW_ID: _flow_id(), "request": request.id}
    await turn.set_state(ANSWER_FLOW, "text", data)
    return turn.reply(
        turn.t(
            "explain.answer_prompt",
            code=request.task.code,
            title=shorten(request.task.title),
            text=request.text,
        )
    )


@router.flow(ANSWER_FLOW)
async def answer_text(turn: Turn) -> Reply:
    """The answer typed after the Trả lời button."""
    text = (turn.message.text or "").strip()
    if not text:
        return turn.reply(turn.t("explain.answer_again"))
    reply = await _answer(turn, int(turn.data.get("request", 0)), text)
    turn.flow_finished = True
    await turn.clear_state()
    return reply


async def open_list(turn: Turn) -> list[Reply] | Reply:
    """Leaders and admins: every open request. Unit members: their unit's, with a Trả lời
    button for the unit head."""
    official = official_of(turn)
    everyone = can_request_explanation(official)
    if not everyone and official.unit_id is None:
        return turn.reply(turn.t("explain.none_open"))
    units = None if everyone else [official.unit_id or 0]
    total, requests = await open_requests(turn.session, unit_ids=units, limit=LIST_LIMIT)
    if not requests:
        return turn.reply(turn.t("explain.none_open"))
    replies = [Reply(turn.t("explain.open_header", n=total))]
    today = turn.ctx.today()
    for request in requests:
        buttons = (
            [[answer_button(request, turn.lang)]] if is_unit_head(official, request.unit) else []
        )
        replies.append(Reply(_open_line(request, turn.lang, late=is_late(request, today)), buttons))
    if total > len(requests):
        replies.append(Reply(turn.t("explain.more", n=total - len(requests))))
    return replies


def ask_buttons(official: Official, task: Task, today: dt.date, lang: str) -> list[list[Button]]:
    """The "Yêu cầu giải trình" button for a leader or admin looking at an overdue task."""
    if not can_request_explanation(official) or not is_overdue(task, today):
        return []
    return [[Button(TEXTS.t("button.ask_explanation", lang), f"{ASK_CALLBACK}:{task.code}")]]


def _open_line(request: ExplanationRequest, lang: str, *, late: bool) -> str:
    return TEXTS.t(
        "explain.open_item_late" if late else "explain.open_item",
        lang,
        code=request.task.code,
        title=shorten(request.task.title),
        unit=request.unit.name,
        who=named(request.requested_by),
        due=format_date(request.due_date, lang),
        text=request.text,
    )


async def _ask(turn: Turn, task: Task, date_text: str, text: str) -> Reply:
    _refuse_request(turn, task)
    try:
        due_date = parse_date(date_text)
    except ParseError as exc:
        raise parse_failed(exc, date=example_date(turn.ctx.today(), None)) from exc
    if not text:
        raise ChatError("explain.need_text")
    request = await request_explanation(
        turn.session,
        turn.ctx,
        official=official_of(turn),
        task=task,
        due_date=due_date,
        text=text,
        via=turn.via,
    )
    return turn.reply(
        turn.t(
            "explain.sent",
            code=task.code,
            unit=request.unit.name,
            due=format_date(due_date, turn.lang),
        )
    )


async def _answer(turn: Turn, request_id: int, text: str) -> Reply:
    request = await answer_explanation(
        turn.session,
        turn.ctx,
        official=official_of(turn),
        request_id=request_id,
        answer=text,
        via=turn.via,
    )
    return turn.reply(
        turn.t("explain.answer_sent", code=request.task.code, who=named(request.requested_by))
    )


def _refuse_request(turn: Turn, task: Task) -> None:
    """Say at once when the task cannot be asked about (before asking for more input)."""
    if not is_overdue(task, turn.ctx.today()):
        raise DomainError("explanation_not_overdue", code=task.code)


def _refuse_answer(official: Official, request: ExplanationRequest) -> None:
    if request.answered_at is not None:
        raise DomainError("explanation_answered", code=request.task.code)
    if not is_unit_head(official, request.unit):
        raise DomainError("explanation_head_answers", unit=request.unit.name)


def _flow_id() -> str:
    return secrets.token_hex(4)

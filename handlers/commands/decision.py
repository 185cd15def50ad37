"""/duyet (/approvals): leaders and admins decide extension requests in the chat.

Every pending request is shown with three choices: approve until the requested date
(``ext:<id>:ok``), approve until another date (``ext:<id>:date``, then the next message is
the date) and refuse (``ext:<id>:no``). Then comes an optional comment: the next message, or
the Skip button (``exs:<flow>``) or a typed "không" / "bỏ qua". Where the leader is in the
decision lives in the conversation state (flow ``extension_decide``, steps ``date`` and
``comment``), like every multi-step flow. On channels without buttons the choices are
numbered options.

In one line, with the request number shown in the list or the task code::

    /duyet 12 đồng ý                      approve until the requested date
    /duyet NV-01 đồng ý 31/01/2026 Ghi chú approve until another date, with a comment
    /duyet 12 không đồng ý Lý do          refuse ("từ chối" too), with a comment

Words are compared without diacritics (``dong y``, ``tu choi``). ``/duyet 12`` alone offers
that request's choices; ``/duyet`` alone lists every pending request.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from bot.folding import fold
from bot.i18n import format_date, shorten
from bot.messages import Button, Reply
from bot.models import ExtensionRequest, ExtensionStatus, Official, Role
from bot.services.directory import can_decide_extensions
from bot.services.errors import DomainError
from bot.services.extensions import (
    check_decided_date,
    clean_note,
    decide_and_notify,
    decision_text,
    load_request,
    pending_request,
    pending_requests,
)
from bot.texts import named
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

CALLBACK = "ext"
"""``ext:<request id>:ok|date|no``: a leader's choice on a pending request."""
SKIP_CALLBACK = "exs"
"""``exs:<flow id>``: decide without a comment."""
FLOW = "extension_decide"
PENDING_LIST_LIMIT = 10
CHOICES = ("ok", "date", "no")

APPROVE_WORDS = ("dong y", "duyet", "approve", "ok", "yes")
REJECT_WORDS = ("khong dong y", "tu choi", "khong duyet", "khong", "reject", "refuse", "no")
"""What the one-line form accepts after the request, compared folded (longest first)."""
SKIP_WORDS = frozenset({"khong", "bo qua", "khong co", "skip", "no", "none"})
"""A comment step answered with one of these (folded) decides without a comment."""
_DATE_LIKE = re.compile(r"[0-9]{1,4}[/.-][0-9]{1,2}(?:[/.-][0-9]{1,4})?")


@router.command(
    "duyet",
    english="approvals",
    roles=(Role.LEADER, Role.ADMIN),
    help_key="help.decide",
    menu_key="menu.decide",
)
async def approvals(turn: Turn) -> list[Reply] | Reply:
    """``/duyet`` lists the pending requests; ``/duyet 12`` offers one request's choices;
    ``/duyet 12 đồng ý [date] [comment]`` / ``/duyet 12 không đồng ý [comment]`` decides."""
    if not turn.args:
        return await pending_list(turn)
    ref, rest = first_word(turn.args)
    request = await _request_for(turn, ref)
    if not rest:
        _ensure_pending(request)
        return request_notice(request, request.requested_by, turn.lang)
    approve, rest = _verdict(rest)
    if approve is None:
        raise ChatError("decide.usage")
    deadline = None
    if approve:
        date_text, comment = first_word(rest)
        if _DATE_LIKE.fullmatch(date_text):
            deadline = _parse_date(turn, request, date_text)
            rest = comment
    return await _decide(turn, request.id, approve, deadline, rest)


async def pending_list(turn: Turn) -> list[Reply] | Reply:
    """The pending extension requests, oldest first, each with its three choices."""
    total, requests = await pending_requests(turn.session, limit=PENDING_LIST_LIMIT)
    if not requests:
        return turn.reply(turn.t("extend.none_pending"))
    replies = [Reply(turn.t("extend.pending_header", n=total))]
    replies.extend(request_notice(request, request.requested_by, turn.lang) for request in requests)
    if total > len(requests):
        replies.append(Reply(turn.t("extend.pending_more", n=total - len(requests))))
    return replies


@router.callback(CALLBACK)
async def chosen(turn: Turn) -> Reply:
    """A choice pressed (or its number typed) on a pending request."""
    _, raw_id, choice = [*turn.callback, "", ""][:3]
    request_id = small_number(raw_id, 9)
    if request_id is None or choice not in CHOICES:
        return turn.reply(turn.t("stale_button"))
    if not can_decide_extensions(official_of(turn)):
        raise DomainError("not_allowed")
    request = await load_request(turn.session, request_id)
    _ensure_pending(request)
    data: dict[str, Any] = {
        FLOW_ID: secrets.token_hex(4),
        "request": request.id,
        "task": request.task.code,
    }
    if choice == "date":
        await turn.set_state(FLOW, "date", data)
        return turn.reply(_date_prompt(turn, request), edit=True)
    data["approve"] = choice == "ok"
    return await _ask_comment(turn, request, data, edit=True)


@router.callback(SKIP_CALLBACK)
async def comment_skipped(turn: Turn) -> Reply:
    """``exs:<flow id>``: no comment, decide now."""
    data = turn.data
    fid = turn.callback_part()
    step = turn.state.step if turn.state else ""
    if turn.flow != FLOW or step != "comment" or not fid or data.get(FLOW_ID) != fid:
        return turn.reply(turn.t("stale_button"))
    reply = await _decide_in_flow(turn, data, "")
    reply.edit = True
    return reply


@router.flow(FLOW)
async def in_flow(turn: Turn) -> Reply:
    """The other date, or the comment, typed while a decision waits for it."""
    step = turn.state.step if turn.state else ""
    data = turn.data
    text = (turn.message.text or "").strip()
    request = await load_request(turn.session, int(data.get("request", 0)))
    if request.status is not ExtensionStatus.PENDING:
        # Decided meanwhile (by another leader, or on the dashboard): the flow is over.
        turn.flow_finished = True
        await turn.clear_state()
        raise DomainError("extension_decided")
    if step == "date":
        if not text:
            return turn.reply(_date_prompt(turn, request))
        deadline = _parse_date(turn, request, first_word(text)[0])
        check_decided_date(turn.ctx, request, deadline)
        data["approve"] = True
        data["deadline"] = deadline.isoformat()
        return await _ask_comment(turn, request, data)
    if not text:
        return _comment_prompt(turn, request, data)
    return await _decide_in_flow(turn, data, "" if fold(text) in SKIP_WORDS else text)


@router.abandoned(FLOW)
async def decision_not_saved(turn: Turn, step: str, data: dict[str, Any]) -> Reply | None:
    """Another command or button ended the decision before it was taken (a new choice on the
    same request replaces it without a word)."""
    code = data.get("task")
    if not code or (turn.flow == FLOW and turn.data.get("request") == data.get("request")):
        return None
    return turn.reply(turn.t("decide.not_saved", code=code))


def request_notice(request: ExtensionRequest, requester: Official, lang: str) -> Reply:
    """A pending request as leaders read it (outbox notice and lists), with its choices."""
    task = request.task
    text = TEXTS.t(
        "extend.notice",
        lang,
        id=request.id,
        code=task.code,
        title=shorten(task.title),
        unit=task.lead_unit.name,
        who=named(requester, lang),
        old=format_date(request.old_deadline, lang),
        new=format_date(request.new_deadline),
        reason=request.reason,
    )
    return Reply(text, decision_buttons(request, lang))


def decision_buttons(request: ExtensionRequest, lang: str) -> list[list[Button]]:
    """Approve until the requested date, approve until another date, refuse."""
    prefix = f"{CALLBACK}:{request.id}"
    return [
        [
            Button(
                TEXTS.t("button.approve_until", lang, date=format_date(request.new_deadline)),
                f"{prefix}:ok",
            ),
            Button(TEXTS.t("button.approve_other", lang), f"{prefix}:date"),
        ],
        [Button(TEXTS.t("button.reject", lang), f"{prefix}:no")],
    ]


async def _request_for(turn: Turn, ref: str) -> ExtensionRequest:
    """The request named by its number, or the pending request of a task code."""
    number = small_number(ref.lstrip("#"), 9)
    if number is not None:
        return await load_request(turn.session, number)
    task = await task_for(turn, ref)
    request = await pending_request(turn.session, task.id)
    if request is None:
        raise ChatError("decide.none_for_task", code=task.code)
    return await load_request(turn.session, request.id)


def _verdict(text: str) -> tuple[bool | None, str]:
    """(approve?, the rest) from ``đồng ý 31/01/2026 Ghi chú`` or ``từ chối Lý do``; None
    when the text starts with neither."""
    words = text.split()
    for count in (3, 2, 1):
        head = fold(" ".join(words[:count])) if len(words) >= count else ""
        for approve, known in ((False, REJECT_WORDS), (True, APPROVE_WORDS)):
            if head and head in known:
                rest = text.split(maxsplit=count)
                return approve, rest[count].strip() if len(rest) > count else ""
    return None, text


def _parse_date(turn: Turn, request: ExtensionRequest, text: str) -> dt.date:
    try:
        return parse_date(text)
    except ParseError as exc:
        raise parse_failed(exc, date=example_date(turn.ctx.today(), request.task.deadline)) from exc


def _ensure_pending(request: ExtensionRequest) -> None:
    if request.status is not ExtensionStatus.PENDING:
        raise DomainError("extension_decided")


async def _ask_comment(
    turn: Turn, request: ExtensionRequest, data: dict[str, Any], *, edit: bool = False
) -> Reply:
    await turn.set_state(FLOW, "comment", data)
    reply = _comment_prompt(turn, request, data)
    reply.edit = edit
    return reply


def _comment_prompt(turn: Turn, request: ExtensionRequest, data: dict[str, Any]) -> Reply:
    code, title = request.task.code, shorten(request.task.title)
    if not data.get("approve"):
        head = turn.t("decide.rejecting", code=code, title=title)
    else:
        deadline = data.get("deadline")
        date = dt.date.fromisoformat(deadline) if deadline else request.new_deadline
        head = turn.t("decide.approving", code=code, title=title, date=format_date(date))
    skip = [[Button(turn.t("button.skip"), f"{SKIP_CALLBACK}:{data[FLOW_ID]}")]]
    return turn.reply(f"{head}\n{turn.t('decide.comment_prompt')}", skip)


def _date_prompt(turn: Turn, request: ExtensionRequest) -> str:
    return turn.t(
        "decide.date_prompt",
        code=request.task.code,
        title=shorten(request.task.title),
        new=format_date(request.new_deadline),
        date=example_date(turn.ctx.today(), request.task.deadline),
    )


async def _decide_in_flow(turn: Turn, data: dict[str, Any], note: str) -> Reply:
    """Take the decision the flow collected; the flow ends unless the comment is refused
    (too long), so it can be typed again."""
    clean_note(note)
    deadline = data.get("deadline")
    turn.flow_finished = True
    await turn.clear_state()
    return await _decide(
        turn,
        int(data.get("request", 0)),
        bool(data.get("approve")),
        dt.date.fromisoformat(deadline) if deadline else None,
        note,
    )


async def _decide(
    turn: Turn, request_id: int, approve: bool, deadline: dt.date | None, note: str
) -> Reply:
    leader = official_of(turn)
    request = await decide_and_notify(
        turn.session,
        turn.ctx,
        leader=leader,
        request_id=request_id,
        approve=approve,
        deadline=deadline,
        note=note,
        via=turn.via,
    )
    return turn.reply(decision_text(request, leader, turn.lang))

"""/giahan (/extend): ask for a later deadline; leaders decide with Approve / Reject buttons.

Every leader and admin hears of a request through the outbox (buttons ``ext:<id>:ok`` and
``ext:<id>:no``); the requester and the lead unit's head hear the decision the same way.
The deadline moves only on approval (``bot.services.extensions`` keeps both dates).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import format_date, shorten
from bot.messages import Button, Reply
from bot.models import ExtensionRequest, ExtensionStatus, Official, Role
from bot.services.extensions import decide_extension, request_extension
from bot.services.outbox import notify_official
from handlers.commands.common import (
    REPORTING_ROLES,
    ChatError,
    first_word,
    official_of,
    parse_failed,
    reporting_access,
    small_number,
    task_for,
)
from handlers.parsing import ParseError, parse_date
from handlers.router import Router
from handlers.texts import TEXTS
from handlers.turn import Turn

router = Router()

REQUEST_NOTICE = "extension.request"
DECISION_NOTICE = "extension.decision"


@router.command(
    "giahan",
    english="extend",
    roles=REPORTING_ROLES,
    help_key="help.extend",
    menu_key="menu.extend",
)
async def extend(turn: Turn) -> Reply:
    """``/giahan NV-01 31/12/2025 reason``."""
    code, rest = first_word(turn.args)
    date_text, reason = first_word(rest)
    if not code or not date_text:
        raise ChatError("extend.usage")
    task = await task_for(turn, code)
    official = official_of(turn)
    reporting_access(official, task)
    try:
        new_deadline = parse_date(date_text)
    except ParseError as exc:
        raise parse_failed(exc) from exc
    if not reason:
        raise ChatError("extend.need_reason")
    request = await request_extension(
        turn.session,
        turn.ctx,
        official=official,
        task=task,
        new_deadline=new_deadline,
        reason=reason,
        via=turn.via,
    )
    deciders = list(
        await turn.session.scalars(
            select(Official.id).where(
                Official.role.in_((Role.LEADER, Role.ADMIN)), Official.active.is_(True)
            )
        )
    )
    notified = 0
    for decider_id in deciders:
        notified += await notify_official(
            turn.session,
            turn.ctx,
            decider_id,
            lambda lang: _request_notice(request, official, lang),
            kind=REQUEST_NOTICE,
            key=str(request.id),
        )
    text = turn.t(
        "extend.sent",
        code=task.code,
        old=format_date(task.deadline, turn.lang),
        new=format_date(new_deadline),
    )
    if notified == 0:
        text += "\n" + turn.t("extend.nobody_linked")
    return turn.reply(text)


@router.callback("ext")
async def decide(turn: Turn) -> Reply:
    """``ext:<request id>:ok|no`` pressed by a leader."""
    _, raw_id, answer = [*turn.callback, "", ""][:3]
    request_id = small_number(raw_id, 9)
    if request_id is None or answer not in ("ok", "no"):
        return turn.reply(turn.t("stale_button"))
    approve = answer == "ok"
    request = await decide_extension(
        turn.session,
        turn.ctx,
        leader=official_of(turn),
        request_id=request_id,
        approve=approve,
        via=turn.via,
    )
    task = request.task
    recipients = {request.requested_by_id}
    if task.lead_unit.head_id is not None:
        recipients.add(task.lead_unit.head_id)
    heads = await turn.session.scalars(
        select(Official.id).where(
            Official.unit_id == task.lead_unit_id,
            Official.role == Role.HEAD,
            Official.active.is_(True),
        )
    )
    recipients.update(heads)
    leader = official_of(turn)
    for official_id in sorted(recipients):
        await notify_official(
            turn.session,
            turn.ctx,
            official_id,
            lambda lang: Reply(_decision_text(request, leader, lang)),
            kind=DECISION_NOTICE,
            key=str(request.id),
        )
    return turn.reply(_decision_text(request, leader, turn.lang), edit=True)


def _request_notice(request: ExtensionRequest, requester: Official, lang: str) -> Reply:
    task = request.task
    text = TEXTS.t(
        "extend.notice",
        lang,
        code=task.code,
        title=shorten(task.title),
        unit=task.lead_unit.name,
        who=requester.full_name,
        old=format_date(request.old_deadline, lang),
        new=format_date(request.new_deadline),
        reason=request.reason,
    )
    buttons = [
        [
            Button(TEXTS.t("button.approve", lang), f"ext:{request.id}:ok"),
            Button(TEXTS.t("button.reject", lang), f"ext:{request.id}:no"),
        ]
    ]
    return Reply(text, buttons)


def _decision_text(request: ExtensionRequest, leader: Official, lang: str) -> str:
    key = "extend.approved" if request.status is ExtensionStatus.APPROVED else "extend.rejected"
    return TEXTS.t(
        key,
        lang,
        code=request.task.code,
        title=shorten(request.task.title),
        old=format_date(request.old_deadline, lang),
        new=format_date(request.new_deadline),
        leader=leader.full_name,
    )

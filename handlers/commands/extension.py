"""/giahan (/extend): ask for a later deadline; leaders decide with Approve / Reject buttons.

Every leader and admin hears of a request through the outbox (buttons ``ext:<id>:ok`` and
``ext:<id>:no``); the requester and the lead unit's head hear the decision the same way.
``/giahan`` without arguments (or ``/duyet``) sent by a leader or admin lists every pending
request with the same buttons, so a request is never stuck with a leader who linked their
chat after it was sent. The deadline moves only on approval (``bot.services.extensions``
keeps both dates).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import format_date, shorten
from bot.messages import Button, Reply
from bot.models import ExtensionRequest, Official, Role
from bot.services.directory import can_decide_extensions
from bot.services.extensions import (
    decide_and_notify,
    decision_text,
    pending_requests,
    request_extension,
)
from bot.services.outbox import notify_official
from bot.texts import named
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
from handlers.examples import example_date, example_for
from handlers.parsing import ParseError, parse_date
from handlers.router import Router
from handlers.texts import TEXTS
from handlers.turn import Turn

router = Router()

REQUEST_NOTICE = "extension.request"
PENDING_LIST_LIMIT = 10


@router.command("giahan", english="extend", help_key="help.extend", menu_key="menu.extend")
async def extend(turn: Turn) -> list[Reply] | Reply:
    """``/giahan NV-01 31/12/2025 reason``; a leader's bare ``/giahan`` lists the pending."""
    official = official_of(turn)
    if official.role not in REPORTING_ROLES:
        if turn.args:
            raise ChatError("extend.leader_decides")
        return await pending_list(turn)
    if not turn.args and can_decide_extensions(official):
        return await pending_list(turn)
    code, rest = first_word(turn.args)
    date_text, reason = first_word(rest)
    if not code or not date_text:
        raise ChatError("extend.usage", **(await example_for(turn)).params())
    task = await task_for(turn, code)
    reporting_access(official, task)
    try:
        new_deadline = parse_date(date_text)
    except ParseError as exc:
        raise parse_failed(exc, date=example_date(turn.ctx.today(), task.deadline)) from exc
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


@router.command(
    "duyet",
    english="approvals",
    roles=(Role.LEADER, Role.ADMIN),
    help_key="help.decide",
    menu_key="menu.decide",
)
async def approvals(turn: Turn) -> list[Reply] | Reply:
    """``/duyet``: the pending requests, for leaders and admins."""
    return await pending_list(turn)


async def pending_list(turn: Turn) -> list[Reply] | Reply:
    """The pending extension requests, oldest first, each with Approve (to its date) and
    Reject buttons (numbered options on channels without buttons)."""
    total, requests = await pending_requests(turn.session, limit=PENDING_LIST_LIMIT)
    if not requests:
        return turn.reply(turn.t("extend.none_pending"))
    replies = [Reply(turn.t("extend.pending_header", n=total))]
    replies.extend(
        _request_notice(request, request.requested_by, turn.lang, dated=True)
        for request in requests
    )
    if total > len(requests):
        replies.append(Reply(turn.t("extend.pending_more", n=total - len(requests))))
    return replies


@router.callback("ext")
async def decide(turn: Turn) -> Reply:
    """``ext:<request id>:ok|no`` pressed by a leader."""
    _, raw_id, answer = [*turn.callback, "", ""][:3]
    request_id = small_number(raw_id, 9)
    if request_id is None or answer not in ("ok", "no"):
        return turn.reply(turn.t("stale_button"))
    leader = official_of(turn)
    request = await decide_and_notify(
        turn.session,
        turn.ctx,
        leader=leader,
        request_id=request_id,
        approve=answer == "ok",
        via=turn.via,
    )
    return turn.reply(decision_text(request, leader, turn.lang), edit=True)


def _request_notice(
    request: ExtensionRequest, requester: Official, lang: str, *, dated: bool = False
) -> Reply:
    task = request.task
    text = TEXTS.t(
        "extend.notice",
        lang,
        code=task.code,
        title=shorten(task.title),
        unit=task.lead_unit.name,
        who=named(requester, lang),
        old=format_date(request.old_deadline, lang),
        new=format_date(request.new_deadline),
        reason=request.reason,
    )
    return Reply(text, decision_buttons(request, lang, dated=dated))


def decision_buttons(
    request: ExtensionRequest, lang: str, *, dated: bool = True
) -> list[list[Button]]:
    """Approve (to the requested date when ``dated``) and Reject, for a leader or admin."""
    approve = (
        TEXTS.t("button.approve_until", lang, date=format_date(request.new_deadline))
        if dated
        else TEXTS.t("button.approve", lang)
    )
    return [
        [
            Button(approve, f"ext:{request.id}:ok"),
            Button(TEXTS.t("button.reject", lang), f"ext:{request.id}:no"),
        ]
    ]

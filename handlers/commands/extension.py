"""/giahan (/extend): ask for a later deadline; leaders decide (``handlers.commands.decision``).

Every leader and admin hears of a request through the outbox, with the decision choices;
the requester and the lead unit's head hear the decision the same way. ``/giahan`` without
arguments (or ``/duyet``) sent by a leader or admin lists every pending request with the same
choices, so a request is never stuck with a leader who linked their chat after it was sent.
The deadline moves only on approval (``bot.services.extensions`` keeps both dates).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import format_date
from bot.messages import Reply
from bot.models import Official, Role
from bot.services.directory import can_decide_extensions
from bot.services.extensions import request_extension
from bot.services.outbox import notify_official
from handlers.commands.common import (
    REPORTING_ROLES,
    ChatError,
    first_word,
    official_of,
    parse_failed,
    reporting_access,
    task_for,
)
from handlers.commands.decision import pending_list, request_notice
from handlers.examples import example_date, example_for
from handlers.parsing import ParseError, parse_date
from handlers.router import Router
from handlers.turn import Turn

router = Router()

REQUEST_NOTICE = "extension.request"


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
            lambda lang: request_notice(request, official, lang),
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

"""/xong (/done): a task completed, stamped on time or late against the current deadline."""

from __future__ import annotations

from bot.i18n import format_date
from bot.messages import Reply
from bot.services.reports import mark_done, update_source
from handlers.commands.common import (
    REPORTING_ROLES,
    ChatError,
    attachments_of,
    first_word,
    official_of,
    reporting_access,
    task_for,
)
from handlers.commands.report import saved_text
from handlers.examples import example_for
from handlers.router import Router
from handlers.turn import Turn

router = Router()


@router.command(
    "xong", english="done", roles=REPORTING_ROLES, help_key="help.done", menu_key="menu.done"
)
async def done(turn: Turn) -> Reply:
    """``/xong NV-01 [note]`` (a file sent with this caption is stored with it)."""
    code, note = first_word(turn.args)
    if not code:
        raise ChatError("done.usage", **(await example_for(turn)).params())
    official = official_of(turn)
    task = await task_for(turn, code)
    reporting_access(official, task)
    if task.completed_on is not None:
        return turn.reply(
            turn.t("done.already", code=task.code, date=format_date(task.completed_on))
        )
    outcome = await mark_done(
        turn.session,
        turn.ctx,
        official=official,
        task=task,
        note=note,
        channel=turn.message.channel,
        source_message_id=update_source(turn.message.update_key),
        attachments=attachments_of(turn),
    )
    if outcome.on_time is None:
        verdict = turn.t("done.no_deadline")
    elif outcome.on_time:
        verdict = turn.t("done.on_time", deadline=format_date(task.deadline))
    else:
        verdict = turn.t("done.late", deadline=format_date(task.deadline))
    return turn.reply(f"{verdict}\n\n{saved_text(turn, outcome)}")

"""/baocao (/report): progress reports, one-line or guided step by step.

The guided flow keeps its place in the conversation state (so it survives a restart):
``task`` → ``progress`` (lead unit) → ``note`` → ``advice`` (lead unit: a difficulty or
recommendation that needs a leader, vướng mắc, kiến nghị) → ``file`` → ``confirm``. A
coordinating unit skips the progress and advice steps: its report is a note. On one line the
recommendation follows ``| kiến nghị:`` (``/baocao NQ-01 40 Đã họp | kiến nghị: đề nghị bổ sung
kinh phí``); it reaches the leader in charge when the report is saved. Steps already
answered are skipped, so a file sent early (or with the ``/baocao`` caption) is not asked for
again.

Buttons: ``rp:<TASK>`` opens the flow for a task (the scheduler's reminders carry the same
button); ``rpp:<flow>:<percent>``, ``rpn:<flow>`` (skip the note), ``rpk:<flow>`` (no
recommendation), ``rpf:<flow>`` (skip the file) and ``rpc:<flow>:ok|no`` carry the flow id,
so a button from an older message is recognised as stale and changes nothing. On channels
without buttons the progress step offers no numbered options: a typed number there is the
percentage itself.

Free text that reads like a report (``NV-01 80% đã xong dự thảo``) is offered back with
Confirm / Cancel, i.e. the flow's last step. While that question waits, a command still runs
and says that the pending report was not saved; other text gets the question again, saying
that it still waits for an answer.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select

from bot.i18n import shorten
from bot.messages import Button, Reply
from bot.models import Official, Role, Task
from bot.options import OPTIONS_KEY
from bot.progress import ProgressError, plan_progress
from bot.services.directory import TaskAccess, task_by_code
from bot.services.errors import DomainError
from bot.services.recommendations import check_can_raise, names, raise_recommendation
from bot.services.reports import ReportOutcome, submit_report, update_source
from handlers.commands.common import (
    REPORTING_ROLES,
    ChatError,
    attachment_from_data,
    attachment_name,
    attachment_to_data,
    attachments_of,
    first_word,
    official_of,
    parse_failed,
    reporting_access,
    small_number,
    task_for,
    unit_open_tasks,
)
from handlers.examples import example_for
from handlers.formatting import status_label, task_status, timing
from handlers.parsing import (
    ParseError,
    is_no_recommendation,
    parse_percent,
    parse_report_line,
    split_recommendation,
)
from handlers.router import Router
from handlers.turn import FLOW_ID, Turn

router = Router()

FLOW = "baocao"
PROGRESS_CHOICES = (0, 25, 50, 75, 100)
PICK_LIMIT = 20
MAX_BUTTON_DATA = 64
"""Bytes of button data Telegram accepts; longer task codes are typed instead."""
MODE_PROGRESS = "progress"
MODE_NOTE = "note"
ADVICE = "recommendation"
"""Flow data key of the recommendation ("" when there is none)."""


@router.command(
    "baocao",
    english="report",
    roles=REPORTING_ROLES,
    help_key="help.report",
    menu_key="menu.report",
)
async def report(turn: Turn) -> Reply:
    """``/baocao`` starts the flow; ``/baocao NV-01`` starts it for a task;
    ``/baocao NV-01 60 note`` saves at once (with the attached file, if any)."""
    official = official_of(turn)
    if not turn.args:
        return await _offer_tasks(turn)
    parsed = parse_report_line(turn.args)
    if parsed is not None:
        task = await task_for(turn, parsed.code)
        reporting_access(official, task)
        note, advice = _split(official_of(turn), task, parsed.note)
        return await _save(
            turn,
            task,
            parsed.percent,
            note,
            source=update_source(turn.message.update_key),
            recommendation=advice,
        )
    code, rest = first_word(turn.args)
    task = await task_for(turn, code)
    access = reporting_access(official, task)
    if not rest:
        data: dict[str, Any] = {}
        if turn.message.attachment is not None:
            data["attachment"] = attachment_to_data(turn.message.attachment)
        return await _start(turn, task, access, data)
    if access is TaskAccess.NOTE:
        note, advice = _split(official, task, rest)
        return await _save(
            turn,
            task,
            None,
            note,
            source=update_source(turn.message.update_key),
            recommendation=advice,
        )
    raise ChatError("report.need_percent", code=task.code)


@router.callback("rp")
async def open_for_task(turn: Turn) -> Reply:
    """``rp:<TASK>``: a task picked from the list, or the button of a reminder."""
    if len(turn.callback) < 2 or not turn.callback[1]:
        return turn.reply(turn.t("stale_button"))
    task = await task_for(turn, turn.callback[1])
    access = reporting_access(official_of(turn), task)
    return await _start(turn, task, access, {})


@router.callback("rpp")
async def progress_chosen(turn: Turn) -> Reply:
    data = _flow_data(turn, "progress")
    value = small_number(turn.callback[2], 3) if len(turn.callback) > 2 else None
    if data is None or value is None:
        return turn.reply(turn.t("stale_button"))
    task = await task_by_code(turn.session, data["task"])
    data["progress"] = _checked_progress(task, value)
    return await _advance(turn, task, data, edit=True)


@router.callback("rpn")
async def note_skipped(turn: Turn) -> Reply:
    data = _flow_data(turn, "note")
    if data is None or data.get("mode") != MODE_PROGRESS:
        return turn.reply(turn.t("stale_button"))
    data["note"] = ""
    task = await task_by_code(turn.session, data["task"])
    return await _advance(turn, task, data, edit=True)


@router.callback("rpk")
async def advice_skipped(turn: Turn) -> Reply:
    """No difficulty or recommendation for a leader."""
    data = _flow_data(turn, "advice")
    if data is None:
        return turn.reply(turn.t("stale_button"))
    data[ADVICE] = ""
    task = await task_by_code(turn.session, data["task"])
    return await _advance(turn, task, data, edit=True)


@router.callback("rpf")
async def file_skipped(turn: Turn) -> Reply:
    data = _flow_data(turn, "file")
    if data is None:
        return turn.reply(turn.t("stale_button"))
    data["attachment"] = None
    task = await task_by_code(turn.session, data["task"])
    return await _advance(turn, task, data, edit=True)


@router.callback("rpc")
async def confirmed(turn: Turn) -> Reply:
    data = _flow_data(turn, "confirm")
    if data is None or len(turn.callback) < 3 or turn.callback[2] not in ("ok", "no"):
        return turn.reply(turn.t("stale_button"))
    turn.flow_finished = True
    if turn.callback[2] == "no":
        await turn.clear_state()
        return turn.reply(turn.t("report.cancelled"), edit=True)
    task = await task_by_code(turn.session, data["task"])
    reply = await _save(
        turn,
        task,
        data.get("progress") if data.get("mode") == MODE_PROGRESS else None,
        str(data.get("note") or ""),
        source=f"flow:{data[FLOW_ID]}",
        attachment=data.get("attachment"),
        recommendation=str(data.get(ADVICE) or "") or None,
    )
    await turn.clear_state()
    reply.edit = True
    return reply


@router.flow(FLOW)
async def in_flow(turn: Turn) -> Reply:
    """Text or a file sent while the flow waits for an answer."""
    step = turn.state.step if turn.state else ""
    data = _clean(turn.data)
    text = (turn.message.text or "").strip()
    attachment = turn.message.attachment
    if step == "task":
        if not text:
            return turn.reply(turn.t("flow.task_expected"))
        task = await task_for(turn, first_word(text)[0])
        access = reporting_access(official_of(turn), task)
        if attachment is not None:
            data["attachment"] = attachment_to_data(attachment)
        return await _start(turn, task, access, data)
    if step == "confirm" and attachment is None:
        parsed = parse_report_line(text)
        if parsed is not None:
            return await _offer_line(turn, parsed.code, parsed.percent, parsed.note)
        return _confirm_prompt(
            turn, await task_by_code(turn.session, data["task"]), data, still_pending=True
        )
    task = await task_by_code(turn.session, data["task"])
    if attachment is not None:
        data["attachment"] = attachment_to_data(attachment)
    if step == "progress" and text:
        try:
            value = parse_percent(text)
        except ParseError as exc:
            raise parse_failed(exc) from exc
        data["progress"] = _checked_progress(task, value)
    elif step == "note" and (text or attachment is not None):
        data["note"], advice = split_recommendation(text)
        if advice is not None:
            data[ADVICE] = check_can_raise(official_of(turn), task, advice)
    elif step == "advice" and text:
        data[ADVICE] = (
            "" if is_no_recommendation(text) else check_can_raise(official_of(turn), task, text)
        )
    elif step == "file" and attachment is None:
        return _file_prompt(turn, data, again=True)
    elif step == "file" and text and not data.get("note"):
        data["note"] = text
    return await _advance(turn, task, data)


@router.abandoned(FLOW)
async def report_not_saved(turn: Turn, step: str, data: dict[str, Any]) -> Reply | None:
    """Another command, button or report ended this flow: say what was not saved."""
    code = data.get("task")
    entered = "progress" in data or data.get("note") or data.get(ADVICE) or data.get("attachment")
    if not code or not entered:
        return None  # nothing typed yet, nothing lost
    if step == "confirm" and turn.flow == FLOW and turn.data.get("task") == code:
        return None  # a corrected line for the same task replaced the question
    if step != "confirm":
        return turn.reply(turn.t("report.unfinished_not_saved", code=code))
    task = await turn.session.scalar(select(Task).where(Task.code == code))
    if task is None:
        return turn.reply(turn.t("report.unfinished_not_saved", code=code))
    lines = [turn.t("report.pending_not_saved"), *_summary_lines(turn, task, data)]
    return turn.reply("\n".join(lines))


@router.text()
async def report_like_text(turn: Turn) -> Reply | None:
    """Free text in a private chat that reads like a report is offered back to confirm."""
    if turn.official is None or turn.is_group:
        return None
    parsed = parse_report_line((turn.message.text or "").strip())
    if parsed is not None:
        return await _offer_line(turn, parsed.code, parsed.percent, parsed.note)
    if turn.message.attachment is not None:
        return turn.reply(turn.t("report.file_hint"))
    return None


async def _offer_line(turn: Turn, code: str, percent: int, note: str) -> Reply:
    task = await task_for(turn, code)
    if reporting_access(official_of(turn), task) is TaskAccess.NOTE:
        raise DomainError("coordinator_no_progress", code=task.code)
    note, advice = _split(official_of(turn), task, note)
    data: dict[str, Any] = {
        FLOW_ID: _new_flow_id(),
        "task": task.code,
        "mode": MODE_PROGRESS,
        "progress": _checked_progress(task, percent),
        "note": note,
        ADVICE: advice or "",
        "attachment": (
            attachment_to_data(turn.message.attachment) if turn.message.attachment else None
        ),
    }
    await turn.set_state(FLOW, "confirm", data)
    return _confirm_prompt(turn, task, data)


async def _offer_tasks(turn: Turn) -> Reply:
    """The first step: one button per open task of my unit (lead first)."""
    official = official_of(turn)
    data = {FLOW_ID: _new_flow_id()}
    tasks = await unit_open_tasks(turn.session, official.unit_id) if official.unit_id else []
    if not tasks and official.role is Role.ADMIN:
        await turn.set_state(FLOW, "task", data)
        return turn.reply(turn.t("flow.type_code", **(await example_for(turn)).params()))
    if not tasks:
        await turn.clear_state()
        return turn.reply(turn.t("report.no_open_tasks"))
    tasks.sort(key=lambda task: task.lead_unit_id != official.unit_id)
    pickable = [task for task in tasks if len(f"rp:{task.code}".encode()) <= MAX_BUTTON_DATA]
    buttons = []
    for task in pickable[:PICK_LIMIT]:
        label = f"{task.code} · {shorten(task.title, 40)}"
        if task.lead_unit_id != official.unit_id:
            label += " " + turn.t("tasks.coordinating")
        buttons.append([Button(label, f"rp:{task.code}")])
    text = turn.t("flow.pick_task")
    if len(tasks) > len(buttons):
        text += "\n" + turn.t("flow.pick_more", n=len(tasks) - len(buttons))
    await turn.set_state(FLOW, "task", data)
    return turn.reply(text, buttons)


async def _start(turn: Turn, task: Task, access: TaskAccess, data: dict[str, Any]) -> Reply:
    if task.completed_at is not None and access is TaskAccess.REPORT:
        await turn.clear_state()
        raise ChatError("report.already_done", code=task.code)
    data = {
        FLOW_ID: _new_flow_id(),
        "task": task.code,
        "mode": MODE_PROGRESS if access is TaskAccess.REPORT else MODE_NOTE,
        **({"attachment": data["attachment"]} if data.get("attachment") else {}),
    }
    return await _advance(turn, task, data)


async def _advance(turn: Turn, task: Task, data: dict[str, Any], *, edit: bool = False) -> Reply:
    """Go to the first step not answered yet and ask its question."""
    if data["mode"] == MODE_PROGRESS and "progress" not in data:
        step, reply = "progress", _progress_prompt(turn, task, data)
    elif "note" not in data:
        step, reply = "note", _note_prompt(turn, task, data)
    elif data["mode"] == MODE_PROGRESS and ADVICE not in data:
        step, reply = "advice", _advice_prompt(turn, data)
    elif "attachment" not in data:
        step, reply = "file", _file_prompt(turn, data)
    else:
        step, reply = "confirm", _confirm_prompt(turn, task, data)
    await turn.set_state(FLOW, step, data)
    reply.edit = edit
    return reply


def _progress_prompt(turn: Turn, task: Task, data: dict[str, Any]) -> Reply:
    head = _task_head(turn, task)
    if not turn.traits.buttons:
        return turn.reply(f"{head}\n{turn.t('flow.progress_typed')}")
    fid = data[FLOW_ID]
    row = [Button(f"{n}%", f"rpp:{fid}:{n}") for n in PROGRESS_CHOICES]
    return turn.reply(f"{head}\n{turn.t('flow.progress')}", [row])


def _note_prompt(turn: Turn, task: Task, data: dict[str, Any]) -> Reply:
    if data["mode"] == MODE_NOTE:
        return turn.reply(f"{_task_head(turn, task)}\n{turn.t('flow.note_coordinating')}")
    skip = [[Button(turn.t("button.skip"), f"rpn:{data[FLOW_ID]}")]]
    return turn.reply(turn.t("flow.note", progress=data["progress"]), skip)


def _advice_prompt(turn: Turn, data: dict[str, Any]) -> Reply:
    skip = [[Button(turn.t("button.no_advice"), f"rpk:{data[FLOW_ID]}")]]
    return turn.reply(turn.t("flow.advice"), skip)


def _file_prompt(turn: Turn, data: dict[str, Any], *, again: bool = False) -> Reply:
    skip = [[Button(turn.t("button.skip"), f"rpf:{data[FLOW_ID]}")]]
    return turn.reply(turn.t("flow.file_again" if again else "flow.file"), skip)


def _confirm_prompt(
    turn: Turn, task: Task, data: dict[str, Any], *, still_pending: bool = False
) -> Reply:
    """The question; ``still_pending`` when a message that was no answer to it came in."""
    title = turn.t("flow.confirm_still_pending" if still_pending else "flow.confirm_title")
    lines = [title, *_summary_lines(turn, task, data)]
    fid = data[FLOW_ID]
    buttons = [
        [
            Button(turn.t("button.confirm"), f"rpc:{fid}:ok"),
            Button(turn.t("button.cancel"), f"rpc:{fid}:no"),
        ]
    ]
    return turn.reply("\n".join(lines), buttons)


def _summary_lines(turn: Turn, task: Task, data: dict[str, Any]) -> list[str]:
    lines = [turn.t("summary.task", code=task.code, title=shorten(task.title))]
    if data.get("mode") == MODE_PROGRESS:
        lines.append(turn.t("summary.progress", old=task.progress, new=data["progress"]))
    else:
        lines.append(turn.t("summary.note_only"))
    if data.get("note"):
        lines.append(turn.t("summary.note", note=data["note"]))
    if data.get(ADVICE):
        lines.append(turn.t("summary.advice", text=data[ADVICE]))
    name = attachment_name(attachment_from_data(data.get("attachment")), turn.lang)
    if name:
        lines.append(turn.t("summary.file", name=name))
    return lines


async def _save(
    turn: Turn,
    task: Task,
    progress: int | None,
    note: str,
    *,
    source: str,
    attachment: object = None,
    recommendation: str | None = None,
) -> Reply:
    """Store the report and, with it, the ``recommendation`` for the leader in charge."""
    stored = attachment_from_data(attachment)
    files = (stored,) if stored is not None else attachments_of(turn)
    outcome = await submit_report(
        turn.session,
        turn.ctx,
        official=official_of(turn),
        task=task,
        progress=progress,
        note=note,
        channel=turn.message.channel,
        source_message_id=source,
        attachments=files,
    )
    if outcome.duplicate:
        return turn.reply(turn.t("report.duplicate", code=task.code))
    text = saved_text(turn, outcome)
    if recommendation is not None:
        raised, leaders = await raise_recommendation(
            turn.session,
            turn.ctx,
            official=official_of(turn),
            task=task,
            text=recommendation,
            via=turn.via,
            report=outcome.report,
        )
        text += "\n" + turn.t("summary.advice", text=raised.text)
        text += "\n" + (
            turn.t("report.advice_sent", who=names(leaders, turn.lang))
            if leaders
            else turn.t("report.advice_waiting")
        )
    return turn.reply(text)


def saved_text(turn: Turn, outcome: ReportOutcome) -> str:
    """What was saved: task, old → new %, note, file, and the task's status now."""
    task, report = outcome.task, outcome.report
    lines = [turn.t("report.saved")]
    lines.append(turn.t("summary.task", code=task.code, title=shorten(task.title)))
    if report.progress is None:
        lines.append(turn.t("summary.note_only"))
    else:
        lines.append(turn.t("summary.progress", old=outcome.old_progress, new=report.progress))
    if report.note:
        lines.append(turn.t("summary.note", note=report.note))
    for attachment in report.attachments:
        name = attachment.name or turn.t(
            "file.photo" if attachment.kind == "photo" else "file.unnamed"
        )
        lines.append(turn.t("summary.file", name=name))
    info = task_status(turn.ctx, task)
    lines.append(
        turn.t(
            "summary.status",
            status=status_label(info, turn.lang),
            timing=timing(turn.ctx, task, info, turn.lang),
        )
    )
    return "\n".join(lines)


def _task_head(turn: Turn, task: Task) -> str:
    return turn.t(
        "flow.task_head", code=task.code, title=shorten(task.title), progress=task.progress
    )


def _split(official: Official, task: Task, note: str) -> tuple[str, str | None]:
    """The note and the recommendation after ``| kiến nghị:``, refused before anything is
    stored when this person may not raise one (or it is empty)."""
    note, advice = split_recommendation(note)
    if advice is not None:
        advice = check_can_raise(official, task, advice)
    return note, advice


def _checked_progress(task: Task, value: int) -> int:
    """The progress rules, checked before anything is stored (0–100, no silent rollback)."""
    try:
        plan_progress(task.progress, task.completed_at is not None, value)
    except ProgressError as exc:
        raise DomainError(exc.code, **exc.params) from exc
    return value


def _flow_data(turn: Turn, step: str) -> dict[str, Any] | None:
    """The flow's data when a button belongs to the current step of the current flow."""
    if turn.flow != FLOW or turn.state is None or turn.state.step != step:
        return None
    data = _clean(turn.data)
    if len(turn.callback) < 2 or data.get(FLOW_ID) != turn.callback[1] or "task" not in data:
        return None
    return data


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Flow data without the numbered options of the last question (each step sets its own)."""
    return {key: value for key, value in data.items() if key != OPTIONS_KEY}


def _new_flow_id() -> str:
    return secrets.token_hex(4)

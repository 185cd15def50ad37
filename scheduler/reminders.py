"""What a reminder says: the due items of one recipient, grouped, as one neutral Reply."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import format_date, shorten
from bot.messages import Button, Reply
from bot.texts import TEXTS as DOMAIN_TEXTS
from scheduler.texts import TEXTS

MAX_CALLBACK_BYTES = 64
BUTTONS_PER_ROW = 2
MAX_BUTTONS = 40


class ItemKind(enum.StrEnum):
    """The groups of a reminder, in the order they are shown."""

    OVERDUE = "overdue"
    EXPLANATION = "explanation"
    DUE_TODAY = "due_today"
    UPCOMING = "upcoming"
    STALE = "stale"
    EXTENSION = "extension"


GROUP_ORDER: tuple[ItemKind, ...] = tuple(ItemKind)
#: Items that are not answered with a progress report.
NOT_REPORTABLE = frozenset({ItemKind.EXTENSION, ItemKind.EXPLANATION})

#: Dispatch priority (lower goes first) of a message by its most urgent item.
KIND_PRIORITY = {
    ItemKind.OVERDUE: 20,
    ItemKind.EXTENSION: 20,
    ItemKind.EXPLANATION: 20,
    ItemKind.DUE_TODAY: 30,
    ItemKind.UPCOMING: 40,
    ItemKind.STALE: 45,
}
ESCALATED_PRIORITY = 15
GROUP_BONUS = 5


@dataclass(frozen=True)
class ExtensionInfo:
    unit_name: str
    new_deadline: dt.date
    requested_on: dt.date
    reason: str


@dataclass(frozen=True)
class ExplanationInfo:
    """An unanswered explanation request the unit head is reminded of."""

    request_id: int
    requested_by: str
    due_date: dt.date
    text: str
    late: bool
    """Past its due date."""


@dataclass(frozen=True)
class ReminderItem:
    """One task in one recipient's reminder."""

    kind: ItemKind
    task_id: int
    code: str
    title: str
    deadline: dt.date | None
    progress: int
    last_report_on: dt.date | None
    days_left: int | None = None
    """Working days until the deadline (due today / upcoming)."""
    days_late: int | None = None
    """Calendar days past the deadline (overdue)."""
    working_days_late: int | None = None
    escalated: bool = False
    coordinating: bool = False
    silent_days: int | None = None
    extension: ExtensionInfo | None = None
    explanation: ExplanationInfo | None = None
    handler: str | None = None
    """The cán bộ thụ lý's name."""
    leader_in_charge: str | None = None
    """The lãnh đạo phụ trách, with their job title."""

    @property
    def key(self) -> tuple[ItemKind, int]:
        return (self.kind, self.task_id)


def message_priority(items: Sequence[ReminderItem], *, is_group: bool) -> int:
    """Escalations and overdue first, then due today, then upcoming; groups before people."""
    priority = min(
        ESCALATED_PRIORITY if item.escalated else KIND_PRIORITY[item.kind] for item in items
    )
    return priority - GROUP_BONUS if is_group else priority


def sort_items(items: Sequence[ReminderItem]) -> list[ReminderItem]:
    """Group order, then the most urgent first within a group."""

    def urgency(item: ReminderItem) -> tuple[int, dt.date, str]:
        return (GROUP_ORDER.index(item.kind), item.deadline or dt.date.max, item.code)

    return sorted(items, key=urgency)


def render_reminder(
    items: Sequence[ReminderItem],
    lang: str,
    *,
    day: dt.date,
    unit_name: str | None,
    buttons: bool,
    late_since: str | None = None,
) -> Reply:
    """One message listing every item, grouped; report buttons where the channel has them.

    ``late_since`` (local "HH:MM") says the message goes out late, after downtime.
    """
    t = TEXTS.t
    date = format_date(day, lang)
    title = (
        t("reminder.title_unit", lang, date=date, unit=unit_name)
        if unit_name
        else t("reminder.title", lang, date=date)
    )
    lines = [title]
    if late_since:
        lines.append(t("reminder.late", lang, time=late_since))
    ordered = sort_items(items)
    number = 0
    for kind in GROUP_ORDER:
        group = [item for item in ordered if item.kind is kind]
        if not group:
            continue
        lines += ["", t(f"group.{kind.value}", lang, n=len(group))]
        for item in group:
            number += 1
            lines += [
                f"{number}. {item.code} {shorten(item.title, 80)}",
                f"   {_details(item, lang)}",
            ]
    reportable = [item for item in ordered if item.kind not in NOT_REPORTABLE]
    explanations = [item for item in ordered if item.kind is ItemKind.EXPLANATION]
    rows: list[list[Button]] = []
    lines.append("")
    if explanations:
        lines.append(t("reminder.hint_explanation", lang, code=explanations[0].code))
        if buttons:
            rows += _answer_buttons(explanations, lang)
    if reportable:
        if buttons:
            lines.append(t("reminder.hint", lang))
            rows += _report_buttons(reportable, lang)
        else:
            lines.append(t("reminder.hint_plain", lang, code=reportable[0].code))
    if any(item.kind is ItemKind.EXTENSION for item in ordered):
        lines.append(t("reminder.hint_leader", lang))
    return Reply(text="\n".join(lines), buttons=rows)


def _details(item: ReminderItem, lang: str) -> str:
    t = TEXTS.t
    if item.explanation is not None:
        asked = item.explanation
        return t(
            "item.explanation_late" if asked.late else "item.explanation",
            lang,
            who=asked.requested_by,
            due=format_date(asked.due_date, lang),
            text=shorten(asked.text, 120),
        )
    if item.extension is not None:
        info = item.extension
        return t(
            "item.extension",
            lang,
            unit=info.unit_name,
            new=format_date(info.new_deadline, lang),
            old=format_date(item.deadline, lang),
            on=format_date(info.requested_on, lang),
            reason=shorten(info.reason, 80),
        )
    parts = [
        t("item.deadline", lang, date=format_date(item.deadline, lang))
        if item.deadline
        else DOMAIN_TEXTS.t("no_deadline", lang)
    ]
    if item.days_late is not None:
        parts.append(DOMAIN_TEXTS.t("days_late", lang, n=item.days_late))
    elif item.days_left == 0:
        parts.append(DOMAIN_TEXTS.t("due_today", lang))
    elif item.days_left is not None:
        parts.append(DOMAIN_TEXTS.t("days_left", lang, n=item.days_left))
    parts.append(t("item.progress", lang, n=item.progress))
    if item.silent_days is not None:
        parts.append(t("item.silent", lang, n=item.silent_days))
    elif item.last_report_on is not None:
        parts.append(t("item.last_report", lang, date=format_date(item.last_report_on, lang)))
    else:
        parts.append(t("item.never_reported", lang))
    if item.coordinating:
        parts.append(t("item.coordinating", lang))
    if item.handler:
        parts.append(t("item.handler", lang, name=item.handler))
    if item.leader_in_charge:
        parts.append(t("item.leader_in_charge", lang, person=item.leader_in_charge))
    if item.escalated and item.working_days_late is not None:
        parts.append(t("item.escalated", lang, n=item.working_days_late))
    return ", ".join(parts)


def _answer_buttons(items: Sequence[ReminderItem], lang: str) -> list[list[Button]]:
    """One "Trả lời giải trình" button per request (``gt:<request id>``, the chat's answer)."""
    return [
        [
            Button(
                TEXTS.t("button.answer", lang, code=item.code), f"gt:{item.explanation.request_id}"
            )
        ]
        for item in items
        if item.explanation is not None
    ][:MAX_BUTTONS]


def _report_buttons(items: Sequence[ReminderItem], lang: str) -> list[list[Button]]:
    buttons = [
        Button(TEXTS.t("button.report", lang, code=item.code), f"rp:{item.code}")
        for item in items
        if len(f"rp:{item.code}".encode()) <= MAX_CALLBACK_BYTES
    ][:MAX_BUTTONS]
    return [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]

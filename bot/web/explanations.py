"""Explanation requests on the dashboard, prepared for the templates: the task page's card
(history, the ask form for leaders and admins, the answer form for the unit head) and the
overview's list of the unanswered ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.context import AppContext
from bot.models import ExplanationRequest, Official, Task
from bot.services.explanations import (
    can_request_explanation,
    is_late,
    is_overdue,
    is_unit_head,
)
from bot.services.summary import Summary


@dataclass(frozen=True)
class ExplanationItem:
    request: ExplanationRequest
    late: bool
    """Past its due date without an answer, or answered after it."""


@dataclass(frozen=True)
class ExplanationCard:
    """What the task page shows: the requests, and the one form this viewer may use."""

    items: list[ExplanationItem]
    answer: ExplanationRequest | None
    """The open request the viewer (the head of the unit asked) may answer."""
    ask: bool
    """The viewer (a leader or admin) may ask: the task is overdue and none is open."""
    today: dt.date


def explanation_card(
    ctx: AppContext, task: Task, requests: Sequence[ExplanationRequest], viewer: Official
) -> ExplanationCard | None:
    """None when there is nothing to show and nothing the viewer may do."""
    today = ctx.today()
    items = [ExplanationItem(request, is_late(request, today)) for request in requests]
    open_request = next((r for r in requests if r.answered_at is None), None)
    answer = (
        open_request
        if open_request is not None and is_unit_head(viewer, open_request.unit)
        else None
    )
    ask = (
        answer is None
        and open_request is None
        and can_request_explanation(viewer)
        and is_overdue(task, today)
    )
    if not items and answer is None and not ask:
        return None
    return ExplanationCard(items, answer, ask, today)


def open_explanations(summary: Summary) -> list[ExplanationItem]:
    """The overview's unanswered requests, earliest date first, with their lateness."""
    return [
        ExplanationItem(request, is_late(request, summary.today))
        for request in summary.open_explanations
    ]

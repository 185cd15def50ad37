"""What several commands share: chat errors, task lookups and the access rules in chat terms."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import messages
from bot.models import TASK_ACTIVE, Official, Role, Task, task_coordinators
from bot.services.directory import TaskAccess, task_access, task_by_code
from bot.services.errors import DomainError
from bot.services.task_admin import require_active
from handlers.parsing import ParseError
from handlers.texts import TEXTS
from handlers.turn import Turn

REPORTING_ROLES = (Role.STAFF, Role.HEAD, Role.ADMIN)
OVERSIGHT_ROLES = (Role.HEAD, Role.LEADER, Role.ADMIN)


class ChatError(DomainError):
    """A refusal worded by the chat layer (``handlers.texts``); the dispatcher turns it into a
    reply like any DomainError."""

    def message(self, lang: str | None = "vi") -> str:
        return TEXTS.t(self.code, lang, **self.params)


def parse_failed(error: ParseError, **example: object) -> ChatError:
    """The chat message for a parse error; ``example`` fills the example in it (``date``)."""
    return ChatError(f"parse.{error.code}", **error.params, **example)


def official_of(turn: Turn) -> Official:
    """The official behind this turn; commands registered with roles always have one."""
    if turn.official is None:
        raise ChatError("unregistered")
    return turn.official


async def task_for(turn: Turn, code: str) -> Task:
    """A task this person may at least read (unknown codes get close matches suggested)."""
    task = await task_by_code(turn.session, code)
    if task_access(official_of(turn), task) is TaskAccess.NONE:
        raise DomainError("not_your_unit", code=task.code)
    return task


def reporting_access(official: Official, task: Task) -> TaskAccess:
    """REPORT (progress) or NOTE (coordinating unit); anything else is refused politely."""
    access = task_access(official, task)
    if access is TaskAccess.READ:
        raise ChatError("report.leader_reads_only")
    if access is TaskAccess.NONE:
        raise DomainError("not_your_unit", code=task.code)
    require_active(task)
    return access


def unit_tasks_query(unit_id: int, *, open_only: bool = True) -> Select[Task]:
    """Tasks a unit leads or coordinates, overdue (earliest deadline) first."""
    coordinating = select(task_coordinators.c.task_id).where(task_coordinators.c.unit_id == unit_id)
    query = (
        select(Task)
        .where(or_(Task.lead_unit_id == unit_id, Task.id.in_(coordinating)), TASK_ACTIVE)
        .order_by(Task.deadline.is_(None), Task.deadline, Task.code)
        .options(
            selectinload(Task.lead_unit),
            selectinload(Task.coordinating_units),
            selectinload(Task.handler),
        )
    )
    if open_only:
        query = query.where(Task.completed_at.is_(None))
    return query


async def unit_open_tasks(session: AsyncSession, unit_id: int) -> list[Task]:
    return list(await session.scalars(unit_tasks_query(unit_id)))


def attachment_to_data(attachment: messages.Attachment) -> dict[str, object]:
    """An incoming file as JSON for the conversation state."""
    return {
        "kind": attachment.kind,
        "file_id": attachment.file_id,
        "url": attachment.url,
        "name": attachment.name,
        "mime": attachment.mime,
        "size": attachment.size,
    }


def attachment_from_data(data: object) -> messages.Attachment | None:
    if not isinstance(data, dict):
        return None
    return messages.Attachment(
        kind="photo" if data.get("kind") == "photo" else "document",
        file_id=data.get("file_id"),
        url=data.get("url"),
        name=data.get("name"),
        mime=data.get("mime"),
        size=data.get("size"),
    )


def attachment_name(attachment: messages.Attachment | None, lang: str) -> str | None:
    if attachment is None:
        return None
    if attachment.name:
        return attachment.name
    return TEXTS.t("file.photo" if attachment.kind == "photo" else "file.unnamed", lang)


def small_number(text: str, digits: int) -> int | None:
    """A number of at most ``digits`` ASCII digits from button data, else None."""
    return int(text) if re.fullmatch(f"[0-9]{{1,{digits}}}", text) else None


def first_word(args: str) -> tuple[str, str]:
    """Split ``"NV-01 rest of it"`` into ``("NV-01", "rest of it")``."""
    parts = args.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].rstrip(":,;"), parts[1].strip() if len(parts) > 1 else ""


def attachments_of(turn: Turn) -> Sequence[messages.Attachment]:
    return (turn.message.attachment,) if turn.message.attachment is not None else ()

"""Looking up people, units and tasks, and who may see or change what."""

from __future__ import annotations

import difflib
import enum

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.folding import fold
from bot.models import ChannelIdentity, GroupBinding, Official, Role, Task, Unit
from bot.services.errors import DomainError


class TaskAccess(enum.Enum):
    """What an official may do with one task."""

    NONE = 0
    READ = 1
    NOTE = 2
    """Coordinating unit: may add notes, not progress."""
    REPORT = 3
    """Lead unit (or admin): may set progress and mark done."""


def normalize_code(code: str) -> str:
    return code.strip().upper()


# Built once: these run for every incoming message, and building a statement costs more
# than executing its cached compiled form.
_OFFICIAL_BY_IDENTITY = (
    select(Official)
    .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.external_user_id == bindparam("user"),
        ChannelIdentity.active.is_(True),
        Official.active.is_(True),
    )
    .options(joinedload(Official.unit))
)
_TASK_BY_CODE = (
    select(Task)
    .where(Task.code == bindparam("code"))
    .options(joinedload(Task.lead_unit), joinedload(Task.coordinating_units))
)


async def official_by_identity(
    session: AsyncSession, channel: str, external_user_id: str
) -> Official | None:
    """The official linked to an active chat account, with their unit loaded."""
    result = await session.execute(
        _OFFICIAL_BY_IDENTITY, {"channel": channel, "user": external_user_id}
    )
    return result.scalar_one_or_none()


async def group_unit(session: AsyncSession, channel: str, chat_id: str) -> Unit | None:
    """The unit a group chat is bound to, if any."""
    result = await session.execute(
        select(Unit)
        .join(GroupBinding, GroupBinding.unit_id == Unit.id)
        .where(
            GroupBinding.channel == channel,
            GroupBinding.chat_id == chat_id,
            GroupBinding.active.is_(True),
        )
    )
    return result.scalar_one_or_none()


async def official_by_code(session: AsyncSession, code: str) -> Official:
    official = await session.scalar(select(Official).where(Official.code == normalize_code(code)))
    if official is None:
        raise DomainError("official_not_found", code=code)
    return official


async def unit_by_code(session: AsyncSession, code: str) -> Unit:
    unit = await session.scalar(select(Unit).where(Unit.code == normalize_code(code)))
    if unit is None:
        raise DomainError("unit_not_found", code=code)
    return unit


async def units_matching(session: AsyncSession, text: str) -> list[Unit]:
    """The units ``text`` names: the unit with that code, else those whose name is it or
    contains it, compared without case and diacritics ("tai chinh" finds "Sở Tài chính");
    an exact name wins over names that merely contain it. In name order."""
    by_code = await session.scalar(select(Unit).where(Unit.code == normalize_code(text)))
    if by_code is not None:
        return [by_code]
    wanted = fold(text)
    if not wanted:
        return []
    units = list(await session.scalars(select(Unit).order_by(Unit.name, Unit.code)))
    containing = [unit for unit in units if wanted in fold(unit.name)]
    exact = [unit for unit in containing if fold(unit.name) == wanted]
    return exact or containing


async def task_by_code(session: AsyncSession, code: str, *, for_update: bool = False) -> Task:
    """A task by its code; an unknown code raises with close matches suggested."""
    wanted = normalize_code(code)
    query = _TASK_BY_CODE.with_for_update(of=Task) if for_update else _TASK_BY_CODE
    task = (await session.execute(query, {"code": wanted})).unique().scalar_one_or_none()
    if task is not None:
        return task
    suggestions = await suggest_task_codes(session, wanted)
    if suggestions:
        raise DomainError("task_not_found_suggest", code=code, suggestions=", ".join(suggestions))
    raise DomainError("task_not_found", code=code)


async def suggest_task_codes(session: AsyncSession, wanted: str, limit: int = 3) -> list[str]:
    """Close matches for a mistyped task code (same prefix first, then by similarity)."""
    prefix = wanted[:2]
    codes = list(
        await session.scalars(
            select(Task.code).where(func.upper(Task.code).like(f"{prefix}%")).limit(5000)
        )
    )
    return difflib.get_close_matches(wanted, codes, n=limit, cutoff=0.6)


def task_access(official: Official, task: Task) -> TaskAccess:
    """Staff and heads: their unit's tasks (lead → report, coordinating → note);
    leaders read everything; admins do everything."""
    if official.role == Role.ADMIN:
        return TaskAccess.REPORT
    if official.role == Role.LEADER:
        return TaskAccess.READ
    if official.unit_id is not None and task.lead_unit_id == official.unit_id:
        return TaskAccess.REPORT
    if any(unit.id == official.unit_id for unit in task.coordinating_units):
        return TaskAccess.NOTE
    return TaskAccess.NONE


def sees_everything(official: Official) -> bool:
    return official.role in (Role.LEADER, Role.ADMIN)


def can_read_unit(official: Official, unit_id: int) -> bool:
    return sees_everything(official) or official.unit_id == unit_id


def can_decide_extensions(official: Official) -> bool:
    return official.role in (Role.LEADER, Role.ADMIN)


def manages_officials(official: Official) -> bool:
    """Admins manage every official; a unit head the staff of their own unit."""
    return official.role is Role.ADMIN or (
        official.role is Role.HEAD and official.unit_id is not None
    )


def may_manage_official(actor: Official, official: Official) -> bool:
    """Whether ``actor`` may edit, deactivate, reactivate and invite ``official``: an admin
    anyone, a unit head themselves and the staff officials of their unit."""
    if actor.role is Role.ADMIN:
        return True
    if not manages_officials(actor):
        return False
    return official.id == actor.id or (
        official.unit_id == actor.unit_id and official.role is Role.STAFF
    )


def may_import(official: Official) -> bool:
    """Importing units, officials and tasks is the admins' (Văn phòng UBND) job."""
    return official.role is Role.ADMIN

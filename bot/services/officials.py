"""Adding and editing officials one at a time (the web's officials pages), with the same
rules an import applies to an officials row, and listing them for those pages.

A unit head manages the staff of their own unit; an admin (Văn phòng UBND) manages everyone
(:func:`bot.services.directory.may_manage_official`). Every change is audited with the old and
new values. Deactivating and reactivating are :mod:`bot.services.access` (``dondoc revoke``,
``dondoc reactivate``); invite codes are :mod:`bot.services.invites`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.db import savepoint
from bot.folding import fold
from bot.importing.history import diff, official_snapshots, plain
from bot.importing.validation import MAX_CODE, MAX_TEXT
from bot.models import ChannelIdentity, Official, Role, Unit
from bot.phone import canonical_phone
from bot.services import audit
from bot.services.directory import may_manage_official, normalize_code, official_by_code
from bot.services.errors import DomainError

LANGUAGES = ("vi", "en")
UNIT_ROLES = (Role.STAFF, Role.HEAD)
"""Roles that belong to a unit: an official with one of them needs a unit."""


class OfficialInvalid(DomainError):
    """A draft that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, field: str, code: str, /, **params: object) -> None:
        super().__init__(code, **params)
        self.field = field


@dataclass(frozen=True)
class OfficialDraft:
    """An official's fields as a form gives them (text as typed, trimmed)."""

    code: str
    full_name: str
    title: str = ""
    unit_code: str | None = None
    role: Role = Role.STAFF
    phone: str | None = None
    language: str = "vi"

    @classmethod
    def of(cls, official: Official) -> OfficialDraft:
        """The draft that saves ``official`` unchanged (an edit form's first values)."""
        return cls(
            code=official.code,
            full_name=official.full_name,
            title=official.title,
            unit_code=official.unit.code if official.unit else None,
            role=official.role,
            phone=official.phone,
            language=official.language,
        )


@dataclass(frozen=True)
class OfficialRow:
    """One line of the officials list."""

    official: Official
    linked: bool
    """Has an active chat account (Telegram, Zalo or the web chat)."""


@dataclass(frozen=True)
class OfficialPage:
    rows: list[OfficialRow]
    total: int
    page: int
    pages: int


async def create_official(
    session: AsyncSession,
    ctx: AppContext,
    draft: OfficialDraft,
    *,
    actor: Official,
    via: str = "web",
) -> Official:
    """Add an official; raises :class:`OfficialInvalid` for a bad draft and
    ``DomainError("official_not_yours")`` when ``actor`` may not add it."""
    code = _checked_code(draft.code)
    if await session.scalar(select(Official.id).where(Official.code == code)) is not None:
        raise OfficialInvalid("code", "official_code_taken", code=code)
    draft = replace(draft, code=code)
    unit, phone = await _checked(session, draft, actor, None)
    official = Official(
        code=code,
        full_name=draft.full_name,
        title=draft.title,
        unit_id=unit.id if unit else None,
        role=draft.role,
        phone=phone,
        language=draft.language,
        active=True,
        created_at=ctx.now(),
    )
    try:
        async with savepoint(session):  # another admin may add the same code meanwhile
            session.add(official)
            await session.flush()
    except IntegrityError:
        if await session.scalar(select(Official.id).where(Official.code == code)) is None:
            raise
        raise OfficialInvalid("code", "official_code_taken", code=code) from None
    await _sync_head(session, official, unit, None)
    snapshot = (await official_snapshots(session, [code]))[code]
    await audit.record(
        session,
        ctx,
        "official.create",
        "official",
        official.id,
        actor=actor,
        via=via,
        code=code,
        values={name: plain(value) for name, value in snapshot.items()},
    )
    return official


async def update_official(
    session: AsyncSession,
    ctx: AppContext,
    code: str,
    draft: OfficialDraft,
    *,
    actor: Official,
    via: str = "web",
) -> dict[str, list[object]]:
    """Change an official's name, title, unit, role, phone and language (not the code,
    which imports and reports refer to). Returns the changed fields as ``[old, new]``
    (empty: nothing changed, nothing audited)."""
    official = await official_by_code(session, code)
    if not may_manage_official(actor, official):
        raise DomainError("official_not_yours", code=official.code)
    old_unit_id = official.unit_id
    draft = replace(draft, code=official.code)
    unit, phone = await _checked(session, draft, actor, official)
    before = (await official_snapshots(session, [official.code]))[official.code]
    official.full_name = draft.full_name
    official.title = draft.title
    official.unit_id = unit.id if unit else None
    official.role = draft.role
    official.phone = phone
    official.language = draft.language
    await session.flush()
    await _sync_head(session, official, unit, old_unit_id)
    after = (await official_snapshots(session, [official.code]))[official.code]
    change = diff("official", official.id, official.code, via, before, after)
    if change is None:
        return {}
    await audit.record(
        session,
        ctx,
        "official.update",
        "official",
        official.id,
        actor=actor,
        via=via,
        code=official.code,
        changes=change.fields,
    )
    return change.fields


async def list_officials(
    session: AsyncSession,
    *,
    unit_id: int | None = None,
    search: str = "",
    page: int = 1,
    per_page: int = 50,
) -> OfficialPage:
    """Officials by unit and code (of one unit when ``unit_id`` is given) whose name or
    code contains ``search`` without regard to case or diacritics, ``per_page`` a page."""
    query = (
        select(Official)
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .options(selectinload(Official.unit))
        .order_by(Unit.name, Official.code)
    )
    if unit_id is not None:
        query = query.where(Official.unit_id == unit_id)
    officials = list(await session.scalars(query))
    wanted = fold(search)
    if wanted:
        officials = [o for o in officials if wanted in fold(o.full_name) or wanted in fold(o.code)]
    total = len(officials)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    shown = officials[(page - 1) * per_page : page * per_page]
    linked = set(
        await session.scalars(
            select(ChannelIdentity.official_id).where(
                ChannelIdentity.active.is_(True),
                ChannelIdentity.official_id.in_([o.id for o in shown]),
            )
        )
    )
    rows = [OfficialRow(o, o.id in linked) for o in shown]
    return OfficialPage(rows, total, page, pages)


def _checked_code(text: str) -> str:
    code = normalize_code(text)
    if not code:
        raise OfficialInvalid("code", "official_code_missing")
    if any(char.isspace() for char in code) or len(code) > MAX_CODE:
        raise OfficialInvalid("code", "official_code_invalid", code=code, max=MAX_CODE)
    return code


async def _checked(
    session: AsyncSession, draft: OfficialDraft, actor: Official, current: Official | None
) -> tuple[Unit | None, str | None]:
    """The draft's unit and canonical phone, once every rule holds."""
    if not draft.full_name:
        raise OfficialInvalid("full_name", "official_name_missing")
    for field, value in (("full_name", draft.full_name), ("title", draft.title)):
        if len(value) > MAX_TEXT:
            raise OfficialInvalid(field, "official_text_too_long", max=MAX_TEXT)
    if draft.language not in LANGUAGES:
        raise OfficialInvalid("language", "official_language_unknown", language=draft.language)
    phone = None
    if draft.phone:
        phone = canonical_phone(draft.phone)
        if phone is None:
            raise OfficialInvalid("phone", "official_phone_invalid", phone=draft.phone)
    unit = None
    if draft.unit_code:
        unit = await session.scalar(
            select(Unit).where(Unit.code == normalize_code(draft.unit_code))
        )
        if unit is None:
            raise OfficialInvalid("unit", "unit_not_found", code=draft.unit_code)
    elif draft.role in UNIT_ROLES:
        raise OfficialInvalid("unit", "official_needs_unit")
    if current is not None and current.id == actor.id and draft.role is not current.role:
        raise OfficialInvalid("role", "official_own_role")
    if actor.role is not Role.ADMIN:
        # A unit head keeps people in their own unit and roles as they are (staff when new).
        same_role = draft.role is (current.role if current else Role.STAFF)
        if unit is None or unit.id != actor.unit_id or not same_role:
            raise OfficialInvalid("role", "official_not_yours", code=draft.code)
    if draft.role is Role.HEAD and unit is not None:
        query = select(Official).where(
            Official.unit_id == unit.id, Official.role == Role.HEAD, Official.active.is_(True)
        )
        if current is not None:
            query = query.where(Official.id != current.id)
        head = await session.scalar(query.limit(1))
        if head is not None:
            raise OfficialInvalid("role", "unit_has_head", unit=unit.name, head=head.full_name)
    return unit, phone


async def _sync_head(
    session: AsyncSession, official: Official, unit: Unit | None, old_unit_id: int | None
) -> None:
    """Keep ``Unit.head_id`` in step: a head heads their unit, and a unit whose head
    moved away or stopped being head has none until another is named."""
    heads = official.role is Role.HEAD and unit is not None
    if old_unit_id is not None and not (heads and unit is not None and unit.id == old_unit_id):
        old_unit = await session.get(Unit, old_unit_id)
        if old_unit is not None and old_unit.head_id == official.id:
            old_unit.head_id = None
    if heads and unit is not None:
        unit.head_id = official.id
    await session.flush()

"""Demo mode: pickers that let anyone who reaches the web server act as any demo official.

The rule (``DONDOC_DEMO_MODE``):

* ``false``: off, always.
* ``true``: on, as configured (the pickers still offer only the demo's own officials).
* unset (the default): on only when all of these hold —

  - no Telegram or Zalo token is configured and ``DONDOC_PUBLIC_BASE_URL`` is unset (a
    deployment that people reach from elsewhere, e.g. behind a reverse proxy, has one);
  - the web server listens on a loopback address (127.0.0.1, ::1, localhost);
  - the database holds nothing but the demo data: ``dondoc demo-data`` loaded it (it audits
    ``demo.load``), nothing was ever imported (no ``import.*`` audit row), and every official,
    unit and task in it is one the demo creates (by code, :data:`bot.demo.OFFICIAL_CODES`…).

The database part is checked on every use, so a real ``dondoc import`` into a running demo
ends demo mode at once. The pickers only ever offer the demo's own officials
(:data:`bot.demo.OFFICIAL_CODES`), never an imported one.
"""

from __future__ import annotations

import ipaddress

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.demo import OFFICIAL_CODES, TASK_CODES, UNIT_CODES
from bot.models import AuditLog, Official, Role, Task, Unit
from bot.services.directory import normalize_code
from config import Settings

DEMO_AUDIT_ACTION = "demo.load"
IMPORT_AUDIT_ACTIONS = "import.%"
ROLE_ORDER = (Role.LEADER, Role.ADMIN, Role.HEAD, Role.STAFF)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _audited(session: AsyncSession, condition: ColumnElement[bool]) -> bool:
    found = await session.scalar(select(AuditLog.id).where(condition).limit(1))
    return found is not None


async def holds_only_demo_data(session: AsyncSession) -> bool:
    """True when ``dondoc demo-data`` filled this database and nothing else went in."""
    if not await _audited(session, AuditLog.action == DEMO_AUDIT_ACTION):
        return False
    if await _audited(session, AuditLog.action.like(IMPORT_AUDIT_ACTIONS)):
        return False
    for column, codes in (
        (Official.code, OFFICIAL_CODES),
        (Unit.code, UNIT_CODES),
        (Task.code, TASK_CODES),
    ):
        other = await session.scalar(select(column).where(column.not_in(codes)).limit(1))
        if other is not None:
            return False
    return True


def could_be_demo(settings: Settings) -> bool:
    """The configuration part of the rule: nothing points at a real deployment."""
    return (
        not settings.telegram_token
        and not settings.zalo_token
        and not settings.public_base_url
        and is_loopback(settings.web_host)
    )


async def resolve_demo_mode(session: AsyncSession, settings: Settings) -> bool:
    """Apply the rule in the module docstring."""
    if settings.demo_mode is not None:
        return settings.demo_mode
    return could_be_demo(settings) and await holds_only_demo_data(session)


def _demo_official_filter() -> ColumnElement[bool]:
    return Official.code.in_(OFFICIAL_CODES) & Official.active.is_(True)


async def demo_officials(session: AsyncSession) -> list[Official]:
    """The demo's active officials for the picker: leaders, admins, unit heads, then staff."""
    officials = list(
        await session.scalars(
            select(Official).where(_demo_official_filter()).options(selectinload(Official.unit))
        )
    )
    rank = {role: index for index, role in enumerate(ROLE_ORDER)}
    return sorted(
        officials,
        key=lambda o: (rank[o.role], o.unit.code if o.unit else "", o.full_name),
    )


async def demo_official(session: AsyncSession, code: object) -> Official | None:
    """The demo official a picker names (the form field may be missing or name anyone)."""
    return await session.scalar(
        select(Official).where(
            Official.code == normalize_code(str(code or "")), _demo_official_filter()
        )
    )


class DemoSwitch:
    """The demo-mode decision of one running instance: fixed when configured, otherwise
    made again on every use (the database may stop holding only the demo)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def enabled(self, session: AsyncSession) -> bool:
        return await resolve_demo_mode(session, self.settings)

"""Demo mode: pickers that let anyone on this machine act as any demo official.

The rule (``DONDOC_DEMO_MODE``):

* ``true`` / ``false``: on / off, as configured.
* unset (the default): on only when all of these hold — no Telegram or Zalo token is
  configured, the web server listens on a loopback address (127.0.0.1, ::1, localhost), and the
  database holds the demo data (``dondoc demo-data`` audits ``demo.load``).

So ``make run`` on a fresh clone is a demo, and a real deployment (a channel token, a public
address, or imported data) never is unless someone says so explicitly.
"""

from __future__ import annotations

import ipaddress

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.models import AuditLog, Official, Role
from bot.services.directory import normalize_code
from config import Settings

DEMO_AUDIT_ACTION = "demo.load"
ROLE_ORDER = (Role.LEADER, Role.ADMIN, Role.HEAD, Role.STAFF)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def demo_data_loaded(session: AsyncSession) -> bool:
    """True when ``dondoc demo-data`` filled this database (it audits what it loads)."""
    found = await session.scalar(
        select(AuditLog.id).where(AuditLog.action == DEMO_AUDIT_ACTION).limit(1)
    )
    return found is not None


async def resolve_demo_mode(session: AsyncSession, settings: Settings) -> bool:
    """Apply the rule in the module docstring."""
    if settings.demo_mode is not None:
        return settings.demo_mode
    if settings.telegram_token or settings.zalo_token or not is_loopback(settings.web_host):
        return False
    return await demo_data_loaded(session)


async def demo_officials(session: AsyncSession) -> list[Official]:
    """Active officials for the picker: leaders, admins, unit heads, then staff."""
    officials = list(
        await session.scalars(
            select(Official).where(Official.active.is_(True)).options(selectinload(Official.unit))
        )
    )
    rank = {role: index for index, role in enumerate(ROLE_ORDER)}
    return sorted(
        officials,
        key=lambda o: (rank[o.role], o.unit.code if o.unit else "", o.full_name),
    )


async def demo_official(session: AsyncSession, code: object) -> Official | None:
    """The active official a demo picker names (the form field may be missing)."""
    return await session.scalar(
        select(Official).where(
            Official.code == normalize_code(str(code or "")), Official.active.is_(True)
        )
    )


class DemoSwitch:
    """The demo-mode decision of one running instance, made once on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._enabled: bool | None = settings.demo_mode

    async def enabled(self, session: AsyncSession) -> bool:
        if self._enabled is None:
            self._enabled = await resolve_demo_mode(session, self.settings)
        return self._enabled

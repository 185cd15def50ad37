"""Small helpers that put real rows in the test database for scheduler tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import (
    Channel,
    ChannelIdentity,
    GroupBinding,
    Official,
    Role,
    Task,
    Unit,
)


class World:
    """Creates units, officials with Telegram identities, groups and tasks."""

    def __init__(self, session: AsyncSession, ctx: AppContext) -> None:
        self.session = session
        self.ctx = ctx
        self._chat = 1000

    async def unit(self, code: str, name: str | None = None) -> Unit:
        unit = Unit(code=code, name=name or code, created_at=self.ctx.now())
        self.session.add(unit)
        await self.session.flush()
        return unit

    async def official(
        self,
        code: str,
        unit: Unit | None,
        role: Role = Role.STAFF,
        *,
        name: str | None = None,
        language: str = "vi",
        channels: Iterable[Channel] = (Channel.TELEGRAM,),
        chat_id: str | None = None,
    ) -> Official:
        official = Official(
            code=code,
            full_name=name or code,
            unit_id=unit.id if unit else None,
            role=role,
            language=language,
            created_at=self.ctx.now(),
        )
        self.session.add(official)
        await self.session.flush()
        for channel in channels:
            self._chat += 1
            chat = chat_id or str(self._chat)
            self.session.add(
                ChannelIdentity(
                    official_id=official.id,
                    channel=channel,
                    external_user_id=chat,
                    chat_id=chat,
                    created_at=self.ctx.now(),
                )
            )
        if role == Role.HEAD and unit is not None:
            unit.head_id = official.id
        await self.session.flush()
        return official

    async def group(self, unit: Unit, chat_id: str, channel: Channel = Channel.TELEGRAM) -> None:
        self.session.add(
            GroupBinding(
                unit_id=unit.id, channel=channel, chat_id=chat_id, created_at=self.ctx.now()
            )
        )
        await self.session.flush()

    async def task(
        self,
        code: str,
        unit: Unit,
        deadline: dt.date | None,
        *,
        title: str | None = None,
        coordinating: Iterable[Unit] = (),
        progress: int = 0,
        completed_on: dt.date | None = None,
        last_report_at: dt.datetime | None = None,
        created_at: dt.datetime | None = None,
        handler: Official | None = None,
        leader: Official | None = None,
    ) -> Task:
        now = self.ctx.now()
        task = Task(
            code=code,
            title=title or f"Nhiệm vụ {code}",
            lead_unit_id=unit.id,
            handler_id=handler.id if handler else None,
            leader_in_charge_id=leader.id if leader else None,
            deadline=deadline,
            original_deadline=deadline,
            progress=100 if completed_on else progress,
            completed_on=completed_on,
            completed_at=self.ctx.at_local(completed_on, dt.time(10)) if completed_on else None,
            last_report_at=last_report_at,
            created_at=created_at or now,
            updated_at=now,
        )
        task.coordinating_units = list(coordinating)
        self.session.add(task)
        await self.session.flush()
        return task

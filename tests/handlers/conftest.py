"""A small Hải Phòng: three departments, their people, six tasks around the 15/12/2025 deadline,
and chat accounts linked with real invite codes through ``/start``.

Today (the ``clock`` fixture) is Monday 08/12/2025 09:00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.channel_traits import TELEGRAM, ChannelTraits
from bot.context import AppContext
from bot.models import Official, Role, Task, Unit
from bot.services import invites
from tests.conftest import HCM
from tests.handlers.backend import ChatBackend, ChatUser


def local(day: int, month: int, year: int = 2025, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=HCM)


UNITS = [
    ("STC", "Sở Tài chính"),
    ("SXD", "Sở Xây dựng"),
    ("SYT", "Sở Y tế"),
    ("VP", "Văn phòng UBND thành phố"),
]
# code, name, role, unit, language, chat account
OFFICIALS = [
    ("CV-STC-01", "Nguyễn Thị Hoa", Role.STAFF, "STC", "vi", "hoa"),
    ("GD-STC", "Trần Văn Nam", Role.HEAD, "STC", "vi", "nam"),
    ("CV-SXD-01", "Lê Minh Tuấn", Role.STAFF, "SXD", "vi", "tuan"),
    ("CV-SYT-01", "Đỗ Thị Mai", Role.STAFF, "SYT", "en", "mai"),
    ("LD-01", "Lê Ngọc Châu", Role.LEADER, None, "vi", "chau"),
    ("LD-02", "Nguyễn Văn Tùng", Role.LEADER, None, "vi", "tung"),
    ("VP-01", "Phạm Thu Lan", Role.ADMIN, "VP", "vi", "lan"),
]


@dataclass(frozen=True)
class TaskSeed:
    code: str
    title: str
    lead: str
    deadline: dt.date | None
    progress: int = 0
    coordinating: tuple[str, ...] = ()
    last_report: dt.datetime | None = None
    completed: dt.datetime | None = None
    source: str = ""


TASKS = [
    TaskSeed(
        "NQ-01",
        "Triển khai thực hiện 45 nghị quyết của HĐND thành phố",
        "STC",
        dt.date(2025, 12, 15),
        40,
        ("SXD",),
        local(5, 12),
        source="45/NQ-HĐND",
    ),
    TaskSeed(
        "NV-02",
        "Xây dựng kế hoạch đầu tư công năm 2026",
        "STC",
        dt.date(2025, 12, 1),
        50,
        last_report=local(20, 11),
    ),
    TaskSeed(
        "NV-03", "Hoàn thiện điều chỉnh quy hoạch chung thành phố", "SXD", dt.date(2025, 12, 31), 20
    ),
    TaskSeed(
        "NV-04",
        "Xây dựng kịch bản tăng trưởng năm 2026",
        "STC",
        dt.date(2025, 12, 10),
        100,
        last_report=local(5, 12),
        completed=local(5, 12),
    ),
    TaskSeed("NV-05", "Chương trình phát triển y tế thành phố", "SYT", dt.date(2025, 11, 20), 10),
    TaskSeed("KH-DTC-2026", "Kế hoạch đầu tư công trung hạn 2026–2030", "STC", None),
]


@dataclass
class World:
    ctx: AppContext
    backend: ChatBackend
    users: dict[str, ChatUser]
    official_ids: dict[str, int] = field(default_factory=dict)
    unit_ids: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> ChatUser:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    async def invite(
        self,
        *,
        official: str | None = None,
        unit: str | None = None,
        ttl: dt.timedelta | None = None,
    ) -> str:
        async with self.ctx.db.session() as session:
            person = await session.get(Official, self.official_ids[official]) if official else None
            body = await session.get(Unit, self.unit_ids[unit]) if unit else None
            return await invites.create_invite(
                session, self.ctx, official=person, unit=body, ttl=ttl
            )

    async def task(self, code: str) -> Task:
        async with self.ctx.db.session() as session:
            task = await session.scalar(select(Task).where(Task.code == code))
            assert task is not None
            return task


async def seed(ctx: AppContext) -> tuple[dict[str, int], dict[str, int]]:
    created = local(1, 11)
    async with ctx.db.session() as session:
        units = {code: Unit(code=code, name=name, created_at=created) for code, name in UNITS}
        session.add_all(units.values())
        await session.flush()
        officials = {}
        for code, name, role, unit, language, _ in OFFICIALS:
            officials[code] = Official(
                code=code,
                full_name=name,
                role=role,
                unit_id=units[unit].id if unit else None,
                language=language,
                created_at=created,
            )
        session.add_all(officials.values())
        await session.flush()
        units["STC"].head_id = officials["GD-STC"].id
        for item in TASKS:
            session.add(
                Task(
                    code=item.code,
                    title=item.title,
                    source_document=item.source,
                    lead_unit_id=units[item.lead].id,
                    coordinating_units=[units[c] for c in item.coordinating],
                    deadline=item.deadline,
                    progress=item.progress,
                    last_report_at=item.last_report,
                    completed_at=item.completed,
                    completed_on=item.completed.date() if item.completed else None,
                    created_at=created,
                    updated_at=created,
                )
            )
        return (
            {code: official.id for code, official in officials.items()},
            {code: unit.id for code, unit in units.items()},
        )


async def make_world(ctx: AppContext, traits: ChannelTraits = TELEGRAM) -> World:
    """Seed the data and link every official's chat account with ``/start <code>``."""
    official_ids, unit_ids = await seed(ctx)
    backend = ChatBackend(ctx, traits)
    users = {
        account: ChatUser(f"{traits.name}-{account}", name) for _, name, *_, account in OFFICIALS
    }
    users["stranger"] = ChatUser(f"{traits.name}-stranger", "Người lạ")
    world = World(ctx, backend, users, official_ids, unit_ids)
    async with ctx.db.session() as session:
        codes = {
            account: await invites.create_invite(
                session, ctx, official=await session.get(Official, official_ids[code])
            )
            for code, *_, account in OFFICIALS
        }
    for account, invite in codes.items():
        await backend.push_message(users[account], f"/start {invite}")
        linked = backend.pop_message().text
        assert linked.startswith(("Đã liên kết", "Linked")), linked
    backend.queue.clear()
    return world


@pytest.fixture
async def world(ctx: AppContext) -> World:
    return await make_world(ctx)

"""Extension requests: who may ask for which date, and what a decision changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.models import DeadlineChange, ExtensionRequest, ExtensionStatus, Official, Role, Task
from bot.services.directory import official_by_code, task_by_code
from bot.services.errors import DomainError
from bot.services.extensions import decide_extension, pending_request, request_extension
from bot.services.reports import mark_done
from tests.bot.builders import add_official, add_task, add_unit

DEADLINE = dt.date(2025, 12, 15)


@pytest.fixture
async def world(ctx: AppContext) -> AppContext:
    async with ctx.db.session() as session:
        unit = await add_unit(session, ctx, "SO-TC")
        await add_official(session, ctx, "HEAD", unit, Role.HEAD)
        await add_official(session, ctx, "STAFF", unit)
        await add_official(session, ctx, "BOSS", None, Role.LEADER)
        await add_task(session, ctx, "NQ-01", unit, deadline=DEADLINE)
        await add_task(session, ctx, "NQ-02", unit)
    return ctx


async def ask(ctx: AppContext, new: dt.date, code: str = "NQ-01", who: str = "HEAD") -> int:
    async with ctx.db.session() as session:
        request = await request_extension(
            session,
            ctx,
            official=await official_by_code(session, who),
            task=await task_by_code(session, code),
            new_deadline=new,
            reason=" Chờ số liệu ",
            via="test",
        )
        return request.id


async def decide(ctx: AppContext, request_id: int, approve: bool, who: str = "BOSS") -> None:
    async with ctx.db.session() as session:
        await decide_extension(
            session,
            ctx,
            leader=await official_by_code(session, who),
            request_id=request_id,
            approve=approve,
            via="test",
        )


async def task(ctx: AppContext, code: str = "NQ-01") -> Task:
    async with ctx.db.session() as session:
        return await task_by_code(session, code)


@pytest.mark.parametrize(
    ("new", "code"),
    [
        (dt.date(2025, 12, 8), "extension_date_past"),  # today
        (dt.date(2025, 12, 1), "extension_date_past"),
        (DEADLINE, "extension_not_later"),
        (dt.date(2025, 12, 12), "extension_not_later"),
    ],
)
async def test_dates_that_are_not_a_real_extension_are_refused(
    world: AppContext, new: dt.date, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        await ask(world, new)
    assert caught.value.code == code


async def test_a_second_request_waits_for_the_first(world: AppContext) -> None:
    await ask(world, dt.date(2025, 12, 31))
    with pytest.raises(DomainError) as caught:
        await ask(world, dt.date(2026, 1, 15))
    assert caught.value.code == "extension_pending"


async def test_a_done_task_needs_no_extension(world: AppContext) -> None:
    async with world.db.session() as session:
        await mark_done(
            session,
            world,
            official=await official_by_code(session, "STAFF"),
            task=await task_by_code(session, "NQ-01"),
            channel="telegram",
        )
    with pytest.raises(DomainError) as caught:
        await ask(world, dt.date(2025, 12, 31))
    assert caught.value.code == "task_done_no_extension"


async def test_a_leader_cannot_ask_and_staff_cannot_decide(world: AppContext) -> None:
    with pytest.raises(DomainError) as caught:
        await ask(world, dt.date(2025, 12, 31), who="BOSS")
    assert caught.value.code == "not_your_unit"
    request_id = await ask(world, dt.date(2025, 12, 31))
    with pytest.raises(DomainError) as denied:
        await decide(world, request_id, True, who="HEAD")
    assert denied.value.code == "not_allowed"


async def test_task_without_deadline_may_get_one_in_the_future(world: AppContext) -> None:
    request_id = await ask(world, dt.date(2026, 1, 5), code="NQ-02")
    await decide(world, request_id, True)
    assert (await task(world, "NQ-02")).deadline == dt.date(2026, 1, 5)


async def test_approval_moves_the_deadline_and_keeps_history(world: AppContext) -> None:
    request_id = await ask(world, dt.date(2025, 12, 31))
    assert (await task(world)).deadline == DEADLINE  # unchanged until decided
    await decide(world, request_id, True)

    decided = await task(world)
    assert decided.deadline == dt.date(2025, 12, 31)
    assert decided.original_deadline == DEADLINE
    async with world.db.session() as session:
        changes = list(await session.scalars(select(DeadlineChange)))
        boss = await session.scalar(select(Official).where(Official.code == "BOSS"))
        assert await pending_request(session, decided.id) is None
    assert [(c.old_deadline, c.new_deadline, c.reason) for c in changes] == [
        (DEADLINE, dt.date(2025, 12, 31), "Chờ số liệu")
    ]
    assert boss is not None and changes[0].changed_by_id == boss.id
    with pytest.raises(DomainError) as caught:
        await decide(world, request_id, False)
    assert caught.value.code == "extension_decided"


async def test_rejection_keeps_the_deadline(world: AppContext) -> None:
    request_id = await ask(world, dt.date(2025, 12, 31))
    await decide(world, request_id, False)
    assert (await task(world)).deadline == DEADLINE
    async with world.db.session() as session:
        request = await session.get(ExtensionRequest, request_id)
        assert request is not None and request.status is ExtensionStatus.REJECTED
        assert list(await session.scalars(select(DeadlineChange))) == []
    # A new request is possible once the first is decided.
    await ask(world, dt.date(2025, 12, 22))

"""A leader decides a request with another date and a comment: the rules of a request apply
to that date, the comment is cleaned and bounded, and both reach the history, the audit log
and the people told."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.models import (
    AuditLog,
    ChannelIdentity,
    DeadlineChange,
    ExtensionRequest,
    ExtensionStatus,
    OutboxMessage,
)
from bot.services.directory import official_by_code
from bot.services.errors import DomainError
from bot.services.extensions import NOTE_LIMIT, decide_and_notify, decide_extension
from tests.bot.test_services_extensions import DEADLINE, ask, task
from tests.bot.test_services_extensions import world as world  # the fixture


async def decide(
    ctx: AppContext,
    request_id: int,
    approve: bool,
    *,
    deadline: dt.date | None = None,
    note: str = "",
) -> ExtensionRequest:
    async with ctx.db.session() as session:
        return await decide_extension(
            session,
            ctx,
            leader=await official_by_code(session, "BOSS"),
            request_id=request_id,
            approve=approve,
            deadline=deadline,
            note=note,
            via="test",
        )


async def stored(ctx: AppContext, request_id: int) -> ExtensionRequest:
    async with ctx.db.session() as session:
        return await session.get_one(ExtensionRequest, request_id)


async def test_approval_with_another_date_sets_that_date(world: AppContext) -> None:
    request_id = await ask(world, dt.date(2025, 12, 31))
    await decide(
        world, request_id, True, deadline=dt.date(2025, 12, 22), note=" Hoàn thành sớm\x00 hơn "
    )
    decided = await task(world)
    assert decided.deadline == dt.date(2025, 12, 22)
    assert decided.original_deadline == DEADLINE
    request = await stored(world, request_id)
    assert request.status is ExtensionStatus.APPROVED
    assert request.new_deadline == dt.date(2025, 12, 31)  # what was asked stays on record
    assert request.decided_deadline == dt.date(2025, 12, 22)
    assert request.decision_note == "Hoàn thành sớm hơn"
    async with world.db.session() as session:
        [change] = list(await session.scalars(select(DeadlineChange)))
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "extension.approve"))
    assert (change.old_deadline, change.new_deadline) == (DEADLINE, dt.date(2025, 12, 22))
    assert change.note == "Hoàn thành sớm hơn" and change.changed_by_id == request.decided_by_id
    assert audit is not None and audit.actor == "test"
    assert audit.details == {
        "request_id": request_id,
        "deadline": "2025-12-22",
        "note": "Hoàn thành sớm hơn",
    }


@pytest.mark.parametrize(
    ("other", "code"),
    [
        (dt.date(2025, 12, 8), "extension_date_past"),  # today
        (dt.date(2025, 11, 30), "extension_date_past"),
        (DEADLINE, "extension_not_later"),
        (dt.date(2025, 12, 10), "extension_not_later"),
    ],
)
async def test_another_date_follows_the_rules_of_a_request(
    world: AppContext, other: dt.date, code: str
) -> None:
    request_id = await ask(world, dt.date(2025, 12, 31))
    with pytest.raises(DomainError) as caught:
        await decide(world, request_id, True, deadline=other)
    assert caught.value.code == code
    assert (await stored(world, request_id)).status is ExtensionStatus.PENDING
    assert (await task(world)).deadline == DEADLINE


async def test_refusal_keeps_its_comment(world: AppContext) -> None:
    request_id = await ask(world, dt.date(2025, 12, 31))
    await decide(world, request_id, False, note="Đề nghị tập trung hoàn thành đúng hạn")
    request = await stored(world, request_id)
    assert request.status is ExtensionStatus.REJECTED
    assert request.decided_deadline is None
    assert request.decision_note == "Đề nghị tập trung hoàn thành đúng hạn"
    assert (await task(world)).deadline == DEADLINE
    async with world.db.session() as session:
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "extension.reject"))
    assert audit is not None
    assert audit.details["note"] == "Đề nghị tập trung hoàn thành đúng hạn"


async def test_a_refusal_sets_no_date(world: AppContext) -> None:
    request_id = await ask(world, dt.date(2025, 12, 31))
    with pytest.raises(ValueError):
        await decide(world, request_id, False, deadline=dt.date(2025, 12, 20))


async def test_a_too_long_comment_is_refused_not_cut(world: AppContext) -> None:
    request_id = await ask(world, dt.date(2025, 12, 31))
    with pytest.raises(DomainError) as caught:
        await decide(world, request_id, True, note="x" * (NOTE_LIMIT + 1))
    assert caught.value.code == "decision_note_too_long"
    assert "1001" in caught.value.message("vi")
    assert (await stored(world, request_id)).status is ExtensionStatus.PENDING
    await decide(world, request_id, True, note="x" * NOTE_LIMIT)
    assert (await stored(world, request_id)).decision_note == "x" * NOTE_LIMIT


async def test_the_people_told_read_the_date_and_the_comment(world: AppContext) -> None:
    request_id = await ask(world, dt.date(2025, 12, 31))
    async with world.db.session() as session:
        head = await official_by_code(session, "HEAD")
        session.add(
            ChannelIdentity(
                official_id=head.id,
                channel="telegram",
                external_user_id="701",
                chat_id="701",
                created_at=world.now(),
            )
        )
        await session.flush()
        await decide_and_notify(
            session,
            world,
            leader=await official_by_code(session, "BOSS"),
            request_id=request_id,
            approve=True,
            deadline=dt.date(2025, 12, 26),
            note="Báo cáo trước ngày 24/12",
            via="test",
        )
        [notice] = list(await session.scalars(select(OutboxMessage)))
    text = notice.payload["replies"][0]["text"]
    assert text.startswith("Đã đồng ý gia hạn nhiệm vụ NQ-01")
    assert "đến 26/12/2025 (đề nghị 31/12/2025): 15/12/2025 → 26/12/2025" in text
    assert text.endswith("\nÝ kiến lãnh đạo: Báo cáo trước ngày 24/12")

"""Extension requests: the leader gets Approve / Reject buttons, the unit hears the decision,
and the deadline moves only on approval."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.models import DeadlineChange, OutboxMessage, OutboxStatus, Task
from tests.channels.telegram.harness import (
    HEAD,
    LEADER,
    STAFF,
    TelegramBot,
    World,
    deliver_outbox,
    press,
    say,
)
from tests.fakes.telegram_api import FakeTelegramServer


async def _task(ctx: AppContext, code: str) -> Task:
    async with ctx.db.session() as session:
        task = await session.scalar(select(Task).where(Task.code == code))
        assert task is not None
        return task


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
async def test_extension_decided_by_the_leader(
    approve: bool,
    server: FakeTelegramServer,
    tg_ctx: AppContext,
    world: World,
    telegram: TelegramBot,
) -> None:
    [sent] = await say(server, STAFF, "/giahan NV-01 31/12/2025 Chờ ý kiến các sở ngành")
    assert (sent.text or "").startswith("Đã gửi đề nghị gia hạn nhiệm vụ NV-01: 15/12/2025 →")

    queued = await deliver_outbox(tg_ctx, telegram.runtime)
    assert [row.chat_id for row in queued] == [str(LEADER)]
    [notice] = await server.wait_for_messages(LEADER, 1)
    assert "NV-01" in (notice.text or "") and "31/12/2025" in (notice.text or "")
    assert "Chờ ý kiến các sở ngành" in (notice.text or "")

    label = "Đồng ý gia hạn" if approve else "Không đồng ý"
    [prompt] = await press(server, LEADER, notice, label)
    assert prompt.is_edit and prompt.message_id == notice.message_id
    [decided] = await press(server, LEADER, prompt, "Bỏ qua")
    assert decided.is_edit and decided.message_id == notice.message_id
    assert (decided.text or "").startswith("Đã đồng ý" if approve else "Không đồng ý gia hạn")

    decisions = await deliver_outbox(tg_ctx, telegram.runtime)
    assert {row.chat_id for row in decisions} == {str(STAFF), str(HEAD)}
    staff_notice = (await server.wait_for_messages(STAFF, 2))[-1]
    assert staff_notice.text == decided.text

    task = await _task(tg_ctx, "NV-01")
    assert task.original_deadline == dt.date(2025, 12, 15)
    async with tg_ctx.db.session() as session:
        changes = list(await session.scalars(select(DeadlineChange)))
        pending = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        )
    assert pending == []
    if approve:
        assert task.deadline == dt.date(2025, 12, 31)
        assert [(c.old_deadline, c.new_deadline) for c in changes] == [
            (dt.date(2025, 12, 15), dt.date(2025, 12, 31))
        ]
    else:
        assert task.deadline == dt.date(2025, 12, 15)
        assert changes == []

    [stale] = await press(server, LEADER, notice, label)
    assert "đã được xử lý" in (stale.text or "")


async def test_extension_input_errors(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    [impossible] = await say(server, STAFF, "/giahan NV-01 31/02/2026 Lý do")
    assert impossible.text == "Ngày 31/02/2026 không tồn tại. Vui lòng kiểm tra lại ngày và tháng."
    [past] = await say(server, STAFF, "/giahan NV-01 01/12/2025 Lý do")
    assert (past.text or "").startswith("Ngày gia hạn 01/12/2025 đã qua")
    [unreadable] = await say(server, STAFF, "/giahan NV-01 mai Lý do")
    assert (unreadable.text or "").startswith("Không đọc được ngày “mai”")
    assert (await _task(tg_ctx, "NV-01")).deadline == dt.date(2025, 12, 15)
    async with tg_ctx.db.session() as session:
        assert list(await session.scalars(select(OutboxMessage))) == []


async def test_leader_approves_another_date_with_a_comment(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    await say(server, STAFF, "/giahan NV-01 31/12/2025 Chờ ý kiến các sở ngành")
    await deliver_outbox(tg_ctx, telegram.runtime)
    [notice] = await server.wait_for_messages(LEADER, 1)
    [date_prompt] = await press(server, LEADER, notice, "Đồng ý, đến ngày khác")
    assert date_prompt.is_edit and "đơn vị đề nghị gia hạn đến 31/12/2025" in (
        date_prompt.text or ""
    )
    [past] = await say(server, LEADER, "01/12/2025")
    assert (past.text or "").startswith("Ngày gia hạn 01/12/2025 đã qua")
    [comment_prompt] = await say(server, LEADER, "22/12/2025")
    assert "Ý kiến gửi kèm quyết định" in (comment_prompt.text or "")
    [decided] = await say(server, LEADER, "Báo cáo kết quả trước ngày 19/12")
    text = decided.text or ""
    assert "đến 22/12/2025 (đề nghị 31/12/2025): 15/12/2025 → 22/12/2025" in text
    assert text.endswith("Ý kiến lãnh đạo: Báo cáo kết quả trước ngày 19/12")

    await deliver_outbox(tg_ctx, telegram.runtime)
    staff_notice = (await server.wait_for_messages(STAFF, 2))[-1]
    assert staff_notice.text == text
    assert (await _task(tg_ctx, "NV-01")).deadline == dt.date(2025, 12, 22)
    async with tg_ctx.db.session() as session:
        [change] = list(await session.scalars(select(DeadlineChange)))
    assert (change.new_deadline, change.note) == (
        dt.date(2025, 12, 22),
        "Báo cáo kết quả trước ngày 19/12",
    )

"""Reminders, digests and notices reach Zalo officials through the outbox: the scheduler's
planner and digest jobs queue them, its dispatcher sends them with the real ZaloSender (and
Zalo's configured rate limits), and ``/kenh`` decides which linked channel gets them."""

from __future__ import annotations

import datetime as dt

import aiohttp
from sqlalchemy import select

from bot.channel_traits import TELEGRAM
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import IncomingMessage
from bot.models import AuditLog, Channel, GroupBinding, Official, OutboxMessage, OutboxStatus
from scheduler import digests, planner
from scheduler.ratelimit import RateLimiter, rates_from_settings
from tests.channels.zalo.harness import (
    RecordingSender,
    World,
    ZaloBot,
    drain_outbox,
    link,
    say,
)
from tests.fakes.zalo_api import FakeZaloServer

TELEGRAM_GROUP = "-100777"


async def _bind_telegram_group(world: World) -> None:
    async with world.ctx.db.session() as session:
        session.add(
            GroupBinding(
                unit_id=world.units["SXD"],
                channel=Channel.TELEGRAM,
                chat_id=TELEGRAM_GROUP,
                title="Nhóm Sở Xây dựng",
                created_at=world.ctx.now(),
            )
        )


async def _outbox(ctx: AppContext) -> list[OutboxMessage]:
    async with ctx.db.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_reminder_day_reaches_zalo_members_individually_beside_the_telegram_group(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", "lan")
    await link(world, server, "GD-SXD", "hung")
    await _bind_telegram_group(world)
    result = await planner.run_tick(world.ctx)
    assert result.planned and result.queued == 3
    telegram = RecordingSender()
    stats = await drain_outbox(
        world.ctx, {"zalo": zalo.runtime.senders["zalo"], "telegram": telegram}
    )
    assert stats.sent == 3 and stats.failed == 0
    # The unit's Telegram group gets one message; its Zalo members get it individually.
    assert [chat for chat, _ in telegram.sent] == [TELEGRAM_GROUP]
    lan = server.sent_messages(server.chat_id_for("lan"))[-1]
    hung = server.sent_messages(server.chat_id_for("hung"))[-1]
    for message in (lan, hung):
        assert message.method == "sendMessage"
        assert "NV-01" in (message.text or "") and "NV-02" in (message.text or "")
        assert len(message.text or "") <= 2000
    rows = await _outbox(world.ctx)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    # A second tick the same day plans nothing more.
    assert (await planner.run_tick(world.ctx)).queued == 0


async def test_zalo_sends_are_paced_by_zalo_rate_limits(world: World) -> None:
    limits = world.ctx.settings.rate_limits.model_copy(
        update={"zalo_global_per_second": 2.0, "zalo_per_chat_per_second": 0.5}
    )
    now = [100.0]
    limiter = RateLimiter(rates_from_settings(limits), monotonic=lambda: now[0])
    waits = [limiter.reserve("zalo", chat, is_group=False) for chat in ("a", "b", "a")]
    assert waits == [0.0, 0.5, 2.0]
    assert limiter.reserve("telegram", "a", is_group=False) == 0.0


async def test_weekly_digest_over_zalo_without_a_public_url(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CT-UBND", "bao")
    round_ = await digests.run_daily(world.ctx)  # Monday: the weekly digest
    assert round_ is not None and round_.weekly and round_.queued == 1
    await drain_outbox(world.ctx, zalo.runtime.senders)
    sent = server.sent_messages(server.chat_id_for("bao"))[1:]
    assert [m.method for m in sent] == ["sendMessage", "sendMessage"]  # no chart without a URL
    assert "Sở Xây dựng" in (sent[0].text or "")
    assert (sent[1].text or "").endswith(
        "Zalo không gửi được tệp đính kèm (bao-cao-tinh-hinh-2025-12-08.xlsx). Báo cáo Excel có "
        "trên bảng điều khiển Dondoc (gửi dangnhap để nhận đường dẫn đăng nhập)."
    )


async def test_weekly_digest_chart_is_sent_by_url_when_the_bot_has_a_public_url(
    server: FakeZaloServer, world: World, zalo: ZaloBot, clock: FrozenClock
) -> None:
    await link(world, server, "CT-UBND", "bao")
    public = zalo.base_url + "/"
    world.ctx.settings = world.ctx.settings.model_copy(update={"public_base_url": public})
    await digests.run_daily(world.ctx)
    await drain_outbox(world.ctx, zalo.runtime.senders)
    sent = server.sent_messages(server.chat_id_for("bao"))[1:]
    assert [m.method for m in sent] == ["sendMessage", "sendPhoto", "sendMessage"]
    photo = sent[1]
    assert photo.photo is not None and photo.photo.startswith(f"{zalo.base_url}/media/")
    assert photo.caption is not None
    async with aiohttp.ClientSession() as http:
        async with http.get(photo.photo) as response:
            assert response.status == 200
            assert response.content_type == "image/png"
            assert (await response.read()).startswith(b"\x89PNG")
        async with http.get(f"{zalo.base_url}/media/{'0' * 64}.png") as response:
            assert response.status == 404
    assert f"Báo cáo Excel có trên bảng điều khiển: {zalo.base_url}/ " in (sent[2].text or "")
    # Expired images are no longer served.
    clock.advance(dt.timedelta(days=8))
    async with aiohttp.ClientSession() as http, http.get(photo.photo) as response:
        assert response.status == 404


async def test_linked_on_both_channels_and_choosing_one_with_kenh(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "GD-SXD", "hung")
    [menu] = await say(server, "hung", "kenh")
    assert (menu.text or "").startswith(
        "Nhắc việc và báo cáo tổng hợp đang gửi đến đồng chí qua: mọi kênh đã liên kết.\n"
        "Tài khoản đã liên kết: Zalo."
    )
    assert "1. Liên kết thêm kênh" in (menu.text or "")
    [code_text] = await say(server, "hung", "1")
    code = (code_text.text or "").split("\n")[0].removeprefix("Mã liên kết của đồng chí: ")
    # The same person sends the code to the bot on Telegram.
    telegram_replies = await zalo.runtime.dispatcher.handle(
        IncomingMessage(
            channel="telegram",
            user_id="5005",
            chat_id="5005",
            update_key="1",
            text=f"/start {code}",
            display_name="Trần Văn Hùng",
        ),
        TELEGRAM,
    )
    assert telegram_replies[0].text.startswith("Đã liên kết tài khoản với Trần Văn Hùng")

    plan = await _planned_chats(world.ctx)
    assert {"telegram:5005", f"zalo:{server.chat_id_for('hung')}"} <= plan

    [choices] = await say(server, "hung", "/kenh")
    assert "Tài khoản đã liên kết: Telegram, Zalo." in (choices.text or "")
    assert "1. Tất cả kênh đã liên kết\n2. Chỉ Telegram\n3. Chỉ Zalo\n4. Liên kết thêm kênh" in (
        choices.text or ""
    )
    [saved] = await say(server, "hung", "3")
    assert saved.text == "Đã lưu: nhắc việc và báo cáo tổng hợp sẽ gửi đến đồng chí qua Zalo."
    hung = await world.official("GD-SXD")
    assert hung.notify_channels == "zalo"

    plan = await _planned_chats(world.ctx)
    assert f"zalo:{server.chat_id_for('hung')}" in plan and "telegram:5005" not in plan
    await planner.run_tick(world.ctx)
    telegram = RecordingSender()
    await drain_outbox(world.ctx, {"zalo": zalo.runtime.senders["zalo"], "telegram": telegram})
    assert telegram.sent == []
    reminder = server.sent_messages(server.chat_id_for("hung"))[-1]
    assert "NV-02" in (reminder.text or "")

    [typed] = await say(server, "hung", "kenh tất cả")
    assert typed.text == (
        "Đã lưu: nhắc việc và báo cáo tổng hợp sẽ gửi đến đồng chí qua mọi kênh đã liên kết "
        "(Telegram, Zalo)."
    )
    [wrong] = await say(server, "hung", "kenh viber")
    assert (wrong.text or "").startswith("Không hiểu “viber”.")
    async with world.ctx.db.session() as session:
        changes = list(
            await session.scalars(
                select(AuditLog)
                .where(AuditLog.action == "official.notify_channels")
                .order_by(AuditLog.id)
            )
        )
        official = await session.get(Official, world.officials["GD-SXD"])
    assert [(c.details["old"], c.details["new"]) for c in changes] == [
        (None, "zalo"),
        ("zalo", None),
    ]
    assert official is not None and official.notify_channels is None


async def test_kenh_refuses_a_channel_that_is_not_linked(
    server: FakeZaloServer, world: World, zalo: ZaloBot
) -> None:
    await link(world, server, "CV-SXD", "lan")
    [answer] = await say(server, "lan", "kenh telegram")
    assert answer.text == (
        "Đồng chí chưa liên kết Telegram với Dondoc. Gõ “kenh lienket” để nhận mã liên kết, "
        "rồi gửi /start <mã> cho bot Dondoc trên Telegram."
    )
    assert (await world.official("CV-SXD")).notify_channels is None
    [help_] = await say(server, "lan", "trogiup")
    assert "/kenh — chọn kênh nhận nhắc việc" in (help_.text or "")


async def _planned_chats(ctx: AppContext) -> set[str]:
    async with ctx.db.session() as session:
        messages = await planner.plan_day(session, ctx, ctx.today())
    return {message.recipient.key for message in messages}

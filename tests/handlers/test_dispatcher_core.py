"""The dispatcher's own promises: dedupe, numbered options, splitting, apologies."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.channel_traits import TELEGRAM, ZALO, ChannelTraits
from bot.context import AppContext
from bot.messages import Button, IncomingMessage, Reply
from bot.models import InboundUpdate, Official, Role, Unit
from bot.services import invites
from handlers import Dispatcher, Router, Turn
from handlers.commands import account


def _message(text: str | None = None, key: str = "1", **kw: object) -> IncomingMessage:
    return IncomingMessage(
        channel=str(kw.pop("channel", "telegram")),
        user_id="u1",
        chat_id="u1",
        update_key=key,
        text=text,
        **kw,  # type: ignore[arg-type]
    )


def _dispatcher(ctx: AppContext, register: Callable[[Router], None]) -> Dispatcher:
    router = Router()
    register(router)
    return Dispatcher(ctx, [account.router, router])


async def _register(ctx: AppContext, dispatcher: Dispatcher, channel: str = "telegram") -> None:
    async with ctx.db.session() as session:
        unit = Unit(code="STC", name="Sở Tài chính", created_at=ctx.now())
        session.add(unit)
        await session.flush()
        official = Official(
            code="CV01",
            full_name="Nguyễn Thị Hoa",
            unit_id=unit.id,
            role=Role.STAFF,
            created_at=ctx.now(),
        )
        session.add(official)
        await session.flush()
        code = await invites.create_invite(session, ctx, official=official)
    traits = TELEGRAM if channel == "telegram" else ZALO
    await dispatcher.handle(_message(f"/start {code}", key="reg", channel=channel), traits)


def _choices(router: Router) -> None:
    @router.command("chon", "pick")
    async def pick(turn: Turn) -> Reply:
        return turn.reply("Chọn một:", [[Button("Một", "c:1"), Button("Hai", "c:2")]])

    @router.callback("c")
    async def chosen(turn: Turn) -> Reply:
        return turn.reply(f"Đã chọn {turn.callback[1]}")


async def test_a_redelivered_update_is_handled_once(ctx: AppContext) -> None:
    dispatcher = _dispatcher(ctx, _choices)
    first = await dispatcher.handle(_message("/trogiup", key="42"), TELEGRAM)
    again = await dispatcher.handle(_message("/trogiup", key="42"), TELEGRAM)
    assert first and again == []
    async with ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(InboundUpdate)) == 1


async def test_channels_without_buttons_get_numbered_options_and_numbers_work(
    ctx: AppContext,
) -> None:
    dispatcher = _dispatcher(ctx, _choices)
    await _register(ctx, dispatcher, channel="zalo")
    [offer] = await dispatcher.handle(_message("chon", key="a", channel="zalo"), ZALO)
    assert offer.buttons == []
    assert "1. Một" in offer.text and "2. Hai" in offer.text
    assert "Trả lời bằng số từ 1 đến 2" in offer.text
    [answer] = await dispatcher.handle(_message("2", key="b", channel="zalo"), ZALO)
    assert answer.text == "Đã chọn 2"


async def test_buttons_stay_buttons_where_the_channel_has_them(ctx: AppContext) -> None:
    dispatcher = _dispatcher(ctx, _choices)
    await _register(ctx, dispatcher)
    [offer] = await dispatcher.handle(_message("/chon", key="a"), TELEGRAM)
    assert [b.data for b in offer.buttons[0]] == ["c:1", "c:2"]
    [answer] = await dispatcher.handle(_message(callback_data="c:1", key="b"), TELEGRAM)
    assert answer.text == "Đã chọn 1"


async def test_long_replies_are_split_for_the_channel(ctx: AppContext) -> None:
    def register(router: Router) -> None:
        @router.command("dai", "long", roles=None)
        async def long(turn: Turn) -> Reply:
            return turn.reply(
                "\n".join(f"Dòng {i:04d}" for i in range(600)), [[Button("OK", "c:1")]]
            )

    small = ChannelTraits(name="telegram", buttons=True, bare_commands=False, max_text=1000)
    replies = await _dispatcher(ctx, register).handle(_message("/dai"), small)
    assert len(replies) > 1
    assert all(len(r.text) <= 1000 for r in replies)
    assert replies[-1].buttons and not any(r.buttons for r in replies[:-1])
    assert "\n".join(r.text for r in replies).count("Dòng") == 600


async def test_a_failing_handler_gets_an_apology_and_is_not_redelivered_for_ever(
    ctx: AppContext,
) -> None:
    def register(router: Router) -> None:
        @router.command("loi", roles=None)
        async def broken(turn: Turn) -> Reply:
            turn.session.add(Unit(code="X", name="half-written", created_at=ctx.now()))
            raise RuntimeError("bug")

    dispatcher = _dispatcher(ctx, register)
    [reply] = await dispatcher.handle(_message("/loi", key="9"), TELEGRAM)
    assert "đã có lỗi" in reply.text
    assert await dispatcher.handle(_message("/loi", key="9"), TELEGRAM) == []
    async with ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Unit)) == 0


@pytest.mark.parametrize("text", ["/nhiemvu", "xin chào"])
async def test_unregistered_accounts_are_told_how_to_register(ctx: AppContext, text: str) -> None:
    dispatcher = _dispatcher(ctx, _choices)
    [reply] = await dispatcher.handle(_message(text), TELEGRAM)
    assert "/start <mã mời>" in reply.text


async def test_ordinary_talk_in_a_group_gets_no_reply_but_commands_do(ctx: AppContext) -> None:
    dispatcher = _dispatcher(ctx, _choices)
    group = {"chat_type": "group"}
    assert (
        await dispatcher.handle(_message("Chiều nay họp lúc 3 giờ", key="g1", **group), TELEGRAM)
        == []
    )
    [reply] = await dispatcher.handle(_message("/trogiup", key="g2", **group), TELEGRAM)
    assert "/start" in reply.text

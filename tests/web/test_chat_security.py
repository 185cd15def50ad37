"""The web chat as an open door: what an unlinked browser may do, what the history keeps,
and what one bad character or id in a frame does to the chat."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.context import AppContext
from bot.models import InboundUpdate, Report, WebMessage
from config.settings import WebChatLimits
from tests.web.conftest import Web, World, serve
from tests.web.test_chat import ChatClient, invite, register

LINK_FIRST = "Đồng chí hãy liên kết trước bằng mã mời"


@pytest.fixture
async def strict_web(ctx: AppContext) -> AsyncIterator[Web]:
    """The web app with small limits for browsers that are not linked yet."""
    limits = WebChatLimits(
        unlinked_per_browser_per_minute=4,
        unlinked_per_address_per_minute=6,
        unlinked_max_chars=60,
    )
    settings = ctx.settings.model_copy(update={"web_chat": limits})
    async for harness in serve(AppContext(settings=settings, db=ctx.db, clock=ctx.clock)):
        yield harness


async def stored_texts(web: Web) -> list[str]:
    async with web.ctx.db.session() as session:
        rows = await session.scalars(select(WebMessage).order_by(WebMessage.id))
        return [row.payload.get("text", "") for row in rows]


async def stored_dump(web: Web) -> str:
    async with web.ctx.db.session() as session:
        rows = await session.scalars(select(WebMessage))
        return json.dumps([row.payload for row in rows], ensure_ascii=False)


async def new_browser(web: Web, *, headers: dict[str, str] | None = None) -> ChatClient:
    """Another browser (a fresh cookie) on the same test client."""
    web.client.session.cookie_jar.clear()
    page = await web.client.get("/chat")
    assert page.status == 200
    ws = await web.client.ws_connect("/chat/ws", headers=headers)
    chat = ChatClient(web, ws)
    first = await chat.next_frame()
    assert first["type"] == "history"
    return chat


# --- before linking ---------------------------------------------------------------------------


async def test_before_linking_only_start_help_and_cancel_are_stored(web: Web, world: World) -> None:
    chat = await ChatClient.open(web)
    for text in ("xin chào", "/baocao NQ-01 50 Đã xong", "/dangnhap", "tonghop"):
        reply = await chat.say(text)
        assert LINK_FIRST in reply["text"], text
    await chat.send_frame({"type": "button", "id": chat.new_id(), "data": "rp:NQ-01"})
    assert LINK_FIRST in chat.out()[-1]["text"]
    assert "/start" in (await chat.say("/trogiup"))["text"]
    await chat.say("huy")
    await chat.say("/help")
    assert await stored_texts(web) == [
        "/trogiup",
        chat.out()[-3]["text"],
        "huy",
        chat.out()[-2]["text"],
        "/help",
        chat.out()[-1]["text"],
    ]
    async with web.ctx.db.session() as session:
        updates = await session.scalar(select(func.count()).select_from(InboundUpdate))
    assert updates == 3
    reloaded = await ChatClient.open(web)
    assert LINK_FIRST not in json.dumps(reloaded.history, ensure_ascii=False)


async def test_an_unlinked_browser_is_rate_limited_and_may_go_on_a_minute_later(
    strict_web: Web, world: World
) -> None:
    chat = await ChatClient.open(strict_web)
    for _ in range(4):
        assert "Đã liên kết" not in (await chat.say("/trogiup"))["text"]
    refused = await chat.say("/trogiup")
    assert "quá nhiều tin nhắn" in refused["text"] and "4 tin" in refused["text"]
    assert (await stored_texts(strict_web)).count("/trogiup") == 4
    strict_web.ctx.clock.advance(dt.timedelta(seconds=61))  # type: ignore[attr-defined]
    reply = await chat.say(f"/start {await invite(strict_web, 'CV-STC-01')}")
    assert "Đã liên kết tài khoản" in reply["text"]
    for _ in range(6):  # a linked browser is past the door
        assert "quá nhiều" not in (await chat.say("/trogiup"))["text"]


async def test_the_address_limit_covers_every_browser_from_one_address(
    strict_web: Web, world: World
) -> None:
    first = await new_browser(strict_web)
    for _ in range(4):
        await first.say("/trogiup")
    second = await new_browser(strict_web)
    await second.say("/trogiup")
    await second.say("/trogiup")
    refused = await second.say("/trogiup")
    assert "quá nhiều tin nhắn" in refused["text"] and "6 tin" in refused["text"]
    # Behind a local reverse proxy each client is known by the address the proxy saw.
    elsewhere = await new_browser(strict_web, headers={"X-Forwarded-For": "203.0.113.7"})
    assert "quá nhiều" not in (await elsewhere.say("/trogiup"))["text"]


async def test_a_long_message_from_an_unlinked_browser_is_refused(
    strict_web: Web, world: World
) -> None:
    chat = await ChatClient.open(strict_web)
    reply = await chat.say("/start " + "A" * 80)
    assert "Tin nhắn quá dài" in reply["text"] and "60 ký tự" in reply["text"]
    assert await stored_texts(strict_web) == []


# --- secrets at rest --------------------------------------------------------------------------


async def test_a_typed_invite_code_is_stored_masked(web: Web, world: World) -> None:
    code = await invite(web, "CV-STC-01")
    chat = await ChatClient.open(web)
    assert "Đã liên kết tài khoản" in (await chat.say(f"/start {code}"))["text"]
    assert code not in await stored_dump(web)
    assert (await stored_texts(web))[0] == "/start ••••••"


async def test_a_login_link_is_shown_once_live_and_stored_masked(web: Web, world: World) -> None:
    chat = await register(web, "LD-01")
    reply = await chat.say("/dangnhap")
    link = next(word for word in reply["text"].split() if "/login/" in word)
    token = link.rsplit("/", 1)[-1]
    assert len(token) > 20
    assert token not in await stored_dump(web)
    again = await ChatClient.open(web)  # a reload, or another tab: the history
    shown = json.dumps(again.history, ensure_ascii=False)
    assert token not in shown and "/login/••••••" in shown
    response = await web.client.post(link[link.index("/login/") :])
    assert response.url.path == "/"


async def test_a_channel_link_code_is_stored_masked(web: Web, world: World) -> None:
    chat = await register(web, "CV-STC-01")
    menu = await chat.say("/kenh")
    await chat.press(menu, "Liên kết")
    shown = chat.latest(menu["id"])["text"]
    code = shown.split("/start ", 1)[1].split()[0]
    assert code != "••••••" and code in shown
    assert code not in await stored_dump(web)
    again = await ChatClient.open(web)
    assert code not in json.dumps(again.history, ensure_ascii=False)


# --- one bad character, one bad id ------------------------------------------------------------


async def raw_exchange(chat: ChatClient, raw: str, client_id: str) -> dict[str, Any]:
    """Send a raw frame; the server's ack (once its reply is shown) or error for it."""
    before = len(chat.out())
    await chat.ws.send_str(raw)
    while True:
        frame = await chat.next_frame()
        if frame.get("id") == client_id and frame["type"] == "error":
            return frame
        if frame.get("id") == client_id and frame["type"] == "ack":
            await chat.until(lambda: len(chat.out()) > before)
            return frame


async def test_a_lone_surrogate_does_not_break_the_chat(web: Web, world: World) -> None:
    chat = await register(web, "CV-STC-01")
    raw = '{"type": "message", "id": "s1", "text": "/baocao NQ-01 55 Ghi \\ud800 chú"}'
    assert (await raw_exchange(chat, raw, "s1"))["type"] == "ack"
    await chat.ws.send_str('{"type": "message", "id": "\\udfff", "text": "x"}')
    assert await chat.next_frame() == {"type": "error", "id": None, "reason": "bad_request"}
    assert "/baocao" in (await chat.say("/trogiup"))["text"]
    async with web.ctx.db.session() as session:
        notes = list(await session.scalars(select(Report.note).where(Report.channel == "web")))
    assert notes == ["Ghi \ufffd chú"]


async def test_control_characters_are_dropped_not_refused_by_the_database(
    web: Web, world: World
) -> None:
    chat = await register(web, "CV-STC-01")
    raw = json.dumps(
        {"type": "message", "id": "n1", "text": "/baocao NQ-01 65 Đã\u0000 trình\u0001 dự thảo"}
    )
    assert (await raw_exchange(chat, raw, "n1"))["type"] == "ack"
    assert "/baocao NQ-01 65 Đã trình dự thảo" in await stored_texts(web)
    async with web.ctx.db.session() as session:
        notes = list(await session.scalars(select(Report.note).where(Report.channel == "web")))
    assert notes == ["Đã trình dự thảo"]
    nothing_left = json.dumps({"type": "message", "id": "n2", "text": "\u0000\u0002"})
    assert (await raw_exchange(chat, nothing_left, "n2"))["reason"] == "bad_request"


async def test_a_huge_id_is_not_found(web: Web, world: World) -> None:
    chat = await register(web, "GD-STC")
    huge = "99999999999999999999"
    response = await web.client.get(f"/chat/files/{huge}/document")
    assert response.status == 404
    raw = json.dumps({"type": "button", "id": "h1", "data": "rp:NQ-01", "origin": int(huge)})
    assert (await raw_exchange(chat, raw, "h1"))["reason"] == "bad_request"
    assert "/baocao" in (await chat.say("/trogiup"))["text"]
    await web.login("GD-STC")
    for path in (f"/tasks/{huge}", f"/units/{huge}", f"/tasks/{'9' * 5000}"):
        assert (await web.client.get(path)).status == 404, path

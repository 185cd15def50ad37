"""The fake Zalo Bot API, exercised over raw HTTP (the client has its own tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.zalo_api import FakeZaloServer

Answer = tuple[int, dict[str, Any]]


@pytest.fixture
async def server() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    server: FakeZaloServer,
    method: str,
    token: str | None = None,
    **params: Any,
) -> Answer:
    url = f"{server.url}/bot{token or server.token}/{method}"
    async with http.post(url, json=params) as response:
        return response.status, await response.json()


async def test_get_me_and_auth(server: FakeZaloServer, http: aiohttp.ClientSession) -> None:
    assert await call(http, server, "getMe") == (
        200,
        {
            "ok": True,
            "result": {
                "id": "1234567890",
                "account_name": "bot.dondoc",
                "account_type": "BASIC",
                "can_join_groups": False,
            },
        },
    )
    assert await call(http, server, "getMe", token="1:wrong") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, body = await call(http, server, "getMoon")
    assert status == 404 and body["ok"] is False and body["error_code"] == 404


async def test_non_json_body_is_rejected(
    server: FakeZaloServer, http: aiohttp.ClientSession
) -> None:
    url = f"{server.url}/bot{server.token}/sendMessage"
    async with http.post(url, data=b"chat_id=1") as response:
        assert response.status == 400
        assert (await response.json())["ok"] is False


async def test_get_updates_returns_one_update_at_a_time(
    server: FakeZaloServer, http: aiohttp.ClientSession
) -> None:
    before = int(time.time() * 1000)
    server.push_text("u1", "xin chào", display_name="Nguyễn Văn A")
    server.push_image("u2", "https://img.example/a.jpg", caption="hiện trường")
    server.push_sticker("u1", "0e078a2fb66a5f34067b")
    assert server.pending_updates() == 3

    status, body = await call(http, server, "getUpdates", timeout="0")
    assert status == 200 and body["ok"] is True
    update = body["result"]
    assert update["event_name"] == "message.text.received"
    message = update["message"]
    assert message["text"] == "xin chào"
    assert message["chat"] == {"id": server.chat_id_for("u1"), "chat_type": "PRIVATE"}
    assert message["from"] == {
        "id": server.chat_id_for("u1"),
        "display_name": "Nguyễn Văn A",
        "is_bot": False,
    }
    assert before <= message["date"] <= int(time.time() * 1000)
    assert len(message["message_id"]) == 20

    image = (await call(http, server, "getUpdates", timeout=0))[1]["result"]
    assert image["event_name"] == "message.image.received"
    assert image["message"]["photo"] == "https://img.example/a.jpg"
    assert image["message"]["caption"] == "hiện trường"
    sticker = (await call(http, server, "getUpdates", timeout=0))[1]["result"]
    assert sticker["event_name"] == "message.sticker.received"
    assert sticker["message"]["sticker"] == "0e078a2fb66a5f34067b"
    assert server.pending_updates() == 0


def test_chat_ids_are_opaque_per_bot() -> None:
    one, other = FakeZaloServer(), FakeZaloServer(token="999:other")
    assert one.chat_id_for("u1") == one.chat_id_for("u1")
    assert one.chat_id_for("u1") != one.chat_id_for("u2")
    assert one.chat_id_for("u1") != other.chat_id_for("u1")


async def test_no_update_is_error_408(server: FakeZaloServer, http: aiohttp.ClientSession) -> None:
    started = time.monotonic()
    assert await call(http, server, "getUpdates", timeout="0.2") == (
        200,
        {"ok": False, "error_code": 408, "description": "Request timeout"},
    )
    assert 0.15 < time.monotonic() - started < 2


async def test_long_poll_wakes_on_push(server: FakeZaloServer, http: aiohttp.ClientSession) -> None:
    poll = asyncio.create_task(call(http, server, "getUpdates", timeout="30"))
    await server.wait_for_call("getUpdates")
    assert not poll.done()
    pushed = server.push_text("u1", "có ngay")
    status, body = await asyncio.wait_for(poll, 2)
    assert status == 200 and body["result"] == pushed


async def test_stop_releases_a_pending_long_poll(
    server: FakeZaloServer, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(call(http, server, "getUpdates", timeout="30"))
    await server.wait_for_call("getUpdates")
    await server.stop()
    status, body = await asyncio.wait_for(poll, 3)
    assert status == 200
    assert body["error_code"] == 408


async def test_webhook_and_polling_exclude_each_other(
    server: FakeZaloServer, http: aiohttp.ClientSession
) -> None:
    status, body = await call(
        http, server, "setWebhook", url="https://dondoc.example/zalo", secret_token="12345678"
    )
    assert status == 200
    assert body["result"]["url"] == "https://dondoc.example/zalo"
    assert isinstance(body["result"]["updated_at"], int)
    assert server.webhook_secret == "12345678"
    status, body = await call(http, server, "getUpdates", timeout="0")
    assert status == 400 and "deleteWebhook" in body["description"]
    info = (await call(http, server, "getWebhookInfo"))[1]["result"]
    assert info["url"] == "https://dondoc.example/zalo"
    deleted = (await call(http, server, "deleteWebhook"))[1]["result"]
    assert deleted["url"] == ""
    assert (await call(http, server, "getUpdates", timeout="0"))[1]["error_code"] == 408


@pytest.mark.parametrize(
    "params",
    [
        {"url": "http://insecure.example/zalo", "secret_token": "12345678"},
        {"url": "https://dondoc.example/zalo", "secret_token": "1234567"},
        {"url": "https://dondoc.example/zalo", "secret_token": "x" * 257},
        {"url": "https://dondoc.example/zalo"},
    ],
)
async def test_set_webhook_validation(
    server: FakeZaloServer, http: aiohttp.ClientSession, params: dict[str, str]
) -> None:
    status, body = await call(http, server, "setWebhook", **params)
    assert status == 400 and body["error_code"] == 400
    assert server.webhook_url == ""


async def test_send_message(server: FakeZaloServer, http: aiohttp.ClientSession) -> None:
    chat = server.chat_id_for("u1")
    status, body = await call(http, server, "sendMessage", chat_id=chat, text="Nhắc việc")
    assert status == 200
    assert set(body["result"]) == {"message_id", "date"}
    first_id = body["result"]["message_id"]
    assert (await call(http, server, "sendMessage", chat_id=chat, text="x" * 2000))[0] == 200
    for bad in ("", "x" * 2001):
        status, body = await call(http, server, "sendMessage", chat_id=chat, text=bad)
        assert status == 400 and body["error_code"] == 400
    assert (await call(http, server, "sendMessage", text="no chat"))[0] == 400

    sent = await server.wait_for_messages(chat, 2)
    assert [m.text for m in sent] == ["Nhắc việc", "x" * 2000]
    assert sent[0].message_id == first_id
    assert server.sent_messages() == sent


async def test_photo_sticker_and_chat_action(
    server: FakeZaloServer, http: aiohttp.ClientSession
) -> None:
    chat = server.chat_id_for("u1")
    ok = await call(
        http, server, "sendPhoto", chat_id=chat, photo="https://img.example/p.png", caption="Ảnh"
    )
    assert ok[0] == 200
    assert (await call(http, server, "sendPhoto", chat_id=chat, photo="/local/file.png"))[0] == 400
    assert (await call(http, server, "sendSticker", chat_id=chat, sticker="abc"))[0] == 200
    assert (await call(http, server, "sendSticker", chat_id=chat))[0] == 400
    assert await call(http, server, "sendChatAction", chat_id=chat, action="typing") == (
        200,
        {"ok": True},
    )
    assert (await call(http, server, "sendChatAction", chat_id=chat, action="dance"))[0] == 400

    photo, sticker = server.sent_messages(chat)
    assert (photo.method, photo.photo, photo.caption) == (
        "sendPhoto",
        "https://img.example/p.png",
        "Ảnh",
    )
    assert (sticker.method, sticker.sticker) == ("sendSticker", "abc")
    assert [c["action"] for c in server.calls_to("sendChatAction")] == ["typing", "dance"]


async def test_faults(server: FakeZaloServer, http: aiohttp.ClientSession) -> None:
    chat = server.chat_id_for("u1")
    server.fail("sendMessage", 429, retry_after=2)
    server.fail("sendMessage", 403, http_status=200, description="User blocked the bot")
    assert await call(http, server, "sendMessage", chat_id=chat, text="1") == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests",
            "parameters": {"retry_after": 2},
        },
    )
    assert await call(http, server, "sendMessage", chat_id=chat, text="2") == (
        200,
        {"ok": False, "error_code": 403, "description": "User blocked the bot"},
    )
    assert (await call(http, server, "sendMessage", chat_id=chat, text="3"))[0] == 200
    server.fail("sendMessage", 403, chat_id="blocked", times=None)
    assert (await call(http, server, "sendMessage", chat_id="blocked", text="4"))[0] == 403
    assert (await call(http, server, "sendMessage", chat_id="blocked", text="5"))[0] == 403
    assert (await call(http, server, "sendMessage", chat_id=chat, text="6"))[0] == 200
    server.fail("getMe", 500, times=None)
    for _ in range(3):
        assert (await call(http, server, "getMe"))[0] == 500
    server.clear_faults()
    assert (await call(http, server, "getMe"))[0] == 200
    assert [m.text for m in server.sent_messages()] == ["3", "6"]


async def test_hang(server: FakeZaloServer, http: aiohttp.ClientSession) -> None:
    chat = server.chat_id_for("u1")
    server.fail("sendMessage", "hang")
    url = f"{server.url}/bot{server.token}/sendMessage"
    with pytest.raises(TimeoutError):
        await http.post(
            url, json={"chat_id": chat, "text": "x"}, timeout=aiohttp.ClientTimeout(total=0.1)
        )
    server.fail("sendMessage", "hang", hang_for=0.2)
    with pytest.raises(TimeoutError):
        await http.post(
            url, json={"chat_id": chat, "text": "late"}, timeout=aiohttp.ClientTimeout(total=0.05)
        )
    [late] = await server.wait_for_messages(chat, 1, timeout=2)
    assert late.text == "late"


@pytest.mark.parametrize("wrapped", [False, True])
async def test_deliver_webhook(server: FakeZaloServer, wrapped: bool) -> None:
    received: list[tuple[str | None, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/zalo", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    update = server.push_text("u1", "qua webhook")
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo"
        assert await server.deliver_webhook(url, update, "secret-123", wrapped=wrapped) == 200
    finally:
        await runner.cleanup()
    expected = {"ok": True, "result": update} if wrapped else update
    assert received == [("secret-123", expected)]

"""ZaloClient against the fake Zalo Bot API, plus the pure helpers."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.core.webhook import secret_matches
from bot.channels.zalo.client import (
    InvalidZaloUpdate,
    ZaloBadRequest,
    ZaloClient,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloNotFound,
    ZaloRateLimited,
    ZaloServerError,
    ZaloUnauthorized,
    mask_token,
    parse_update,
    parse_webhook_body,
    split_text,
)
from tests.fakes.zalo_api import FakeZaloServer

TOKEN = "1234567890:fake-zalo-secret"
SECRET_PART = "fake-zalo-secret"


class FakeSleep:
    """Records requested delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
async def server() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
async def client(server: FakeZaloServer, sleep: FakeSleep) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(TOKEN, base_url=server.url, sleep=sleep) as zalo:
        yield zalo


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def custom_api(handler: Handler) -> AsyncIterator[str]:
    """A one-off HTTP server answering every method with ``handler``; yields its base URL."""
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------- methods


async def test_get_me(client: ZaloClient) -> None:
    me = await client.get_me()
    assert (me.id, me.account_name, me.account_type, me.can_join_groups) == (
        "1234567890",
        "bot.dondoc",
        "BASIC",
        False,
    )


async def test_get_updates_parses_text_image_and_sticker(
    server: FakeZaloServer, client: ZaloClient
) -> None:
    pushed = server.push_text("u1", "Báo cáo 50%", display_name="Trần Thị B")
    server.push_image("u1", "https://img.example/a.jpg", caption="Ảnh")
    server.push_sticker("u1", "stk1")

    text = await client.get_updates(timeout=0)
    assert text is not None
    assert text.event_name == "message.text.received"
    message = text.message
    assert message.text == "Báo cáo 50%"
    assert message.chat_id == message.from_id == server.chat_id_for("u1")
    assert message.chat_type == "PRIVATE"
    assert message.display_name == "Trần Thị B"
    assert not message.is_bot
    assert message.message_id == pushed["message"]["message_id"]
    assert message.date == datetime.fromtimestamp(pushed["message"]["date"] / 1000, UTC)
    assert message.date.tzinfo is UTC
    assert message.raw == pushed["message"]

    image = await client.get_updates(timeout=0)
    assert image is not None and image.event_name == "message.image.received"
    assert (image.message.photo_url, image.message.caption, image.message.text) == (
        "https://img.example/a.jpg",
        "Ảnh",
        None,
    )
    sticker = await client.get_updates(timeout=0)
    assert sticker is not None and sticker.message.sticker == "stk1"
    assert sticker.message.sticker_url is not None and "stk1" in sticker.message.sticker_url
    assert [c["timeout"] for c in server.calls_to("getUpdates")] == ["0", "0", "0"]


async def test_get_updates_408_means_none(server: FakeZaloServer, client: ZaloClient) -> None:
    assert await client.get_updates(timeout=0) is None
    server.fail("getUpdates", 408)  # the same, answered with HTTP status 408
    assert await client.get_updates(timeout=0) is None


async def test_get_updates_long_polls(server: FakeZaloServer, client: ZaloClient) -> None:
    poll = asyncio.create_task(client.get_updates(timeout=10))
    await server.wait_for_call("getUpdates")
    assert not poll.done()
    server.push_text("u9", "đây")
    update = await asyncio.wait_for(poll, 2)
    assert update is not None and update.message.text == "đây"


async def test_webhook_methods(server: FakeZaloServer, client: ZaloClient) -> None:
    info = await client.set_webhook("https://dondoc.example/zalo", "secret-123")
    assert info.url == "https://dondoc.example/zalo"
    assert info.updated_at is not None and info.updated_at.tzinfo is UTC
    assert server.webhook_secret == "secret-123"
    assert (await client.get_webhook_info()).url == "https://dondoc.example/zalo"
    with pytest.raises(ZaloBadRequest):
        await client.get_updates(timeout=0)
    assert (await client.delete_webhook()).url == ""
    assert (await client.get_webhook_info()).url == ""


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://dondoc.example/zalo", "1234567"),
        ("https://dondoc.example/zalo", "x" * 257),
        ("http://dondoc.example/zalo", "12345678"),
    ],
)
async def test_set_webhook_validates_locally(
    server: FakeZaloServer, client: ZaloClient, url: str, secret: str
) -> None:
    with pytest.raises(ValueError):
        await client.set_webhook(url, secret)
    assert server.calls == []


async def test_set_webhook_secret_bounds(client: ZaloClient) -> None:
    await client.set_webhook("https://dondoc.example/zalo", "x" * 8)
    await client.set_webhook("https://dondoc.example/zalo", "x" * 256)


async def test_send_message(server: FakeZaloServer, client: ZaloClient) -> None:
    chat = server.chat_id_for("u1")
    sent = await client.send_message(chat, "Nhắc: hạn 15/12/2025")
    assert len(sent.message_id) == 20
    assert sent.date is not None and sent.date.tzinfo is UTC
    await client.send_message(chat, "x" * 2000)
    [first, second] = await server.wait_for_messages(chat, 2)
    assert first.text == "Nhắc: hạn 15/12/2025" and first.message_id == sent.message_id
    assert second.text == "x" * 2000


@pytest.mark.parametrize("text", ["", "x" * 2001])
async def test_send_message_validates_length_locally(
    server: FakeZaloServer, client: ZaloClient, text: str
) -> None:
    with pytest.raises(ValueError, match="1-2000"):
        await client.send_message("chat", text)
    with pytest.raises(ValueError, match="chat_id"):
        await client.send_message("", "x")
    assert server.calls == []


async def test_photo_sticker_and_chat_action(server: FakeZaloServer, client: ZaloClient) -> None:
    chat = server.chat_id_for("u1")
    await client.send_photo(chat, "https://img.example/p.png", caption="Biểu đồ")
    await client.send_photo(chat, "https://img.example/q.png")
    await client.send_sticker(chat, "stk")
    await client.send_chat_action(chat)
    with pytest.raises(ValueError):
        await client.send_photo(chat, "/tmp/local.png")
    with pytest.raises(ValueError):
        await client.send_photo(chat, "https://img.example/p.png", caption="")
    with pytest.raises(ValueError):
        await client.send_sticker(chat, "")

    photo, bare, sticker = server.sent_messages(chat)
    assert (photo.photo, photo.caption) == ("https://img.example/p.png", "Biểu đồ")
    assert bare.caption is None and "caption" not in server.calls_to("sendPhoto")[1]
    assert sticker.sticker == "stk"
    assert server.calls_to("sendChatAction") == [{"chat_id": chat, "action": "typing"}]


# ---------------------------------------------------------------- errors and retries


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, ZaloBadRequest),
        (401, ZaloUnauthorized),
        (403, ZaloForbidden),
        (404, ZaloNotFound),
        (409, ZaloError),
    ],
)
@pytest.mark.parametrize("http_status", [None, 200])
async def test_error_codes_map_to_types(
    server: FakeZaloServer,
    client: ZaloClient,
    sleep: FakeSleep,
    status: int,
    error_type: type[ZaloError],
    http_status: int | None,
) -> None:
    """Errors are typed by error_code, whether or not the HTTP status says so."""
    server.fail("sendMessage", status, description="nope", http_status=http_status)
    with pytest.raises(ZaloError) as caught:
        await client.send_message("chat", "x")
    assert type(caught.value) is error_type
    assert caught.value.error_code == status
    assert caught.value.description == "nope"
    assert caught.value.method == "sendMessage"
    assert sleep.delays == []  # client errors are not retried
    assert len(server.calls) == 1


async def test_real_bad_token_is_unauthorized(server: FakeZaloServer) -> None:
    async with ZaloClient("1:wrong-token", base_url=server.url) as wrong:
        with pytest.raises(ZaloUnauthorized):
            await wrong.get_me()


async def test_unknown_method_is_not_found(client: ZaloClient) -> None:
    with pytest.raises(ZaloNotFound):
        await client._call("sendPoll", {})


async def test_429_is_retried_after_retry_after(
    server: FakeZaloServer, client: ZaloClient, sleep: FakeSleep
) -> None:
    server.fail("sendMessage", 429, retry_after=7, times=2)
    await client.send_message("chat", "x")
    assert sleep.delays == [7, 7]
    assert len(server.sent_messages()) == 1
    assert len(server.calls_to("sendMessage")) == 3


async def test_5xx_is_retried_with_exponential_backoff(
    server: FakeZaloServer, client: ZaloClient, sleep: FakeSleep
) -> None:
    server.fail("getMe", 500, times=2)
    server.fail("getMe", 502)
    await client.get_me()
    assert sleep.delays == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(("status", "error_type"), [(429, ZaloRateLimited), (503, ZaloServerError)])
async def test_retries_are_bounded(
    server: FakeZaloServer, sleep: FakeSleep, status: int, error_type: type[ZaloError]
) -> None:
    server.fail("getMe", status, times=None)
    async with ZaloClient(
        TOKEN, base_url=server.url, sleep=sleep, max_retries=4, backoff=1, max_backoff=3
    ) as zalo:
        with pytest.raises(error_type) as caught:
            await zalo.get_me()
    assert caught.value.error_code == status
    assert len(server.calls) == 5
    assert sleep.delays == [1, 2, 3, 3]
    if isinstance(caught.value, ZaloRateLimited):
        assert caught.value.retry_after is None


async def test_retry_after_header_is_used(sleep: FakeSleep) -> None:
    answers = iter([(429, {"Retry-After": "4"}), (200, {})])

    async def handler(request: web.Request) -> web.Response:
        status, headers = next(answers)
        body = '{"ok": true, "result": {"id": "1", "account_name": "b"}}'
        if status != 200:
            body = '{"ok": false, "error_code": 429, "description": "slow down"}'
        return web.Response(status=status, headers=headers, text=body)

    async with custom_api(handler) as url, ZaloClient(TOKEN, base_url=url, sleep=sleep) as zalo:
        assert (await zalo.get_me()).id == "1"
    assert sleep.delays == [4]


async def test_non_json_answers(sleep: FakeSleep) -> None:
    answers = iter([(502, "<html>Bad Gateway</html>"), (200, "hello")])

    async def handler(request: web.Request) -> web.Response:
        status, text = next(answers)
        return web.Response(status=status, text=text, content_type="text/html")

    async with (
        custom_api(handler) as url,
        ZaloClient(TOKEN, base_url=url, sleep=sleep, max_retries=0) as zalo,
    ):
        with pytest.raises(ZaloServerError) as server_error:
            await zalo.get_me()
        assert server_error.value.error_code == 502
        with pytest.raises(ZaloError, match="unreadable answer") as unreadable:
            await zalo.get_me()
        assert type(unreadable.value) is ZaloError


async def test_connection_refused_is_not_ambiguous() -> None:
    async with ZaloClient(TOKEN, base_url=closed_port_url()) as zalo:
        with pytest.raises(ZaloNetworkError) as caught:
            await zalo.send_message("chat", "x")
    assert caught.value.ambiguous is False
    assert caught.value.error_code is None


async def test_timeout_is_ambiguous(server: FakeZaloServer) -> None:
    server.fail("sendMessage", "hang")
    async with ZaloClient(TOKEN, base_url=server.url, timeout=0.1) as zalo:
        with pytest.raises(ZaloNetworkError, match=r"no answer within 0\.1s") as caught:
            await zalo.send_message("chat", "x")
    assert caught.value.ambiguous is True


async def test_dropped_connection_is_ambiguous() -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    tcp = await asyncio.start_server(drop, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
        async with ZaloClient(TOKEN, base_url=f"http://127.0.0.1:{port}") as zalo:
            with pytest.raises(ZaloNetworkError, match="ServerDisconnectedError") as caught:
                await zalo.send_message("chat", "x")
    finally:
        tcp.close()
        await tcp.wait_closed()
    assert caught.value.ambiguous is True


# ---------------------------------------------------------------- token hygiene


def _assert_masked(error: BaseException) -> None:
    for text in (str(error), repr(error), "".join(traceback.format_exception(error))):
        assert SECRET_PART not in text
    assert error.__context__ is None or SECRET_PART not in repr(error.__context__)


async def test_token_never_leaks(
    server: FakeZaloServer, sleep: FakeSleep, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def echo_token(request: web.Request) -> web.Response:
        description = f"bad token {request.match_info['token']} for {request.url}"
        return web.json_response(
            {"ok": False, "error_code": 500, "description": description}, status=500
        )

    server.fail("getMe", "hang")
    server.fail("sendMessage", 429, times=None)
    errors: list[ZaloError] = []
    async with custom_api(echo_token) as echo_url:
        for base_url in (server.url, closed_port_url(), "http://[not a host", echo_url):
            async with ZaloClient(TOKEN, base_url=base_url, timeout=0.2, sleep=sleep) as zalo:
                assert SECRET_PART not in repr(zalo)
                for call in (zalo.get_me, lambda: zalo.send_message("chat", "x")):
                    with pytest.raises(ZaloError) as caught:
                        await call()
                    errors.append(caught.value)

    assert [type(e) for e in errors] == [
        ZaloNetworkError,  # timeout
        ZaloRateLimited,
        ZaloNetworkError,  # connection refused
        ZaloNetworkError,
        ZaloNetworkError,  # invalid URL
        ZaloNetworkError,
        ZaloServerError,  # the server echoed the token
        ZaloServerError,
    ]
    assert "1234567890:***" in str(errors[-1])
    for error in errors:
        for text in (str(error), repr(error), "".join(traceback.format_exception(error))):
            assert SECRET_PART not in text
        assert error.__cause__ is None and error.__context__ is None
    assert "retry 1/3" in caplog.text
    assert SECRET_PART not in caplog.text


def test_mask_token() -> None:
    assert mask_token(TOKEN) == "1234567890:***"
    assert mask_token("no-colon-secret") == "***"
    assert mask_token("abc:def") == "***"


# ---------------------------------------------------------------- sessions


async def test_borrowed_session_is_left_open(server: FakeZaloServer) -> None:
    async with aiohttp.ClientSession() as session:
        zalo = ZaloClient(TOKEN, base_url=server.url, session=session)
        await zalo.get_me()
        await zalo.close()
        assert not session.closed


async def test_requires_a_token() -> None:
    with pytest.raises(ValueError):
        ZaloClient("")


# ---------------------------------------------------------------- webhook parsing

RAW_UPDATE: dict[str, Any] = {
    "event_name": "message.text.received",
    "message": {
        "message_id": "16f6366b3f02645a3d15",
        "date": 1766619597466,
        "text": "Xin chào",
        "chat": {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"},
        "from": {"id": "e4ea2cd5189df1c3a88c", "display_name": "Nguyen Van A", "is_bot": False},
    },
}


def test_parse_webhook_body_raw_and_wrapped() -> None:
    raw = parse_webhook_body(RAW_UPDATE)
    wrapped = parse_webhook_body({"ok": True, "result": RAW_UPDATE})
    assert raw == wrapped
    assert raw.message.date == datetime(2025, 12, 24, 23, 39, 57, 466000, tzinfo=UTC)
    assert raw.dedup_key == "message.text.received:16f6366b3f02645a3d15"
    assert hash(raw) == hash(wrapped)


def test_parse_update_is_lenient_about_optional_fields() -> None:
    """The sample in Zalo's docs has no event_name and says first_name."""
    message = {
        **RAW_UPDATE["message"],
        "chat": {"id": "e4ea2cd5189df1c3a88c"},
        "from": {"id": "e4ea2cd5189df1c3a88c", "first_name": "Nguyen Van A"},
    }
    update = parse_update({"message": message})
    assert update.event_name == "message.text.received"
    assert update.message.display_name == "Nguyen Van A"
    assert update.message.chat_type == "PRIVATE"
    assert update.message.is_bot is False


@pytest.mark.parametrize(
    ("photo", "url"),
    [
        ("https://p/1.jpg", "https://p/1.jpg"),
        ({"url": "https://p/2.jpg"}, "https://p/2.jpg"),
        ([{"src": "https://p/s.jpg"}, "https://p/big.jpg"], "https://p/big.jpg"),
        ([], None),
    ],
)
def test_photo_shapes(photo: Any, url: str | None) -> None:
    message = {k: v for k, v in RAW_UPDATE["message"].items() if k != "text"}
    update = parse_update({"message": {**message, "photo": photo}})
    assert update.event_name == "message.image.received"
    assert update.message.photo_url == url


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ok": False, "result": RAW_UPDATE},
        {"ok": True, "result": "x"},
        {"event_name": "message.text.received", "message": "x"},
        {"message": {**RAW_UPDATE["message"], "chat": None}},
        {"message": {k: v for k, v in RAW_UPDATE["message"].items() if k != "message_id"}},
        {"message": {**RAW_UPDATE["message"], "date": "soon"}},
    ],
)
def test_invalid_webhook_bodies(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidZaloUpdate):
        parse_webhook_body(body)


def test_the_webhook_secret_is_compared_exactly() -> None:
    assert secret_matches("secret-123", "secret-123")
    assert not secret_matches("secret-124", "secret-123")
    assert not secret_matches(None, "secret-123")
    assert not secret_matches("", "")
    assert secret_matches("mật-khẩu-dài", "mật-khẩu-dài")


# ---------------------------------------------------------------- split_text


def test_split_text_examples() -> None:
    assert split_text("") == []
    assert split_text("\n\n") == []
    assert split_text("\nvừa đủ\n", limit=8) == ["\nvừa đủ\n"]
    assert split_text("\nvừa đủ\n", limit=7) == ["vừa đủ"]
    assert split_text("a\n\n\nb", limit=2) == ["a", "b"]
    assert split_text("ngắn") == ["ngắn"]
    assert split_text("a\nb\nc", limit=3) == ["a\nb", "c"]
    assert split_text("abcdefg", limit=3) == ["abc", "def", "g"]
    assert split_text("ab\n" + "x" * 7 + "\ncd", limit=3) == ["ab", "xxx", "xxx", "x", "cd"]
    assert split_text("x" * 2000) == ["x" * 2000]
    assert split_text("x" * 2001) == ["x" * 2000, "x"]
    with pytest.raises(ValueError):
        split_text("x", limit=0)


def test_split_text_realistic_report() -> None:
    lines = [f"{i}. Sở ban ngành {i}: đang thực hiện trong hạn, đạt {i % 100}%" for i in range(200)]
    chunks = split_text("\n".join(lines))
    assert len(chunks) > 1
    assert all(len(c) <= 2000 for c in chunks)
    assert "\n".join(chunks).split("\n") == lines  # whole lines, none broken


def _separators(text: str, chunks: list[str]) -> list[str] | None:
    """The newline runs around and between ``chunks`` if they rebuild ``text``, else None."""
    pattern = "(\n*)" + "(\n*)".join(re.escape(c) for c in chunks) + "(\n*)"
    match = re.fullmatch(pattern, text)
    return list(match.groups()) if match else None


texts = st.text(alphabet=st.sampled_from("ab đ😀\n"), max_size=300)


@given(text=texts, limit=st.integers(min_value=1, max_value=40))
def test_split_text_properties(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(0 < len(chunk) <= limit for chunk in chunks)
    # Content is preserved: only newlines at chunk boundaries may be dropped.
    assert _separators(text, chunks) is not None
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")
    if not text.strip("\n"):
        assert chunks == []
    elif len(text) <= limit:
        assert chunks == [text]
    else:
        assert not any(c.startswith("\n") or c.endswith("\n") for c in chunks)


@given(text=texts, limit=st.integers(min_value=1, max_value=40))
def test_split_text_keeps_lines_whole_when_they_fit(text: str, limit: int) -> None:
    lines = text.split("\n")
    if max(len(line) for line in lines) > limit:
        return
    rebuilt = "\n".join(split_text(text, limit)).split("\n")
    assert [line for line in rebuilt if line] == [line for line in lines if line]

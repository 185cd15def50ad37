"""The fake Telegram Bot API, driven by the real python-telegram-bot ``Bot``/``Application``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fakes.telegram_api import FakeTelegramServer, parse_html

USER = 1001
KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Hoàn thành", callback_data="done:T1")]],
)


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta attributes (no deprecation warnings, future-proof)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as fake:
        yield fake


def make_bot(server: FakeTelegramServer, read_timeout: float = 5.0) -> Bot:
    return Bot(
        server.token,
        base_url=f"{server.url}/bot",
        base_file_url=f"{server.url}/file/bot",
        request=HTTPXRequest(read_timeout=read_timeout),
    )


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as real_bot:
        yield real_bot


# ---------------------------------------------------------------- basics


async def test_get_me_parses(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "dondoc_test_bot"
    assert me.is_bot
    assert me.id == 123456


async def test_wrong_token_is_invalid_token(server: FakeTelegramServer) -> None:
    bot = Bot("999:WRONG", base_url=f"{server.url}/bot")
    with pytest.raises(InvalidToken):
        await bot.initialize()
    await bot.shutdown()


async def test_raw_error_bodies_are_telegram_shaped(server: FakeTelegramServer) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.url}/bot1:nope/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{server.url}/bot{server.token}/noSuchMethod") as response:
            assert response.status == 404
            body = await response.json()
            assert body["ok"] is False
            assert body["error_code"] == 404


async def test_json_get_and_string_encodings_are_accepted(server: FakeTelegramServer) -> None:
    base = f"{server.url}/bot{server.token}"
    markup = '{"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}'
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/getMe") as response:
            assert (await response.json())["result"]["username"] == "dondoc_test_bot"
        payload = {"chat_id": "42", "text": "123", "reply_markup": markup}
        async with http.post(f"{base}/sendMessage", json=payload) as response:
            result = (await response.json())["result"]
    assert result["chat"] == {"id": 42, "type": "private", "first_name": "Người dùng 42"}
    assert result["text"] == "123"
    assert result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok"
    assert server.sent_messages(42)[0].text == "123"
    async with aiohttp.ClientSession() as http:
        for bad in ({"chat_id": 1, "text": "x", "reply_markup": "{"}, {"offset": "soon"}):
            method = "getUpdates" if "offset" in bad else "sendMessage"
            async with http.post(f"{base}/{method}", json=bad) as response:
                assert response.status == 400
                assert (await response.json())["description"].startswith("Bad Request: invalid")


# ---------------------------------------------------------------- getUpdates


async def test_get_updates_returns_pushed_messages_and_offset_confirms(
    server: FakeTelegramServer, bot: Bot
) -> None:
    first = server.push_text(USER, "xin chào", first_name="Lan")
    server.push_command(USER, "start")
    server.push_text(USER, "báo cáo", chat_id=-1001234, chat_type="supergroup")

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, first + 1, first + 2]
    hello = updates[0].message
    assert hello is not None
    assert hello.text == "xin chào"
    assert hello.from_user is not None and hello.from_user.first_name == "Lan"
    assert hello.from_user.language_code == "vi"
    assert hello.chat.type == "private" and hello.chat.id == USER
    assert hello.date.tzinfo is not None
    assert abs(hello.date.timestamp() - time.time()) < 5
    command = updates[1].message
    assert command is not None and command.text == "/start"
    assert command.entities[0].type == "bot_command"
    group = updates[2].message
    assert group is not None and group.chat.type == "supergroup" and group.chat.id == -1001234

    assert server.pending_updates() == 3  # nothing confirmed yet
    assert await bot.get_updates(offset=first + 2) != []
    assert server.pending_updates() == 1
    assert await bot.get_updates(offset=first + 3) == ()
    assert server.pending_updates() == 0
    assert server.confirmed_offset == first + 3


async def test_get_updates_limit_and_negative_offset(server: FakeTelegramServer, bot: Bot) -> None:
    ids = [server.push_text(USER, f"m{i}") for i in range(5)]
    assert len(await bot.get_updates(limit=2)) == 2
    last = await bot.get_updates(offset=-1)
    assert [u.update_id for u in last] == [ids[-1]]
    assert server.pending_updates() == 1


async def test_long_poll_waits_for_an_update(server: FakeTelegramServer, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await server.wait_for_call("getUpdates")
    assert not poll.done()
    update_id = server.push_text(USER, "đến rồi")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [update_id]
    assert time.monotonic() - started < 2


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.2)) == ()
    assert 0.15 < time.monotonic() - started < 2


async def test_newer_get_updates_terminates_older(server: FakeTelegramServer, bot: Bot) -> None:
    """As on Telegram, a second bot instance polling kicks out the first one."""
    older = asyncio.create_task(bot.get_updates(timeout=10))
    await server.wait_for_call("getUpdates")
    async with make_bot(server) as second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
        await asyncio.wait_for(older, 2)


async def test_stop_releases_a_pending_long_poll(server: FakeTelegramServer) -> None:
    async with make_bot(server) as own_bot:
        poll = asyncio.create_task(own_bot.get_updates(timeout=30))
        await server.wait_for_call("getUpdates")
        started = time.monotonic()
        await server.stop()
        assert await asyncio.wait_for(poll, 3) == ()
        assert time.monotonic() - started < 3


async def test_webhook_excludes_polling(server: FakeTelegramServer, bot: Bot) -> None:
    assert await bot.set_webhook("https://dondoc.example/tg", secret_token="s3cret_Token")
    info = await bot.get_webhook_info()
    assert info.url == "https://dondoc.example/tg"
    assert server.webhook_secret == "s3cret_Token"
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    server.push_text(USER, "x")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()
    with pytest.raises(BadRequest, match=r"(?i)HTTPS URL"):
        await bot.set_webhook("http://dondoc.example/tg")
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("https://dondoc.example/tg", secret_token="có dấu")


# ---------------------------------------------------------------- sending


async def test_send_message_with_inline_keyboard(server: FakeTelegramServer, bot: Bot) -> None:
    message = await bot.send_message(USER, "Nhiệm vụ T1 đến hạn", reply_markup=KEYBOARD)
    assert message.text == "Nhiệm vụ T1 đến hạn"
    assert message.reply_markup == KEYBOARD
    assert message.from_user is not None and message.from_user.username == "dondoc_test_bot"
    assert message.chat.id == USER

    [sent] = await server.wait_for_messages(USER, 1)
    assert sent.method == "sendMessage"
    assert sent.message_id == message.message_id
    assert sent.text == "Nhiệm vụ T1 đến hạn"
    assert sent.reply_markup == KEYBOARD.to_dict()
    assert not sent.is_edit


async def test_message_ids_are_per_chat_and_shared_with_users(
    server: FakeTelegramServer, bot: Bot
) -> None:
    server.push_text(USER, "một")
    reply = await bot.send_message(USER, "hai")
    other = await bot.send_message(USER + 1, "khác")
    assert reply.message_id == 2
    assert other.message_id == 1


async def test_edits_are_recorded(server: FakeTelegramServer, bot: Bot) -> None:
    message = await bot.send_message(USER, "Chờ", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Đã xong", chat_id=USER, message_id=message.message_id)
    assert isinstance(edited, type(message))
    assert edited.text == "Đã xong"
    assert edited.edit_date is not None
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Đã xong", chat_id=USER, message_id=message.message_id)
    markup_only = await bot.edit_message_reply_markup(
        chat_id=USER, message_id=message.message_id, reply_markup=KEYBOARD
    )
    assert not isinstance(markup_only, bool) and markup_only.reply_markup == KEYBOARD
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)

    sent = server.sent_messages(USER)
    assert [m.method for m in sent] == ["sendMessage", "editMessageText", "editMessageReplyMarkup"]
    assert [m.is_edit for m in sent] == [False, True, True]
    assert sent[2].text == "Đã xong"


async def test_html_is_validated_and_stripped(server: FakeTelegramServer, bot: Bot) -> None:
    html = '<b>Hạn</b> &lt;15/12&gt; <a href="https://x.vn">văn bản</a>'
    message = await bot.send_message(USER, html, parse_mode=ParseMode.HTML)
    assert message.text == "Hạn <15/12> văn bản"
    assert server.sent_messages(USER)[0].text == html
    assert server.sent_messages(USER)[0].parse_mode == "HTML"
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "tiến độ < 50%", parse_mode=ParseMode.HTML)
    # Without a parse mode the same text is fine.
    assert (await bot.send_message(USER, "tiến độ < 50%")).text == "tiến độ < 50%"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>x", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("x<br>y", "Unsupported start tag"),
    ],
)
def test_parse_html_errors(text: str, error: str) -> None:
    with pytest.raises(Exception, match=error):
        parse_html(text)


async def test_text_checks(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(USER, "đ" * 4097)
    assert (await bot.send_message(USER, "đ" * 4096)).text is not None
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(USER, "😀" * 2049)  # 4098 UTF-16 code units
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await bot.send_message(USER, "  ")
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=long_data)


async def test_send_chat_action_and_commands(server: FakeTelegramServer, bot: Bot) -> None:
    assert await bot.send_chat_action(USER, "typing")
    commands = [BotCommand("baocao", "Báo cáo tiến độ"), BotCommand("start", "Bắt đầu")]
    scope = BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands(commands, scope=scope, language_code="vi")
    assert await bot.get_my_commands(scope=scope, language_code="vi") == tuple(commands)
    assert await bot.get_my_commands() == ()
    assert server.commands(scope.to_dict(), "vi")[0] == {
        "command": "baocao",
        "description": "Báo cáo tiến độ",
    }
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bao-Cao", "x")])
    assert await bot.delete_my_commands(scope=scope, language_code="vi")
    assert server.commands(scope.to_dict(), "vi") == []


async def test_callback_queries(server: FakeTelegramServer, bot: Bot) -> None:
    message = await bot.send_message(USER, "Chọn", reply_markup=KEYBOARD)
    server.push_callback(USER, "done:T1", message.message_id)
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.data == "done:T1"
    assert query.from_user.id == USER
    assert query.message is not None and query.message.message_id == message.message_id
    assert await query.answer("Đã ghi nhận")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("nope")


# ---------------------------------------------------------------- files


async def test_send_document_upload_and_download(server: FakeTelegramServer, bot: Bot) -> None:
    content = "Báo cáo tiến độ\n".encode() * 100
    message = await bot.send_document(
        USER, content, filename="bao-cao.txt", caption="<i>Tháng 12</i>", parse_mode="HTML"
    )
    assert message.document is not None
    assert message.document.file_name == "bao-cao.txt"
    assert message.document.mime_type == "text/plain"
    assert message.document.file_size == len(content)
    assert message.caption == "Tháng 12"
    [upload] = server.calls_to("sendDocument")
    assert upload["chat_id"] == USER  # multipart form fields are decoded too
    assert server.sent_messages(USER)[0].text == "<i>Tháng 12</i>"

    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content
    # A known file_id can be sent again without uploading.
    again = await bot.send_document(USER + 1, message.document.file_id)
    assert again.document is not None and again.document.file_id == message.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(USER, "no-such-file-id")


async def test_send_photo(server: FakeTelegramServer, bot: Bot) -> None:
    message = await bot.send_photo(USER, b"\x89PNG fake", caption="Ảnh hiện trường")
    assert message.photo and message.photo[-1].file_size == 9
    assert message.caption == "Ảnh hiện trường"
    assert server.sent_messages(USER)[0].method == "sendPhoto"


async def test_user_documents_and_photos(server: FakeTelegramServer, bot: Bot) -> None:
    server.push_document(
        USER, "ke-hoach.pdf", "application/pdf", caption="KH 2026", content=b"%PDF"
    )
    server.push_document(USER, "lon.zip", "application/zip", file_size=25 * 1024 * 1024)
    server.push_photo(USER, caption="ảnh", file_size=2048)
    small, big, photo = [u.message for u in await bot.get_updates()]
    assert small is not None and small.document is not None
    assert small.document.file_name == "ke-hoach.pdf"
    assert small.document.mime_type == "application/pdf"
    assert small.caption == "KH 2026"
    downloaded = await (await bot.get_file(small.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF"
    assert big is not None and big.document is not None
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(big.document.file_id)
    assert photo is not None and photo.photo
    photo_file = await bot.get_file(photo.photo[-1].file_id)
    assert len(await photo_file.download_as_bytearray()) == 2048


# ---------------------------------------------------------------- faults


async def test_429_maps_to_retry_after(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert (await bot.send_message(USER, "x")).text == "x"  # times=1
    assert server.stats.faults_injected == 1


async def test_fault_error_bodies_are_exact(server: FakeTelegramServer) -> None:
    server.fail("sendMessage", status=429, retry_after=3)
    url = f"{server.url}/bot{server.token}/sendMessage"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"chat_id": 1, "text": "x"}) as response,
    ):
        assert response.status == 429
        assert await response.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        }


@pytest.mark.parametrize(
    ("status", "exception", "message"),
    [
        (403, Forbidden, "bot was blocked by the user"),
        (400, BadRequest, "chat not found"),
        (500, NetworkError, "Internal Server Error"),
        (502, NetworkError, "Bad Gateway"),
    ],
)
async def test_error_statuses_map_to_ptb_exceptions(
    server: FakeTelegramServer,
    bot: Bot,
    status: int,
    exception: type[Exception],
    message: str,
) -> None:
    server.fail("sendMessage", status=status)
    with pytest.raises(exception, match=rf"(?i){message}") as caught:
        await bot.send_message(USER, "x")
    if status >= 500:
        assert not isinstance(caught.value, BadRequest)
    assert server.sent_messages() == []


async def test_fault_for_one_chat_only_and_until_cleared(
    server: FakeTelegramServer, bot: Bot
) -> None:
    server.fail("sendMessage", status=403, chat_id=USER, times=None)
    for _ in range(3):
        with pytest.raises(Forbidden):
            await bot.send_message(USER, "x")
    assert (await bot.send_message(USER + 1, "y")).text == "y"
    server.clear_faults()
    assert (await bot.send_message(USER, "z")).text == "z"


async def test_hang_times_out(server: FakeTelegramServer) -> None:
    server.fail("sendMessage", "hang")
    async with make_bot(server, read_timeout=0.2) as slow_bot:
        with pytest.raises(TimedOut):
            await slow_bot.send_message(USER, "x")
    assert server.sent_messages() == []


async def test_hang_for_delivers_after_client_timed_out(server: FakeTelegramServer) -> None:
    """The ambiguous case: the client sees TimedOut, yet the message is delivered."""
    server.fail("sendMessage", "hang", hang_for=0.3)
    async with make_bot(server, read_timeout=0.1) as slow_bot:
        with pytest.raises(TimedOut):
            await slow_bot.send_message(USER, "có thể đã gửi")
        [sent] = await server.wait_for_messages(USER, 1, timeout=2)
    assert sent.text == "có thể đã gửi"


async def test_wait_for_messages_times_out_with_a_clear_message(
    server: FakeTelegramServer,
) -> None:
    with pytest.raises(TimeoutError, match="expected 1 messages to chat 5, got 0"):
        await server.wait_for_messages(5, 1, timeout=0.05)


# ---------------------------------------------------------------- flood limits


async def test_per_chat_limit() -> None:
    async with FakeTelegramServer(enforce_limits=True) as limited, make_bot(limited) as bot:
        await bot.send_message(USER, "1")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(USER, "2")
        assert caught.value.retry_after == dtm.timedelta(seconds=1)
        await bot.send_message(USER + 1, "other chat is fine")
        assert limited.stats.rate_limited == limited.stats.rate_limited_chat == 1
        assert limited.stats.messages_sent == 2


async def test_group_limit() -> None:
    async with (
        FakeTelegramServer(enforce_limits=True, per_group_per_minute=3) as limited,
        make_bot(limited) as bot,
    ):
        for i in range(3):
            await bot.send_message(-100500, str(i))
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(-100500, "4")
        retry_after = caught.value.retry_after
        assert isinstance(retry_after, dtm.timedelta)
        assert 50 <= retry_after.total_seconds() <= 60
        assert limited.stats.rate_limited_group == 1


async def test_global_limit() -> None:
    async with (
        FakeTelegramServer(enforce_limits=True, global_rate=5) as limited,
        make_bot(limited) as bot,
    ):
        for chat in range(1, 6):
            await bot.send_message(chat, "x")
        with pytest.raises(RetryAfter):
            await bot.send_message(6, "x")
        assert limited.stats.rate_limited_global == 1
        # The refused send was not delivered.
        assert len(limited.sent_messages()) == 5


# ---------------------------------------------------------------- webhook delivery


async def test_deliver_webhook_sends_secret_header(server: FakeTelegramServer) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((secret, await request.json()))
        return web.Response(status=200 if secret == "s3cret" else 403)

    app = web.Application()
    app.router.add_post("/tg", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/tg"
    try:
        update = {"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
        assert await server.deliver_webhook(url, update, secret_token="s3cret") == 200
        assert await server.deliver_webhook(url, {"update_id": 77}, secret_token="wrong") == 403
    finally:
        await runner.cleanup()
    assert received[0][0] == "s3cret"
    assert isinstance(received[0][1]["update_id"], int)
    assert Update.de_json(received[0][1], None).message is not None
    assert received[1] == ("wrong", {"update_id": 77})


# ---------------------------------------------------------------- a real Application


async def test_application_end_to_end(server: FakeTelegramServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Chào đồng chí", reply_markup=KEYBOARD)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"Đã chọn {query.data}")

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.document is not None
        file = await message.document.get_file()
        data = await file.download_as_bytearray()
        await message.reply_text(f"Đã nhận {len(data)} byte")

    app: Application = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(f"{server.url}/bot")
        .base_file_url(f"{server.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.Document.ALL, document))

    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=5))

        server.push_command(USER, "start")
        [greeting] = await server.wait_for_messages(USER, 1)
        assert greeting.text == "Chào đồng chí"
        assert greeting.reply_markup == KEYBOARD.to_dict()

        server.push_callback(USER, "done:T1", greeting.message_id)
        sent = await server.wait_for_messages(USER, 2)
        assert sent[1].is_edit and sent[1].text == "Đã chọn done:T1"
        assert len(server.calls_to("answerCallbackQuery")) == 1

        server.push_document(USER, "bc.docx", "application/msword", content=b"x" * 1234)
        sent = await server.wait_for_messages(USER, 3)
        assert sent[2].text == "Đã nhận 1234 byte"

        server.push_command(USER, "start@dondoc_test_bot", chat_id=-100777, chat_type="supergroup")
        [group_reply] = await server.wait_for_messages(-100777, 1)
        assert group_reply.text == "Chào đồng chí"

        await app.updater.stop()
        await app.stop()
    assert server.pending_updates() == 0

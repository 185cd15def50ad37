"""Rules: which Zalo events reach the handlers, and how the outbox sender reports failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.zalo.client import ZaloClient, parse_update
from bot.channels.zalo.convert import Courtesy, to_incoming
from bot.channels.zalo.render import ZaloRenderer
from bot.channels.zalo.sender import ZaloSender
from bot.context import AppContext
from bot.messages import Attachment, Button, Document, IncomingMessage, Reply
from bot.sending import (
    SendAmbiguous,
    SendBlocked,
    SendError,
    SendRateLimited,
    SendRejected,
    SendTemporaryError,
)
from tests.fakes.zalo_api import FakeZaloServer


def _update(event: str, chat_type: str = "PRIVATE", is_bot: bool = False, **fields: Any) -> Any:
    return parse_update(
        {
            "event_name": event,
            "message": {
                "message_id": "m-1",
                "date": 1765159200000,
                "chat": {"id": "chat-1", "chat_type": chat_type},
                "from": {"id": "user-1", "display_name": "Nguyễn Thị Lan", "is_bot": is_bot},
                **fields,
            },
        }
    )


def test_a_private_text_reaches_the_handlers() -> None:
    message = to_incoming(_update("message.text.received", text="baocao"))
    assert isinstance(message, IncomingMessage)
    assert (message.channel, message.user_id, message.chat_id) == ("zalo", "user-1", "chat-1")
    assert message.update_key == "message.text.received:m-1"
    assert message.text == "baocao" and message.chat_type == "private"
    assert message.display_name == "Nguyễn Thị Lan"


def test_an_image_becomes_a_photo_attachment_with_its_caption_as_text() -> None:
    url = "https://photo-stal.zadn.vn/anh.jpg"
    message = to_incoming(_update("message.image.received", photo=url, caption="biên bản"))
    assert isinstance(message, IncomingMessage)
    assert message.attachment == Attachment(kind="photo", url=url)
    assert message.text == "biên bản"


def test_stickers_groups_and_bots() -> None:
    sticker = to_incoming(_update("message.sticker.received", sticker="s1"))
    assert sticker == Courtesy("chat-1", "zalo.unsupported")
    voice = to_incoming(_update("message.unsupported.received"))
    assert voice == Courtesy("chat-1", "zalo.unsupported")
    command_in_group = to_incoming(_update("message.text.received", "GROUP", text="/baocao"))
    assert command_in_group == Courtesy("chat-1", "zalo.group")
    assert to_incoming(_update("message.text.received", "GROUP", text="chào cả nhà")) is None
    assert to_incoming(_update("message.text.received", is_bot=True, text="/start")) is None


@pytest.fixture
async def sender(
    ctx: AppContext, server: FakeZaloServer
) -> AsyncIterator[tuple[ZaloSender, FakeZaloServer]]:
    async with ZaloClient(server.token, base_url=server.url, timeout=0.3, max_retries=0) as client:
        yield ZaloSender(client, ZaloRenderer(ctx)), server


async def _failure(sender: ZaloSender, chat: str = "chat-1") -> SendError:
    with pytest.raises(SendError) as raised:
        await sender.send(chat, [Reply("Nhắc việc")])
    return raised.value


async def test_sender_maps_zalo_failures_to_typed_send_errors(
    sender: tuple[ZaloSender, FakeZaloServer],
) -> None:
    zalo, server = sender
    server.fail("sendMessage", 403)
    assert isinstance(await _failure(zalo), SendBlocked)
    server.fail("sendMessage", 400)
    assert isinstance(await _failure(zalo), SendRejected)
    server.fail("sendMessage", 429, retry_after=7)
    limited = await _failure(zalo)
    assert isinstance(limited, SendRateLimited) and limited.retry_after == 7
    server.fail("sendMessage", 503)
    assert isinstance(await _failure(zalo), SendTemporaryError)
    server.fail("sendMessage", "hang", hang_for=2)
    assert isinstance(await _failure(zalo), SendAmbiguous)
    assert isinstance(await _failure(zalo, chat=""), SendRejected)
    result = await zalo.send("chat-1", [Reply("Nhắc việc")])
    assert result.message_id == server.sent_messages("chat-1")[-1].message_id


async def test_connection_refused_is_a_temporary_error(ctx: AppContext) -> None:
    async with ZaloClient("1:x", base_url="http://127.0.0.1:9", max_retries=0) as client:
        with pytest.raises(SendTemporaryError):
            await ZaloSender(client, ZaloRenderer(ctx)).send("chat-1", [Reply("x")])


async def test_long_texts_are_split_on_lines_and_buttons_are_not_rendered(
    sender: tuple[ZaloSender, FakeZaloServer],
) -> None:
    zalo, server = sender
    lines = [f"{i}. Sở ban ngành {i}: đang thực hiện trong hạn" for i in range(120)]
    reply = Reply("\n".join(lines), buttons=[[Button("Báo cáo", "rp:NV-01")]])
    await zalo.send("chat-1", [reply])
    sent = [m.text or "" for m in server.sent_messages("chat-1")]
    assert len(sent) > 1 and all(len(text) <= 2000 for text in sent)
    assert "\n".join(sent).split("\n") == lines


async def test_photos_need_a_public_url_and_documents_become_a_dashboard_line(
    sender: tuple[ZaloSender, FakeZaloServer],
) -> None:
    zalo, server = sender
    chart = Document(name="bieu-do.png", mime="image/png", content=b"\x89PNG chart")
    report = Document(name="bao-cao.xlsx", mime="application/vnd.ms-excel", content=b"PK")
    result = await zalo.send("chat-1", [Reply("Biểu đồ tuần", photo=chart)])
    assert result.message_id is None and server.sent_messages() == []
    await zalo.send("chat-1", [Reply("Báo cáo tình hình", document=report)])
    [notice] = server.sent_messages("chat-1")
    assert notice.text == (
        "Báo cáo tình hình\n\nZalo không gửi được tệp đính kèm (bao-cao.xlsx). Báo cáo Excel "
        "có trên bảng điều khiển Dondoc (gửi dangnhap để nhận đường dẫn đăng nhập)."
    )

"""The web chat channel over its real WebSocket: the same handlers as Telegram and Zalo."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from bot.messages import Button, Document, Reply
from bot.models import ChannelIdentity, ExplanationRequest, Official, Report, Task, WebMessage
from bot.sending import SendRejected
from bot.services import invites
from bot.services.explanations import request_explanation
from bot.web.chat import CHAT_COOKIE
from tests.web.conftest import Web, World

Frame = dict[str, Any]


class ChatClient:
    """One browser tab: the page (for its cookie) and its WebSocket."""

    def __init__(self, web: Web, ws: ClientWebSocketResponse) -> None:
        self.web = web
        self.ws = ws
        self.history: list[Frame] = []
        self.messages: list[Frame] = []
        self.edits: list[Frame] = []
        self._seq = 0

    @classmethod
    async def open(cls, web: Web) -> ChatClient:
        page = await web.client.get("/chat")
        assert page.status == 200
        ws = await web.client.ws_connect("/chat/ws")
        client = cls(web, ws)
        first = await client.next_frame()
        assert first["type"] == "history"
        client.history = first["messages"]
        return client

    async def next_frame(self) -> Frame:
        raw = await asyncio.wait_for(self.ws.receive_str(), 5)
        frame: Frame = json.loads(raw)
        if frame["type"] == "message":
            self.messages.append(frame["message"])
        elif frame["type"] == "edit":
            self.edits.append(frame["message"])
        return frame

    async def until(self, done: Callable[[], bool]) -> None:
        while not done():
            await self.next_frame()

    def out(self) -> list[Frame]:
        return [m for m in self.messages if m["direction"] == "out"]

    async def send_frame(self, frame: Frame) -> None:
        """Send and wait for its ack and for at least one new bot message or edit."""
        before = len(self.out()) + len(self.edits)
        await self.ws.send_str(json.dumps(frame))
        acked = False
        while not acked or len(self.out()) + len(self.edits) == before:
            got = await self.next_frame()
            if got.get("id") == frame["id"] and got["type"] in ("ack", "error"):
                acked = True
                assert got["type"] == "ack", got

    def new_id(self) -> str:
        self._seq += 1
        return f"c{self._seq}"

    async def say(self, text: str) -> Frame:
        """Send a text; the bot's last new message as the page shows it (after edits)."""
        before = len(self.out())
        await self.send_frame({"type": "message", "id": self.new_id(), "text": text})
        await self.until(lambda: len(self.out()) > before)
        return self.latest(self.out()[-1]["id"])

    async def press(self, message: Frame, label_start: str) -> None:
        data = next(
            b["data"]
            for row in message["buttons"]
            for b in row
            if b["label"].startswith(label_start)
        )
        await self.send_frame(
            {"type": "button", "id": self.new_id(), "data": data, "origin": message["id"]}
        )

    def latest(self, message_id: int) -> Frame:
        """A message as the page shows it now (after any edits)."""
        for item in [*reversed(self.edits), *reversed(self.messages)]:
            if item["id"] == message_id:
                return item
        raise AssertionError(f"no message {message_id}")


async def invite(web: Web, code: str) -> str:
    async with web.ctx.db.session() as session:
        official = await session.scalar(select(Official).where(Official.code == code))
        assert official is not None
        return await invites.create_invite(session, web.ctx, official=official)


async def register(web: Web, code: str) -> ChatClient:
    chat = await ChatClient.open(web)
    reply = await chat.say(f"/start {await invite(web, code)}")
    assert "Đã liên kết tài khoản" in reply["text"]
    return chat


async def test_the_page_gives_the_browser_an_httponly_cookie(web: Web) -> None:
    response = await web.client.get("/chat")
    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    assert CHAT_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert 'id="composer"' in await response.text()


async def test_an_unregistered_browser_is_told_how_to_register(web: Web, world: World) -> None:
    chat = await ChatClient.open(web)
    reply = await chat.say("xin chào")
    assert "/start <mã mời>" in reply["text"] and "đồng chí" in reply["text"]
    assert [m["text"] for m in chat.messages if m["direction"] == "in"] == []


async def test_registration_with_an_invite_code_links_a_hashed_chat_id(
    web: Web, world: World
) -> None:
    chat = await register(web, "CV-STC-01")
    token = next(c.value for c in web.client.session.cookie_jar if c.key == CHAT_COOKIE)
    async with web.ctx.db.session() as session:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.channel == "web")
        )
    assert identity is not None and identity.official_id == world.officials["CV-STC-01"].id
    assert identity.chat_id == identity.external_user_id != token
    reply = await chat.say("/trogiup")
    assert "/baocao" in reply["text"] and "/dangnhap" in reply["text"]


async def test_a_report_by_button_presses_is_saved_once(web: Web, world: World) -> None:
    chat = await register(web, "CV-STC-01")
    tasks = await chat.say("/baocao")
    assert tasks["buttons"]
    await chat.press(tasks, "NQ-01")
    progress = chat.out()[-1]
    await chat.press(progress, "75%")
    note_step = chat.latest(progress["id"])  # the progress message was edited into the next step
    assert note_step["buttons"]
    await chat.press(note_step, "Bỏ qua")
    advice_step = chat.latest(progress["id"])
    await chat.press(advice_step, "Không có kiến nghị")
    file_step = chat.latest(progress["id"])
    await chat.press(file_step, "Bỏ qua")
    confirm = chat.latest(progress["id"])
    await chat.press(confirm, "Xác nhận")
    async with web.ctx.db.session() as session:
        reports = list(await session.scalars(select(Report).where(Report.channel == "web")))
    assert [(r.progress, r.task_id) for r in reports] == [(75, world.tasks["NQ-01"].id)]


async def test_a_resent_message_changes_nothing(web: Web, world: World) -> None:
    chat = await register(web, "CV-STC-01")
    frame = {"type": "message", "id": "same-id", "text": "/baocao NQ-01 60 Đã gửi dự thảo"}
    await chat.send_frame(frame)
    await chat.ws.send_str(json.dumps(frame))
    resent_ack = None
    while resent_ack is None:
        frame_in = await chat.next_frame()
        resent_ack = frame_in if frame_in.get("type") == "ack" else None
    async with web.ctx.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Report))
        stored = await session.scalar(
            select(func.count()).select_from(WebMessage).where(WebMessage.client_id == "same-id")
        )
    assert count == 2  # the fixture's report and this one
    assert stored == 1


async def test_malformed_frames_get_an_error_and_the_chat_goes_on(web: Web, world: World) -> None:
    chat = await ChatClient.open(web)
    await chat.ws.send_str("not json")
    assert (await chat.next_frame())["reason"] == "bad_json"
    for frame in (
        {"type": "message", "id": "bad id!", "text": "x"},
        {"type": "message", "id": "ok1", "text": ""},
        {"type": "button", "id": "ok2", "data": 5},
        {"type": "button", "id": "ok3", "data": "rp:NQ-01", "origin": "12"},
        {"type": "unknown", "id": "ok4"},
    ):
        await chat.ws.send_str(json.dumps(frame))
        got = await chat.next_frame()
        assert got["type"] == "error" and got["reason"] == "bad_request"
    assert "/start" in (await chat.say("/trogiup"))["text"]


async def test_outbox_messages_arrive_live_and_wait_while_closed(web: Web, world: World) -> None:
    chat = await register(web, "GD-STC")
    async with web.ctx.db.session() as session:
        chat_id = await session.scalar(select(ChannelIdentity.chat_id))
    assert chat_id is not None
    sender = web.runtime.senders["web"]
    result = await sender.send(
        chat_id, [Reply("Nhắc việc: NQ-01 đến hạn 15/12/2025", [[Button("Báo cáo", "rp:NQ-01")]])]
    )
    assert result.message_id is not None
    await chat.until(lambda: any("Nhắc việc" in m["text"] for m in chat.messages))
    await chat.ws.close()
    await sender.send(chat_id, [Reply("Tổng hợp ngày 08/12/2025")])
    again = await ChatClient.open(web)
    texts = [m["text"] for m in again.history]
    assert texts[-2:] == ["Nhắc việc: NQ-01 đến hạn 15/12/2025", "Tổng hợp ngày 08/12/2025"]
    assert again.history[-2]["buttons"] == [[{"label": "Báo cáo", "data": "rp:NQ-01"}]]


async def test_sending_to_an_unknown_web_chat_is_rejected(web: Web) -> None:
    with pytest.raises(SendRejected):
        await web.runtime.senders["web"].send("no-such-chat", [Reply("x")])


async def test_documents_download_only_in_their_own_chat(web: Web, world: World) -> None:
    chat = await register(web, "LD-01")
    async with web.ctx.db.session() as session:
        chat_id = await session.scalar(select(ChannelIdentity.chat_id))
    assert chat_id is not None
    document = Document(
        name="báo-cáo tuần.xlsx", mime="application/vnd.ms-excel", content=b"PK\x03"
    )
    await web.runtime.senders["web"].send(chat_id, [Reply("Báo cáo tuần", document=document)])
    await chat.until(lambda: any(m.get("document") for m in chat.messages))
    url = next(m["document"]["url"] for m in chat.messages if m.get("document"))
    response = await web.client.get(url)
    assert response.status == 200
    assert await response.read() == b"PK\x03"
    assert "attachment" in response.headers["Content-Disposition"]
    web.client.session.cookie_jar.clear()
    await web.client.get("/chat")  # another browser
    assert (await web.client.get(url)).status == 404


async def test_a_websocket_from_another_site_is_refused(web: Web) -> None:
    await web.client.get("/chat")
    response = await web.client.get("/chat/ws", headers={"Origin": "https://evil.example"})
    assert response.status == 403


async def test_dangnhap_in_the_web_chat_gives_a_working_login_link(web: Web, world: World) -> None:
    chat = await register(web, "LD-01")
    reply = await chat.say("/dangnhap")
    assert "dùng một lần" in reply["text"]
    link = next(word for word in reply["text"].split() if "/login/" in word)
    path = link[link.index("/login/") :]
    response = await web.client.post(path)
    assert response.url.path == "/"
    assert "Tổng quan tiến độ nhiệm vụ" in await response.text()
    assert (await web.client.post(path, allow_redirects=False)).status == 410


async def test_an_unregistered_account_gets_no_login_link(web: Web, world: World) -> None:
    chat = await ChatClient.open(web)
    reply = await chat.say("/dangnhap")
    assert "/login/" not in reply["text"]
    assert "chưa được liên kết" in reply["text"]


async def test_a_unit_head_answers_an_explanation_request_in_the_web_chat(
    web: Web, world: World
) -> None:
    async with web.ctx.db.session() as session:
        leader = await session.get_one(Official, world.officials["LD-01"].id)
        task = await session.get_one(
            Task, world.tasks["NV-06"].id, options=[joinedload(Task.lead_unit)]
        )
        await request_explanation(
            session,
            web.ctx,
            official=leader,
            task=task,
            due_date=dt.date(2025, 12, 12),
            text="Giải trình việc chậm trình đề án",
            via="test",
        )
    chat = await register(web, "GD-SXD")
    before = len(chat.out())
    await chat.say("/giaitrinh")  # a header and one message per request, in that order
    await chat.until(lambda: len(chat.out()) == before + 2)
    header, listed = chat.out()[-2:]
    assert header["text"] == "YÊU CẦU GIẢI TRÌNH CHƯA TRẢ LỜI (1), hạn sớm nhất trước:"
    assert listed["text"].startswith("NV-06")
    await chat.press(listed, "Trả lời giải trình NV-06")
    assert chat.out()[-1]["text"].startswith("Giải trình nhiệm vụ NV-06")
    done = await chat.say("Chậm do chờ ý kiến thẩm định.")
    assert done["text"] == "Đã gửi nội dung giải trình nhiệm vụ NV-06 đến Lê Ngọc Châu."
    async with web.ctx.db.session() as session:
        answered = await session.scalar(select(ExplanationRequest))
    assert answered is not None and answered.answer == "Chậm do chờ ý kiến thẩm định."

"""Attaching a file in the web chat (POST /chat/upload) where the report asks for one: it is
kept, the report names it, the task page links it, and only readers of the task download it.
Refusals (too large, no file, wrong token, browser not linked) store nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import FormData
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.models import Report, Task, WebMessage
from bot.services.retention import prune_expired
from bot.web.chat import CHAT_COOKIE
from bot.web.chat_store import chat_csrf
from tests.web.conftest import Web, World, serve
from tests.web.test_chat import ChatClient, register

PDF = b"%PDF-1.4 du thao ke hoach\n" * 40


@pytest.fixture
async def small_web(ctx: AppContext) -> AsyncIterator[Web]:
    """The web component with a 1 KB upload limit."""
    settings = ctx.settings.model_copy(update={"web_chat_upload_max_bytes": 1024})
    async for harness in serve(AppContext(settings=settings, db=ctx.db, clock=ctx.clock)):
        yield harness


def chat_token(web: Web) -> str:
    cookie = next(c for c in web.client.session.cookie_jar if c.key == CHAT_COOKIE)
    return cookie.value


async def upload(
    web: Web,
    client_id: str,
    content: bytes | None = PDF,
    *,
    text: str = "",
    csrf: str | None = None,
    name: str = "du-thao-ke-hoach.pdf",
) -> tuple[int, list[dict[str, Any]]]:
    form = FormData(default_to_multipart=True)
    form.add_field("csrf", csrf if csrf is not None else chat_csrf(chat_token(web)))
    form.add_field("id", client_id)
    form.add_field("text", text)
    if content is not None:
        form.add_field("file", content, filename=name, content_type="application/pdf")
    response = await web.client.post("/chat/upload", data=form)
    if response.content_type != "application/json":
        return response.status, []
    return response.status, (await response.json())["frames"]


async def stored_uploads(web: Web) -> int:
    async with web.ctx.db.session() as session:
        rows = await session.scalars(select(WebMessage).where(WebMessage.direction == "in"))
        return sum(1 for row in rows if "document" in row.payload)


async def test_the_report_flow_takes_a_file_from_the_web_chat(web: Web, world: World) -> None:
    chat = await register(web, "CV-STC-01")
    await chat.say("/baocao NQ-01")
    await chat.say("60")
    advice = await chat.say("Đã hoàn thiện dự thảo")
    assert "kiến nghị" in advice["text"]
    asked = await chat.say("không")
    assert "Gửi tệp sản phẩm" in asked["text"]

    status, frames = await upload(web, "up-1")
    assert status == 200
    assert frames[-1] == {"type": "ack", "id": "up-1", "linked": "Nguyễn Thị Hoa"}
    # the answer comes over the socket, as every reply does
    await chat.until(lambda: any("du-thao-ke-hoach.pdf" in m["text"] for m in chat.out()))
    confirm = next(m for m in chat.out() if "du-thao-ke-hoach.pdf" in m["text"])
    await chat.until(lambda: any(m.get("client_id") == "up-1" for m in chat.messages))
    shown = next(m for m in chat.messages if m.get("client_id") == "up-1")
    own_copy = await web.client.get(shown["document"]["url"])
    assert await own_copy.read() == PDF  # the browser that sent it gets it back
    await chat.press(chat.latest(confirm["id"]), "Xác nhận")

    async with web.ctx.db.session() as session:
        report = await session.scalar(
            select(Report)
            .join(Task, Task.id == Report.task_id)
            .where(Task.code == "NQ-01", Report.channel == "web")
            .options(selectinload(Report.attachments))
        )
        assert report is not None and report.progress == 60
        (attachment,) = report.attachments
        assert attachment.name == "du-thao-ke-hoach.pdf" and attachment.size == len(PDF)
        assert attachment.mime == "application/pdf"
        url = attachment.url
    assert url is not None and url.startswith("/uploads/")

    await web.login("LD-01")
    page = await (await web.client.get("/tasks/NQ-01")).text()
    assert f'<a href="{url}">du-thao-ke-hoach.pdf</a>' in page
    download = await web.client.get(url)
    assert download.status == 200 and await download.read() == PDF
    assert "du-thao-ke-hoach.pdf" in download.headers["Content-Disposition"]

    await web.login("GD-SXD")  # a coordinating unit reads the task too
    assert (await web.client.get(url)).status == 200
    await web.client.post("/logout", data={"csrf": await web.csrf()})
    assert (await web.client.get(url)).status == 401


async def test_a_file_no_report_names_is_not_served(web: Web, world: World) -> None:
    chat = await register(web, "CV-STC-01")
    status, _ = await upload(web, "up-2")
    assert status == 200
    await chat.until(lambda: any(m.get("client_id") == "up-2" for m in chat.messages))
    row_id = next(m["id"] for m in chat.messages if m.get("client_id") == "up-2")
    await web.login("LD-01")
    assert (await web.client.get(f"/uploads/{row_id}")).status == 404
    assert (await web.client.get("/uploads/99999999999")).status == 404


async def test_a_file_over_the_limit_is_refused_and_not_kept(small_web: Web, world: World) -> None:
    await register(small_web, "CV-STC-01")
    status, frames = await upload(small_web, "big-1", b"x" * 1025)
    assert status == 413
    assert "Tệp quá lớn: tối đa 1 KB" in frames[0]["message"]["text"]
    assert frames[1] == {"type": "error", "id": "big-1", "reason": "chat.upload_too_large"}
    assert await stored_uploads(small_web) == 0
    status, _ = await upload(small_web, "ok-1", b"x" * 1024)
    assert status == 200 and await stored_uploads(small_web) == 1


async def test_refusals_store_nothing(web: Web, world: World) -> None:
    stranger = await ChatClient.open(web)
    status, frames = await upload(web, "s-1")
    assert status == 403
    assert "chưa được liên kết" in frames[0]["message"]["text"]
    await stranger.ws.close()
    await register(web, "CV-STC-01")
    status, frames = await upload(web, "s-2", content=None)
    assert status == 400 and "Chưa chọn tệp" in frames[0]["message"]["text"]
    status, frames = await upload(web, "s-3", b"")
    assert status == 400 and "Chưa chọn tệp" in frames[0]["message"]["text"]
    status, _ = await upload(web, "s-4", csrf="guess")
    assert status == 403
    assert (await web.client.post("/chat/upload", data={"id": "s-5"})).status == 400
    assert await stored_uploads(web) == 0


async def test_retention_keeps_a_file_a_report_names(web: Web, world: World) -> None:
    chat = await register(web, "CV-STC-01")
    await chat.say("/baocao NQ-01 70 Gửi kèm dự thảo")
    await upload(web, "keep-1", text="/baocao NQ-01 80 Bản cuối")
    await upload(web, "drop-1")
    async with web.ctx.db.session() as session:
        assert await session.scalar(
            select(func.count()).select_from(Report).where(Report.progress == 80)
        )
        # the browser is no longer linked, long after
        for row in await session.scalars(select(WebMessage)):
            row.created_at = row.created_at - dt.timedelta(days=400)
        await session.execute(
            WebMessage.__table__.update().values(chat_id="unlinked-" + WebMessage.chat_id)
        )
        await prune_expired(session, web.ctx)
        kept = list(await session.scalars(select(WebMessage)))
    assert [row.client_id for row in kept] == ["keep-1"]

"""The dashboard's doors under pressure: concurrent link redemptions, a reverse proxy in
front, and access logs that keep no secret."""

from __future__ import annotations

import asyncio
import logging
import string
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession, WSServerHandshakeError
from aiohttp.test_utils import unused_port
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import Runtime, web_component
from bot.context import AppContext
from bot.models import Official, WebSession
from bot.services import login_links
from bot.web.access_log import ACCESS_LOGGER, mask_url
from bot.web.chat import CHAT_COOKIE
from tests.web.conftest import Web, World, serve

PUBLIC = "https://dondoc.example.gov.vn"
UPSTREAM_HOST = "127.0.0.1:8080"


async def chat_cookie(web: Web) -> dict[str, str]:
    """The chat page's cookie as a header (it is Secure, so the test client over plain
    HTTP would not send it by itself)."""
    response = await web.client.get("/chat")
    return {"Cookie": f"{CHAT_COOKIE}={response.cookies[CHAT_COOKIE].value}"}


@pytest.fixture
async def proxied_web(ctx: AppContext) -> AsyncIterator[Web]:
    """The web app as deployed behind nginx at ``PUBLIC``."""
    settings = ctx.settings.model_copy(update={"public_base_url": PUBLIC})
    async for harness in serve(AppContext(settings=settings, db=ctx.db, clock=ctx.clock)):
        yield harness


async def test_a_login_link_redeemed_five_times_at_once_opens_one_session(
    web: Web, world: World
) -> None:
    token = await web.login_link("LD-01")
    responses = await asyncio.gather(
        *(web.client.post(f"/login/{token}", allow_redirects=False) for _ in range(5))
    )
    statuses = sorted(response.status for response in responses)
    assert statuses == [303, 410, 410, 410, 410]
    async with web.ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 1


async def test_behind_a_proxy_the_public_origin_is_our_own(proxied_web: Web, world: World) -> None:
    web = proxied_web
    proxied = {"Host": UPSTREAM_HOST, "Origin": PUBLIC}
    token = await web.login_link("LD-01")
    response = await web.client.post(f"/login/{token}", headers=proxied, allow_redirects=False)
    assert response.status == 303
    assert "Secure" in response.headers["Set-Cookie"]
    ws = await web.client.ws_connect("/chat/ws", headers={**proxied, **await chat_cookie(web)})
    assert (await ws.receive_json())["type"] == "history"
    await ws.close()


async def test_behind_a_proxy_a_foreign_origin_is_still_refused(
    proxied_web: Web, world: World
) -> None:
    web = proxied_web
    token = await web.login_link("LD-01")
    for origin in ("https://evil.example", "http://dondoc.example.gov.vn", f"{PUBLIC}:8443"):
        headers = {"Host": UPSTREAM_HOST, "Origin": origin}
        response = await web.client.post(f"/login/{token}", headers=headers, allow_redirects=False)
        assert response.status == 404, origin
    headers = {"Host": UPSTREAM_HOST, "Origin": "https://evil.example", **await chat_cookie(web)}
    with pytest.raises(WSServerHandshakeError, match="403"):
        await web.client.ws_connect("/chat/ws", headers=headers)


async def served_requests(ctx: AppContext, paths: list[str], **update: object) -> None:
    """Run the real web server (as ``dondoc run`` does) and request ``paths``."""
    port = unused_port()
    settings = ctx.settings.model_copy(update={"web_port": port, **update})
    runtime = Runtime(AppContext(settings=settings, db=ctx.db, clock=ctx.clock))
    web_component(runtime)
    await runtime.start()
    try:
        async with ClientSession() as client:
            for path in paths:
                async with client.get(f"http://127.0.0.1:{port}{path}") as response:
                    await response.read()
    finally:
        await runtime.stop()


async def test_access_log_lines_keep_no_secret(
    ctx: AppContext, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    async with ctx.db.session() as session:
        leader = await session.scalar(select(Official).where(Official.code == "LD-01"))
        assert leader is not None
        token = await login_links.create_login_link(session, ctx, leader, via="test")
    bot_token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    await served_requests(
        ctx,
        [
            f"/login/{token}",
            "/media/Zk3pQ9sXvB7wE2rT.png",
            f"/telegram/{bot_token}/webhook",
            "/login/demo?token=s3cr3t-value&lang=vi",
            "/healthz",
        ],
    )
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    logged = "\n".join(lines)
    assert len(lines) == 5
    for secret in (token, "Zk3pQ9sXvB7wE2rT", bot_token, "s3cr3t-value"):
        assert secret not in logged
    assert '"GET /login/*** HTTP/1.1" 200' in logged
    assert "/media/*** " in logged and "/telegram/***/webhook" in logged
    assert "/login/demo?token=***&lang=vi" in logged
    assert '"GET /healthz HTTP/1.1" 200' in logged


async def test_access_logs_can_be_turned_off(
    ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    await served_requests(ctx, ["/healthz"], web_access_log=False)
    assert [r for r in caplog.records if r.name == ACCESS_LOGGER] == []


URLSAFE = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=8, max_size=64)


@given(token=URLSAFE, query=st.sampled_from(["", "?next=/", "?a=1&b=2"]))
def test_a_login_or_media_token_never_reaches_the_log(token: str, query: str) -> None:
    for path in (f"/login/{token}{query}", f"/media/{token}.png{query}"):
        masked = mask_url(path)
        assert token not in masked and "***" in masked
        assert masked.endswith(query)


@given(
    key=st.sampled_from(["token", "secret", "code", "password", "key", "TOKEN"]),
    value=URLSAFE,
)
def test_secret_query_parameters_are_masked(key: str, value: str) -> None:
    masked = mask_url(f"/chat?lang=vi&{key}={value}&page=2")
    assert masked == f"/chat?lang=vi&{key}=***&page=2"


def test_ordinary_paths_are_logged_as_they_are() -> None:
    for path in ("/", "/tasks/NQ-01", "/units/SO-TC", "/login", "/login/demo", "/chat/ws"):
        assert mask_url(path) == path

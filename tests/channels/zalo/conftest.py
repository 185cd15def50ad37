"""Fixtures: the fake Zalo Bot API, the test world, and the real dondoc Zalo channel."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.context import AppContext
from tests.channels.zalo.harness import World, ZaloBot, build_world, zalo_context
from tests.fakes.zalo_api import FakeZaloServer


@pytest.fixture
async def server() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@pytest.fixture
def zalo_ctx(ctx: AppContext, server: FakeZaloServer) -> AppContext:
    return zalo_context(ctx, server)


@pytest.fixture
async def world(zalo_ctx: AppContext) -> World:
    return await build_world(zalo_ctx)


@pytest.fixture
async def zalo(zalo_ctx: AppContext, world: World) -> AsyncIterator[ZaloBot]:
    """The channel polling the fake server, over the test world."""
    bot = await ZaloBot(zalo_ctx).start()
    yield bot
    await bot.stop()

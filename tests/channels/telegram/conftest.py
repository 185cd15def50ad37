"""Fixtures: the fake Bot API, the test world, and the real dondoc Telegram channel."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.context import AppContext
from tests.channels.telegram.harness import TelegramBot, World, build_world, telegram_context
from tests.fakes.telegram_api import FakeTelegramServer


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as fake:
        yield fake


@pytest.fixture
def tg_ctx(ctx: AppContext, server: FakeTelegramServer) -> AppContext:
    return telegram_context(ctx, server)


@pytest.fixture
async def world(tg_ctx: AppContext) -> World:
    return await build_world(tg_ctx)


@pytest.fixture
async def telegram(tg_ctx: AppContext, world: World) -> AsyncIterator[TelegramBot]:
    """The channel polling the fake server, over the test world."""
    bot = await TelegramBot(tg_ctx).start()
    yield bot
    await bot.stop()

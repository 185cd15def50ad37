"""Start-up: a refused token or an unreachable Bot API stops the bot with one clear line."""

from __future__ import annotations

import pytest

from bot.app import RunOptions, Runtime, StartupError
from bot.channels.telegram.channel import TelegramChannel
from bot.context import AppContext
from tests.channels.telegram.harness import telegram_context
from tests.fakes.telegram_api import FakeTelegramServer


async def _start(ctx: AppContext) -> None:
    channel = TelegramChannel(Runtime(ctx, RunOptions()))
    try:
        await channel.start()
    finally:
        await channel.stop()


async def test_refused_token(ctx: AppContext, server: FakeTelegramServer) -> None:
    wrong = telegram_context(ctx, server, telegram_token="123456:WRONG-token")
    with pytest.raises(StartupError, match=r"^Telegram refused DONDOC_TELEGRAM_TOKEN") as error:
        await _start(wrong)
    assert "\n" not in str(error.value)
    assert "WRONG-token" not in str(error.value)


async def test_unreachable_api(ctx: AppContext, server: FakeTelegramServer) -> None:
    gone = telegram_context(ctx, server, telegram_api_url="http://127.0.0.1:9/bot")
    with pytest.raises(StartupError, match=r"^cannot reach the Telegram Bot API at http://127"):
        await _start(gone)

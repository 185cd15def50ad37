"""A polled Zalo update failing for a reason other than the database is given up after the
same number of tries as a Telegram update (one setting for every channel)."""

from __future__ import annotations

import pytest

from bot.channel_traits import ChannelTraits
from bot.channels.core.delivery import ReplyDelivery
from bot.channels.core.retry import RetryPolicy
from bot.channels.zalo.client import ZaloClient, parse_update
from bot.channels.zalo.process import UpdateProcessor
from bot.channels.zalo.render import ZaloRenderer
from bot.channels.zalo.sender import ZaloApi
from bot.context import AppContext
from bot.messages import IncomingMessage, Reply
from tests.fakes.zalo_api import FakeZaloServer


class BrokenDispatcher:
    """Fails every turn the way a bug would."""

    def __init__(self) -> None:
        self.tries = 0

    async def handle(self, message: IncomingMessage, traits: ChannelTraits) -> list[Reply]:
        self.tries += 1
        raise RuntimeError("bug in a handler")


async def test_a_polled_update_that_keeps_failing_is_given_up_after_the_poison_limit(
    ctx: AppContext, server: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    retry = RetryPolicy(backoff=0.001, max_backoff=0.001)
    dispatcher = BrokenDispatcher()
    update = parse_update(
        {
            "event_name": "message.text.received",
            "message": {
                "message_id": "m-1",
                "date": 1765159200000,
                "chat": {"id": "chat-1", "chat_type": "PRIVATE"},
                "from": {"id": "user-1", "display_name": "Lan", "is_bot": False},
                "text": "trogiup",
            },
        }
    )
    async with ZaloClient(server.token, base_url=server.url, max_retries=0) as client:
        delivery = ReplyDelivery(ZaloApi(client, ZaloRenderer(ctx)), ctx, retry)
        processor = UpdateProcessor(ctx, dispatcher, delivery, retry=retry)  # type: ignore[arg-type]
        processor.enqueue(update)
        await processor.wait_for_room(1)
    assert dispatcher.tries == retry.poison_attempts == RetryPolicy().poison_attempts
    assert "zalo update message.text.received:m-1 lost" in caplog.text

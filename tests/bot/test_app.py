"""The runtime's life cycle: components start in order and what started is stopped."""

from __future__ import annotations

import pytest

from bot.app import RunOptions, Runtime, StartupError
from bot.context import AppContext


class Recorder:
    def __init__(self, name: str, log: list[str], *, fail: bool = False) -> None:
        self.name, self.log, self.fail = name, log, fail

    async def start(self) -> None:
        if self.fail:
            raise StartupError(f"{self.name} refused to start")
        self.log.append(f"start {self.name}")

    async def stop(self) -> None:
        self.log.append(f"stop {self.name}")


async def test_a_failed_start_stops_only_what_had_started(ctx: AppContext) -> None:
    log: list[str] = []
    runtime = Runtime(ctx, RunOptions(port=0))
    runtime.components = [
        Recorder("web", log),
        Recorder("telegram", log),
        Recorder("zalo", log, fail=True),
        Recorder("scheduler", log),
    ]
    with pytest.raises(StartupError, match="zalo refused"):
        await runtime.start()
    await runtime.stop()
    assert log == ["start web", "start telegram", "stop telegram", "stop web"]


async def test_health_endpoint_names_the_channels(ctx: AppContext) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    runtime = Runtime(ctx)
    runtime.senders["telegram"] = object()  # type: ignore[assignment]
    async with TestClient(TestServer(runtime.web_app)) as client:
        response = await client.get("/healthz")
        assert await response.json() == {"ok": True, "channels": ["telegram"]}

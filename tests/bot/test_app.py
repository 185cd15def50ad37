"""The runtime's life cycle: components start in order and what started is stopped."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import RunOptions, Runtime
from bot.context import AppContext
from bot.db import Database, DatabaseUnavailable
from bot.lifecycle import StartupError


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
        assert response.status == 200
        assert await response.json() == {
            "ok": True,
            "checks": {"database": "up"},
            "channels": ["telegram"],
        }


async def test_health_is_503_naming_the_database_when_it_stops_answering(
    ctx: AppContext, tmp_path: Path
) -> None:
    """The database goes away under a running web app: SQLite's folder is removed, or
    PostgreSQL is replaced by a closed port."""
    from aiohttp.test_utils import TestClient, TestServer

    runtime = Runtime(ctx)
    async with TestClient(TestServer(runtime.web_app)) as client:
        assert (await client.get("/healthz")).status == 200
        if ctx.db.is_sqlite:
            assert ctx.db.sqlite_path is not None
            folder = Path(ctx.db.sqlite_path).parent
            moved = tmp_path.parent / f"{tmp_path.name}-moved"
            folder.rename(moved)
            await ctx.db.dispose()
        else:
            ctx.db = Database("postgresql+asyncpg://postgres@127.0.0.1:9/test")
        try:
            response = await client.get("/healthz")
            assert response.status == 503
            body = await response.json()
            assert body["ok"] is False
            assert body["checks"] == {"database": "down"}
        finally:
            if ctx.db.is_sqlite:
                moved.rename(folder)
            else:
                await ctx.db.dispose()


async def test_start_waits_for_the_database_before_anything_else(ctx: AppContext) -> None:
    log: list[str] = []
    ctx.db = Database("postgresql+asyncpg://postgres@127.0.0.1:9/test")
    runtime = Runtime(ctx, RunOptions(port=0))
    runtime.components = [Recorder("web", log)]
    with pytest.raises(DatabaseUnavailable, match="Connect call failed"):
        await runtime.start()
    await runtime.stop()
    assert log == []
    assert runtime._runner is None


async def test_the_running_line_comes_only_when_everything_started(
    ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    log: list[str] = []
    runtime = Runtime(ctx, RunOptions(port=0))
    runtime.ready_message = "Dondoc is running"
    runtime.components = [Recorder("web", log), Recorder("scheduler", log, fail=True)]
    with pytest.raises(StartupError, match="scheduler refused"):
        await runtime.start()
    await runtime.stop()
    assert capsys.readouterr().out == ""

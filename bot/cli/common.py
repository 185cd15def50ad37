"""Helpers shared by CLI commands: settings, context and running coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from bot.context import AppContext
from bot.db import Database
from config import load_settings

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@asynccontextmanager
async def app_context() -> AsyncIterator[AppContext]:
    """Settings from the environment/TOML, an open database, the system clock."""
    settings = load_settings()
    db = Database(settings.database_url)
    try:
        yield AppContext(settings=settings, db=db)
    finally:
        await db.dispose()

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


def check_database(url: str, *, schema: bool = False) -> None:
    """Raise :class:`bot.db.DatabaseUnavailable` unless the database answers (with
    ``schema``: :class:`bot.db.DatabaseNotMigrated` when it has no Dondoc tables)."""

    async def go() -> None:
        db = Database(url)
        try:
            await db.check(schema=schema)
        finally:
            await db.dispose()

    run(go())


@asynccontextmanager
async def app_context() -> AsyncIterator[AppContext]:
    """Settings from the environment/TOML, a database that answers, the system clock."""
    settings = load_settings()
    db = Database(settings.database_url)
    try:
        await db.check()
        yield AppContext(settings=settings, db=db)
    finally:
        await db.dispose()

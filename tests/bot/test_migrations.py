"""Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from bot.db import Database
from bot.migrate import upgrade_to_head
from bot.models import Base


def schema_differences(url: str) -> list[Any]:
    async def compare() -> list[Any]:
        db = Database(url)

        def diff(connection: Connection) -> list[Any]:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            return list(compare_metadata(context, Base.metadata))

        try:
            async with db.engine.connect() as connection:
                return await connection.run_sync(diff)
        finally:
            await db.dispose()

    return asyncio.run(compare())


def test_upgrade_to_head_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/migrated.db"
    upgrade_to_head(url)
    assert schema_differences(url) == []


def test_upgrade_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/migrated.db"
    upgrade_to_head(url)
    upgrade_to_head(url)
    assert schema_differences(url) == []

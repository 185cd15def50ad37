"""Running Alembic migrations from code (``dondoc migrate``, ``dondoc import`` on a new
database, and start-up)."""

from __future__ import annotations

import asyncio
import enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.db import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class SchemaChange(enum.Enum):
    """What bringing a database to the latest schema did."""

    CREATED = "created"
    UPGRADED = "upgraded"
    CURRENT = "current"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade_to_head(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def current_revision(database_url: str) -> str | None:
    """The schema revision the database is at; None for a database never migrated."""

    async def read() -> str | None:
        db = Database(database_url)
        try:
            async with db.engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_revision()
                )
        finally:
            await db.dispose()

    return asyncio.run(read())


def migrate(database_url: str) -> SchemaChange:
    """Bring the database to the latest schema and say what that took."""
    before = current_revision(database_url)
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    if before == head:
        return SchemaChange.CURRENT
    upgrade_to_head(database_url)
    return SchemaChange.CREATED if before is None else SchemaChange.UPGRADED

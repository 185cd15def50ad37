"""bot.db.savepoint: a SAVEPOINT that undoes only what ran inside it, on SQLite (where the
sqlite3 module's own transaction handling would let the savepoint commit) and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db import Database, savepoint
from bot.models import Unit
from tests.conftest import DEFAULT_NOW


class Boom(Exception):
    """Ends a transaction with an error, so it is rolled back."""


def unit(code: str) -> Unit:
    return Unit(code=code, name=f"Đơn vị {code}", created_at=DEFAULT_NOW)


async def codes(db: Database) -> list[str]:
    async with db.session() as session:
        return list(await session.scalars(select(Unit.code).order_by(Unit.code)))


@pytest.mark.parametrize("kind", ["session", "turn"])
async def test_a_released_savepoint_is_undone_with_its_transaction(db: Database, kind: str) -> None:
    async with db.session() as session:
        session.add(unit("A"))
    with pytest.raises(Boom):
        async with db.session() if kind == "session" else db.turn() as session:
            await session.scalar(select(Unit.id))  # reads first, as the services do
            async with savepoint(session):
                session.add(unit("B"))
                await session.flush()
            session.add(unit("C"))
            await session.flush()
            raise Boom
    assert await codes(db) == ["A"]


async def test_a_failure_inside_undoes_the_savepoint_only(db: Database) -> None:
    async with db.session() as session:
        session.add(unit("A"))
    async with db.session() as session:
        session.add(unit("B"))
        await session.flush()
        with pytest.raises(IntegrityError):
            async with savepoint(session):
                session.add(unit("A"))
                await session.flush()
        session.add(unit("C"))
    assert await codes(db) == ["A", "B", "C"]

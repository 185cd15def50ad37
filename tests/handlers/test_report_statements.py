"""The path of a one-line report stays short: a fixed number of SQL statements per report,
counted on the engine, so that it cannot grow unnoticed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.db import Database
from tests.handlers.conftest import World

REPORT_STATEMENTS = 6
"""Claim the update, the official with the conversation state, the task, insert the report,
update the task, the audit row (no look-up of an earlier report from the same message: the
claim already proves there is none)."""


@contextmanager
def counted_statements(db: Database) -> Iterator[list[str]]:
    """Every statement the engine sends while the block runs (transaction control aside)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_one_line_report_takes_six_statements(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/baocao NQ-01 50 Đã họp")  # warm caches
    backend.pop_message()
    with counted_statements(world.ctx.db) as statements:
        await backend.push_message(world.hoa, "/baocao NQ-01 60 Đã trình dự thảo lên UBND")
    assert backend.pop_text().startswith("Đã lưu báo cáo.")
    assert len(statements) == REPORT_STATEMENTS, "\n".join(statements)


async def test_a_repeated_update_takes_one_statement(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/baocao NQ-01 60 Đã trình dự thảo lên UBND")
    backend.pop_message()
    key = backend.last_key
    with counted_statements(world.ctx.db) as statements:
        await backend.push_message(world.hoa, "/baocao NQ-01 60 lại", update_key=key)
    assert not backend.queue  # a redelivered update gets no reply
    assert len(statements) == 1, "\n".join(statements)

"""/tonghop, /quahan and /donvi for leaders and unit heads."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection

from bot.db import Database
from tests.handlers.conftest import World


@contextmanager
def statements(db: Database) -> Iterator[list[tuple[str, int, str]]]:
    """Every statement and commit: (kind, DBAPI connection id, SQL)."""
    seen: list[tuple[str, int, str]] = []

    def on_statement(conn: Connection, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(("sql", id(conn.connection.dbapi_connection), sql))

    def on_commit(conn: Connection) -> None:
        seen.append(("commit", id(conn.connection.dbapi_connection), ""))

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)


@pytest.mark.parametrize("command", ["/tonghop", "/quahan", "/donvi STC", "/donvi"])
async def test_whole_city_reads_run_after_the_turn_commits(world: World, command: str) -> None:
    """The chat turn's write transaction records the update and commits; only then are the
    tasks read, in a session (and transaction) of their own."""
    db = world.backend.ctx.db
    with statements(db) as seen:
        await world.backend.push_message(world.chau, command)
    assert world.backend.pop_text()
    claim = next(i for i, e in enumerate(seen) if "INSERT INTO inbound_updates" in e[2])
    turn_connection = seen[claim][1]
    commit = next(
        i for i, e in enumerate(seen[claim:], claim) if e == ("commit", turn_connection, "")
    )
    reads = [i for i, e in enumerate(seen) if e[0] == "sql" and "FROM tasks" in e[2]]
    if command != "/donvi":  # the unit list reads units only
        assert reads
    assert all(i > commit for i in reads)
    assert any(e[0] == "sql" for e in seen[commit:])


async def test_leader_digest_is_city_wide(world: World) -> None:
    await world.backend.push_message(world.chau, "/tonghop")
    text = world.backend.pop_text()
    assert text.startswith("TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ\nToàn thành phố, ngày 08/12/2025")
    assert "Tổng số nhiệm vụ: 6" in text
    assert "Sở Y tế" in text and "Sở Tài chính" in text


async def test_head_digest_is_own_unit(world: World) -> None:
    await world.backend.push_message(world.nam, "/digest")
    text = world.backend.pop_text()
    assert "Sở Tài chính, ngày 08/12/2025" in text
    assert "Tổng số nhiệm vụ: 4" in text
    assert "NV-05" not in text


async def test_staff_may_not_ask_for_digests(world: World) -> None:
    for command in ("/tonghop", "/quahan", "/donvi STC"):
        await world.backend.push_message(world.hoa, command)
        assert world.backend.pop_text() == "Xin lỗi, đồng chí không có quyền dùng lệnh này."


async def test_overdue_grouped_by_unit(world: World) -> None:
    await world.backend.push_message(world.chau, "/quahan")
    text = world.backend.pop_text()
    assert text.startswith("NHIỆM VỤ QUÁ HẠN (đến ngày 08/12/2025):")
    assert "Sở Tài chính (STC) — 1 nhiệm vụ:" in text and "Sở Y tế (SYT) — 1 nhiệm vụ:" in text
    assert "NV-02" in text and "NV-05" in text and "NQ-01" not in text


async def test_head_sees_own_overdue_only(world: World) -> None:
    await world.backend.push_message(world.nam, "/overdue")
    text = world.backend.pop_text()
    assert "NV-02" in text and "NV-05" not in text


async def test_overdue_none(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.hoa, "/xong NV-02")
    backend.pop_text()
    await backend.push_message(world.nam, "/quahan")
    assert backend.pop_text() == "Không có nhiệm vụ nào quá hạn."


async def test_unit_view_for_leader_and_head(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.chau, "/donvi stc")
    text = backend.pop_text()
    assert text.startswith("Sở Tài chính (STC)")
    assert "• Hoàn thành đúng hạn: 1" in text and "• Quá hạn: 1" in text
    assert "• Đang thực hiện trong hạn: 2" in text
    assert (
        "Nhiệm vụ chưa hoàn thành do đơn vị chủ trì (3: 2 đang thực hiện trong hạn, 1 quá hạn):"
        in text
    )
    await backend.push_message(world.nam, "/donvi")
    assert backend.pop_text().startswith("Sở Tài chính (STC)")


async def test_head_cannot_open_another_unit(world: World) -> None:
    backend = world.backend
    await backend.push_message(world.nam, "/donvi SXD")
    assert backend.pop_text() == (
        "Xin lỗi, đồng chí chỉ xem được nhiệm vụ của đơn vị mình, không xem được Sở Xây dựng."
    )
    await backend.push_message(world.chau, "/donvi XYZ")
    assert backend.pop_text() == (
        "Không tìm thấy đơn vị nào có mã hoặc tên “XYZ”. Gõ /donvi để xem danh sách đơn vị."
    )
    await backend.push_message(world.chau, "/donvi")
    listing = backend.pop_text()
    assert listing.startswith("Cách dùng: /donvi <mã hoặc tên đơn vị>")
    assert "• SYT — Sở Y tế" in listing


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_another_writer_is_not_blocked_while_the_city_is_read(world: World) -> None:
    """SQLite (its single write lock): while /tonghop reads the tasks, another connection can
    take the write lock at once (inside the turn's transaction it would find it locked)."""
    db = world.backend.ctx.db
    assert db.sqlite_path is not None
    outcomes: list[str] = []

    def write_meanwhile(_conn: Connection, _cursor: Any, sql: str, *_args: Any) -> None:
        if "FROM tasks" not in sql or outcomes:
            return
        other = sqlite3.connect(db.sqlite_path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            outcomes.append("written")
        except sqlite3.OperationalError as exc:
            outcomes.append(str(exc))
        finally:
            other.close()

    event.listen(db.engine.sync_engine, "before_cursor_execute", write_meanwhile)
    try:
        await world.backend.push_message(world.chau, "/tonghop")
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", write_meanwhile)
    assert world.backend.pop_text().startswith("TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ")
    assert outcomes == ["written"]

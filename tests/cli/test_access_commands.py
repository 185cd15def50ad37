"""``dondoc revoke`` / ``reactivate`` and ``dondoc backup`` / ``restore``, as run by an operator."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, func, select
from typer.testing import CliRunner

import bot.cli.access_commands
import bot.cli.data_commands
import bot.cli.db_commands  # noqa: F401 - registers the commands used here
from bot.cli import app
from bot.db import Database
from bot.models import AuditLog, ChannelIdentity, Official, Report, Task

runner = CliRunner()

UNITS = "code,name\nSO-TC,Sở Tài chính\n"
OFFICIALS = (
    "code,full_name,unit_code,role\n"
    "SO-TC-TT,Nguyễn Văn Hùng,SO-TC,thủ trưởng\n"
    "SO-TC-CV,Trần Thị Mai,SO-TC,chuyên viên\n"
)
TASKS = "code,title,lead_unit,deadline\nNQ-01,Bảng giá đất,SO-TC,15/12/2025\n"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite database with a unit, two officials and a task."""
    for name in list(os.environ):
        if name.startswith("DONDOC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    monkeypatch.setenv("DONDOC_LANGUAGE", "en")  # these tests read the English texts
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    files = []
    for name, text in (("units", UNITS), ("officials", OFFICIALS), ("tasks", TASKS)):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    result = runner.invoke(app, ["import", *files])
    assert result.exit_code == 0, result.output
    return url


def query(url: str, statement: Select[Any]) -> list[Any]:
    async def go() -> list[Any]:
        db = Database(url)
        try:
            async with db.session() as session:
                return list(await session.scalars(statement))
        finally:
            await db.dispose()

    return asyncio.run(go())


def add_chat_account(url: str, official_code: str, user: str) -> None:
    async def go() -> None:
        db = Database(url)
        try:
            async with db.session() as session:
                official = await session.scalar(
                    select(Official).where(Official.code == official_code)
                )
                assert official is not None
                session.add(
                    ChannelIdentity(
                        official_id=official.id,
                        channel="telegram",
                        external_user_id=user,
                        chat_id=user,
                        created_at=official.created_at,
                    )
                )
        finally:
            await db.dispose()

    asyncio.run(go())


def test_revoke_and_reactivate(database: str) -> None:
    add_chat_account(database, "SO-TC-CV", "777")
    result = runner.invoke(app, ["revoke", "so-tc-cv"])
    assert result.exit_code == 0, result.output
    assert "Access revoked: Trần Thị Mai (SO-TC-CV)." in result.output
    assert "Chat accounts unlinked: 1; dashboard sessions ended: 0; invites cancelled: 0" in (
        result.output
    )
    assert query(database, select(Official.active).where(Official.code == "SO-TC-CV")) == [False]
    assert query(database, select(ChannelIdentity.active)) == [False]

    again = runner.invoke(app, ["revoke", "SO-TC-CV"])
    assert again.exit_code == 1
    assert "Error: Access of official SO-TC-CV was already revoked." in again.output
    invite = runner.invoke(app, ["invite", "SO-TC-CV"])
    assert invite.exit_code == 1 and "reactivate first" in invite.output

    back = runner.invoke(app, ["reactivate", "SO-TC-CV"])
    assert back.exit_code == 0, back.output
    assert "Active again: Trần Thị Mai (SO-TC-CV)." in back.output
    assert "dondoc invite SO-TC-CV" in back.output
    assert runner.invoke(app, ["invite", "SO-TC-CV"]).exit_code == 0
    actions = query(database, select(AuditLog.action).order_by(AuditLog.id))
    assert actions.count("official.revoke") == 1 and actions.count("official.reactivate") == 1


def test_unknown_official(database: str) -> None:
    for command in ("revoke", "reactivate"):
        result = runner.invoke(app, [command, "NOBODY"])
        assert result.exit_code == 1
        assert result.output.strip() == "Error: Official NOBODY not found."


def test_backup_and_restore_round_trip(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["revoke", "SO-TC-CV"]).exit_code == 0
    copy = tmp_path / "backups" / "dondoc-2025-12-08.db"
    copy.parent.mkdir()
    result = runner.invoke(app, ["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert f"to {copy}" in result.output
    refused = runner.invoke(app, ["backup", str(copy)])
    assert refused.exit_code == 1 and "exists; give a new file name" in refused.output

    restored_url = f"sqlite+aiosqlite:///{tmp_path}/restored.db"
    monkeypatch.setenv("DONDOC_DATABASE_URL", restored_url)
    result = runner.invoke(app, ["restore", str(copy)])
    assert result.exit_code == 0, result.output
    assert query(restored_url, select(Task.title)) == ["Bảng giá đất"]
    assert query(restored_url, select(Official.code).order_by(Official.code)) == [
        "SO-TC-CV",
        "SO-TC-TT",
    ]
    assert query(restored_url, select(Official.active).order_by(Official.code)) == [False, True]
    assert query(restored_url, select(AuditLog.action).where(AuditLog.action == "official.revoke"))
    assert query(restored_url, select(func.count()).select_from(Report)) == [0]
    # The restored database is a working one: the CLI keeps running on it.
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    assert runner.invoke(app, ["reactivate", "SO-TC-CV"]).exit_code == 0

    again = runner.invoke(app, ["restore", str(copy)])
    assert again.exit_code == 1 and "--force" in again.output
    forced = runner.invoke(app, ["restore", "--force", str(copy)])
    assert forced.exit_code == 0, forced.output
    assert query(restored_url, select(Official.active).order_by(Official.code)) == [False, True]


def test_restore_refuses_what_is_not_a_dondoc_backup(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/new.db")
    text = tmp_path / "notes.txt"
    text.write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    cases = {
        str(tmp_path / "missing.db"): "does not exist",
        str(text): "is not a SQLite database",
        str(other): "is not a Dondoc database",
    }
    for path, expected in cases.items():
        result = runner.invoke(app, ["restore", path])
        assert result.exit_code == 1, path
        assert expected in result.output, result.output
    assert not (tmp_path / "new.db").exists()


def test_backup_on_postgresql_points_at_pg_dump(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_DATABASE_URL", "postgresql+asyncpg://u@127.0.0.1/dondoc")
    for command in ("backup", "restore"):
        result = runner.invoke(app, [command, str(tmp_path / "x.db")])
        assert result.exit_code == 2
        assert "pg_dump and pg_restore" in result.output

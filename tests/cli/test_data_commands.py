"""``dondoc import``, ``export``, ``invite`` and ``demo-data`` as a user runs them."""

from __future__ import annotations

import asyncio
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook
from sqlalchemy import Select, func, select
from typer.testing import CliRunner

import bot.cli.data_commands  # registers the data commands
import bot.cli.db_commands  # noqa: F401 - registers `migrate` and `config`
from bot.cli import app
from bot.db import Database
from bot.exporting import SUMMARY_SHEET
from bot.models import InviteCode, Task

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite database selected through DONDOC_DATABASE_URL."""
    for name in list(os.environ):
        if name.startswith("DONDOC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    monkeypatch.setenv("DONDOC_LANGUAGE", "en")  # these tests read the English texts
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    return url


def scalar(url: str, query: Select[Any]) -> Any:
    async def go() -> Any:
        db = Database(url)
        try:
            async with db.session() as session:
                return await session.scalar(query)
        finally:
            await db.dispose()

    return asyncio.run(go())


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


UNITS = "Mã đơn vị,Tên đơn vị\nSO-TC,Sở Tài chính\n"
OFFICIALS = "code,full_name,unit_code,role\nSO-TC-TT,Nguyễn Văn Hùng,SO-TC,thủ trưởng\n"
TASKS = "code,title,lead_unit,deadline\nNQ-01,Bảng giá đất,SO-TC,15/12/2025\n"


def test_import_prints_what_it_did(database: str, tmp_path: Path) -> None:
    files = [
        write(tmp_path / "units.csv", UNITS),
        write(tmp_path / "officials.csv", OFFICIALS),
        write(tmp_path / "tasks.csv", TASKS),
    ]
    result = runner.invoke(app, ["import", *map(str, files)])
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output
    assert scalar(database, select(func.count()).select_from(Task)) == 1


def test_dry_run_writes_nothing(database: str, tmp_path: Path) -> None:
    files = [write(tmp_path / "units.csv", UNITS), write(tmp_path / "tasks.csv", TASKS)]
    result = runner.invoke(app, ["import", "--dry-run", *map(str, files)])
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing written" in result.output
    assert scalar(database, select(func.count()).select_from(Task)) == 0


def test_bad_file_lists_every_error_and_exits_1(database: str, tmp_path: Path) -> None:
    bad = write(
        tmp_path / "tasks.csv",
        "code,title,lead_unit,deadline\nA,x,NOPE,31/02/2025\nB,y,NOPE,\n",
    )
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        "tasks.csv:2:deadline: '31/02/2025' is not a date that exists",
        "tasks.csv:3:lead_unit: unknown unit 'NOPE'",
        "Import refused: 2 error(s); nothing was written.",
    ]


def test_hostile_files_end_in_one_line_each_not_a_traceback(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_IMPORT_MAX_BYTES", "500000")
    huge = write(tmp_path / "huge.csv", "code,name\n" + "U1,Đơn vị\n" * 60_000)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 300 * 1024 * 1024)
    result = runner.invoke(app, ["import", str(huge), str(bomb)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.strip().splitlines() == [
        "huge.csv:-:-: the file is 0.8 MB, larger than the 0.5 MB an import accepts "
        "(DONDOC_IMPORT_MAX_BYTES)",
        "bomb.xlsx:-:-: the workbook unpacks to 300.0 MB, more than the 200.0 MB an import "
        "accepts (DONDOC_IMPORT_MAX_UNPACKED_BYTES)",
        "Import refused: 2 error(s); nothing was written.",
    ]


def test_export_writes_a_workbook(database: str, tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(write(tmp_path / "u.csv", UNITS))])
    runner.invoke(app, ["import", str(write(tmp_path / "t.csv", TASKS))])
    target = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["export", str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO(target.read_bytes()))[SUMMARY_SHEET]
    assert sheet.cell(row=9, column=2).value == "SO-TC"  # below the heading block
    assert sheet.cell(row=9, column=4).value == 1


def test_export_refuses_other_file_types_and_unknown_units(database: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["export", str(tmp_path / "r.csv")]).exit_code == 2
    result = runner.invoke(app, ["export", str(tmp_path / "r.xlsx"), "--unit", "NOPE"])
    assert result.exit_code == 1
    assert "Error: Unit NOPE not found." in result.output


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_report_writes_the_period_report_in_each_format(
    database: str, tmp_path: Path, fmt: str
) -> None:
    runner.invoke(app, ["import", str(write(tmp_path / "u.csv", UNITS))])
    runner.invoke(app, ["import", str(write(tmp_path / "t.csv", TASKS))])
    target = tmp_path / f"bao-cao.{fmt}"
    result = runner.invoke(
        app,
        ["report", "--period", "2025-12", "--unit", "so-tc", "--format", fmt, "--out", str(target)],
    )
    assert result.exit_code == 0, result.output
    assert "Report for 2025-12 written to" in result.output
    data = target.read_bytes()
    if fmt == "docx":
        texts = [p.text for p in DocxDocument(io.BytesIO(data)).paragraphs]
        assert "Kết quả thực hiện nhiệm vụ tháng 12 năm 2025 của Sở Tài chính" in texts
    elif fmt == "pdf":
        assert data.startswith(b"%PDF")
    else:
        assert load_workbook(io.BytesIO(data)).sheetnames[0] == "Báo cáo"


def test_report_refuses_a_bad_period_a_wrong_suffix_and_an_unknown_unit(
    database: str, tmp_path: Path
) -> None:
    bad = runner.invoke(app, ["report", "--period", "2025-13", "--out", str(tmp_path / "r.xlsx")])
    assert bad.exit_code == 2
    assert "Error: --period '2025-13': month 13 does not exist" in bad.output
    suffix = runner.invoke(
        app, ["report", "--period", "2025-12", "--format", "pdf", "--out", str(tmp_path / "r.xlsx")]
    )
    assert suffix.exit_code == 2 and "must end in .pdf" in suffix.output
    unknown = runner.invoke(
        app, ["report", "--period", "2025-12", "--unit", "NOPE", "--out", str(tmp_path / "r.xlsx")]
    )
    assert unknown.exit_code == 1 and "Error: Unit NOPE not found." in unknown.output
    assert not (tmp_path / "r.xlsx").exists()


def test_invite_prints_code_and_telegram_deep_link(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(app, ["import", str(write(tmp_path / "u.csv", UNITS))])
    runner.invoke(app, ["import", str(write(tmp_path / "o.csv", OFFICIALS))])
    monkeypatch.setenv("DONDOC_TELEGRAM_BOT_USERNAME", "dondoc_hp_bot")
    result = runner.invoke(app, ["invite", "so-tc-tt", "--hours", "4"])
    assert result.exit_code == 0, result.output
    code = result.output.split("Invite code for Nguyễn Văn Hùng (SO-TC-TT): ")[1].split()[0]
    assert f"https://t.me/dondoc_hp_bot?start={code}" in result.output
    assert all(ch.isalnum() or ch in "_-" for ch in code)  # a valid deep-link payload
    assert scalar(database, select(func.count()).select_from(InviteCode)) == 1

    group = runner.invoke(app, ["invite", "--unit", "SO-TC"])
    assert group.exit_code == 0, group.output
    assert "?startgroup=" in group.output


def test_invite_without_bot_username_prints_no_link(database: str, tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(write(tmp_path / "u.csv", UNITS))])
    runner.invoke(app, ["import", str(write(tmp_path / "o.csv", OFFICIALS))])
    result = runner.invoke(app, ["invite", "SO-TC-TT"])
    assert result.exit_code == 0 and "t.me" not in result.output
    assert "/start " in result.output


def test_invite_errors(database: str) -> None:
    assert runner.invoke(app, ["invite"]).exit_code == 2
    unknown = runner.invoke(app, ["invite", "NOBODY"])
    assert unknown.exit_code == 1 and "Official NOBODY not found." in unknown.output


def test_demo_data_loads_once(database: str) -> None:
    first = runner.invoke(app, ["demo-data"])
    assert first.exit_code == 0, first.output
    assert "Demo loaded:" in first.output and "dondoc invite" in first.output
    tasks = scalar(database, select(func.count()).select_from(Task))
    assert tasks >= 45

    skipped = runner.invoke(app, ["demo-data", "--if-empty"])
    assert skipped.exit_code == 0 and "demo not loaded" in skipped.output
    again = runner.invoke(app, ["demo-data"])
    assert again.exit_code == 1 and "already has units" in again.output
    assert scalar(database, select(func.count()).select_from(Task)) == tasks


def test_unmigrated_database_gets_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    monkeypatch.setenv("DONDOC_LANGUAGE", "en")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo-data", "--if-empty"])
    assert result.exit_code == 1
    assert "Run `dondoc migrate`" in result.output

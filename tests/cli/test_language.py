"""The command line speaks the configured language: help, messages and errors in Vietnamese
with DONDOC_LANGUAGE=vi, in English with en; `import` and `migrate` on a new database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic import command
from typer.testing import CliRunner

from bot.cli import app, localized
from bot.i18n import translations
from bot.migrate import alembic_config

runner = CliRunner()
UNITS = "Mã đơn vị,Tên đơn vị\nSO-TC,Sở Tài chính\n"


@pytest.fixture
def new_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty SQLite file (never migrated) selected through DONDOC_DATABASE_URL."""
    for name in list(os.environ):
        if name.startswith("DONDOC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path}/new.db"
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    return url


def _one_line(text: str) -> str:
    """Help output with the terminal's line wrapping and box drawing taken out."""
    return " ".join(text.replace("│", " ").split())


def test_every_command_and_option_has_help_in_both_languages() -> None:
    localized("vi")
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__
        keys = [f"help.{name}"] + [
            f"help.{name}.{parameter}"
            for parameter in info.callback.__annotations__
            if parameter != "return"
        ]
        for lang in ("vi", "en"):
            for key in keys:
                assert ("cli", key) in translations(lang), (lang, key)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Tùy chọn", "Mọi cán bộ đang hoạt động chưa liên kết tài khoản chat"]),
        ("en", ["Options", "Every active official without a linked chat"]),
    ],
)
def test_help_in_the_configured_language(
    lang: str, expected: list[str], new_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_LANGUAGE", lang)
    result = runner.invoke(localized(), ["invite", "--help"])
    assert result.exit_code == 0, result.output
    for words in expected:
        assert words in _one_line(result.output)
    overview = runner.invoke(localized(), ["--help"])
    summary = "Dondoc: nhắc việc và báo cáo" if lang == "vi" else "Dondoc: task reminders"
    assert summary in _one_line(overview.output)


@pytest.mark.parametrize(
    ("lang", "created", "imported", "current", "error"),
    [
        (
            "vi",
            "Cơ sở dữ liệu mới: đã tạo cấu trúc",
            "Đã nhập",
            "Cấu trúc cơ sở dữ liệu đã là phiên bản mới nhất",
            "Lỗi: hãy ghi MÃ_CÁN_BỘ hoặc --unit MÃ_ĐƠN_VỊ",
        ),
        (
            "en",
            "New database: schema created",
            "Imported",
            "Database schema already up to date",
            "Error: give an OFFICIAL_CODE or --unit UNIT_CODE",
        ),
    ],
)
def test_import_on_a_new_database_creates_the_schema(
    lang: str,
    created: str,
    imported: str,
    current: str,
    error: str,
    new_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DONDOC_LANGUAGE", lang)
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    result = runner.invoke(localized(), ["import", "units.csv"])
    assert result.exit_code == 0, result.output
    assert created in result.output and imported in result.output
    again = runner.invoke(localized(), ["import", "units.csv"])
    assert again.exit_code == 0 and created not in again.output
    migrated = runner.invoke(localized(), ["migrate"])
    assert migrated.exit_code == 0 and current in migrated.output
    wrong = runner.invoke(localized(), ["invite"])
    assert wrong.exit_code == 2 and error in wrong.output


@pytest.mark.parametrize(
    ("lang", "created", "upgraded"),
    [
        ("vi", "Đã tạo cấu trúc cơ sở dữ liệu mới", "Đã nâng cấp cấu trúc cơ sở dữ liệu"),
        ("en", "Database schema created", "Database schema upgraded"),
    ],
)
def test_migrate_says_whether_it_created_or_upgraded(
    lang: str, created: str, upgraded: str, new_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_LANGUAGE", lang)
    first = runner.invoke(localized(), ["migrate"])
    assert first.exit_code == 0 and created in first.output
    command.downgrade(alembic_config(new_database), "-1")
    second = runner.invoke(localized(), ["migrate"])
    assert second.exit_code == 0 and upgraded in second.output

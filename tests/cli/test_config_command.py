"""``dondoc config`` and what a wrong setting does at start-up (through the real entry point)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bot.cli import main

TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def dondoc(
    args: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> int:
    """Run the console entry point as the shell would; returns the exit code."""
    for name in list(os.environ):
        if name.startswith("DONDOC_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["dondoc", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    return int(stopped.value.code or 0)


def test_config_prints_settings_with_secrets_masked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "DONDOC_TELEGRAM_TOKEN": TOKEN,
        "DONDOC_DATABASE_URL": "postgresql+asyncpg://dondoc:hunter2@db/dondoc",
    }
    assert dondoc(["config"], env, monkeypatch, tmp_path) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert shown["telegram_token"] == "***"
    assert shown["database_url"] == "postgresql+asyncpg://dondoc:***@db/dondoc"
    assert TOKEN not in out and "hunter2" not in out


def test_config_masks_a_password_given_in_the_query_string(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"DONDOC_DATABASE_URL": "postgresql+asyncpg://dondoc@db/dondoc?password=hunter2"}
    assert dondoc(["config"], env, monkeypatch, tmp_path) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["database_url"] == "postgresql+asyncpg://dondoc@db/dondoc?password=***"
    assert "hunter2" not in out


@pytest.mark.parametrize("command", [["config"], ["run", "--port", "0"]], ids=["config", "run"])
@pytest.mark.parametrize(
    ("language", "prefix"), [("vi", "Lỗi cấu hình: "), ("en", "Configuration error: ")]
)
def test_what_cannot_be_a_telegram_token_is_refused_by_config_and_at_start(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    language: str,
    prefix: str,
    command: list[str],
) -> None:
    env = {"DONDOC_TELEGRAM_TOKEN": "my-bot-token", "DONDOC_LANGUAGE": language}
    assert dondoc(command, env, monkeypatch, tmp_path) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.strip().splitlines()
    assert line.startswith(f"{prefix}DONDOC_TELEGRAM_TOKEN: not a Telegram bot token")
    assert "my-bot-token" not in line


def test_a_comma_separated_list_is_taken_and_a_malformed_one_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"DONDOC_REMINDERS__BEFORE_DAYS": "7,3", "DONDOC_LANGUAGE": "en"}
    assert dondoc(["config"], env, monkeypatch, tmp_path) == 0
    assert json.loads(capsys.readouterr().out)["reminders"]["before_days"] == [7, 3]
    env["DONDOC_REMINDERS__BEFORE_DAYS"] = "7,x"
    assert dondoc(["config"], env, monkeypatch, tmp_path) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("Configuration error: DONDOC_REMINDERS__BEFORE_DAYS: Input should be")


def test_a_wrong_setting_stops_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = dondoc(["config"], {"DONDOC_TIMEZONE": "Mars/Olympus"}, monkeypatch, tmp_path)
    assert code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "Lỗi cấu hình: DONDOC_TIMEZONE: unknown timezone 'Mars/Olympus'"
    ]
    env = {"DONDOC_TIMEZONE": "Mars/Olympus", "DONDOC_LANGUAGE": "en"}
    assert dondoc(["config"], env, monkeypatch, tmp_path) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "Configuration error: DONDOC_TIMEZONE: unknown timezone 'Mars/Olympus'"
    ]


def test_malformed_toml_stops_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dondoc.toml").write_text("[reminders\n", encoding="utf-8")
    assert dondoc(["import", "x.csv"], {}, monkeypatch, tmp_path) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Lỗi cấu hình: DONDOC_CONFIG: dondoc.toml is not valid TOML")

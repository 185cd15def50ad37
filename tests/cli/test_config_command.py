"""``dondoc config`` and what a wrong setting does at start-up (through the real entry point)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bot.cli import main


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
        "DONDOC_TELEGRAM_TOKEN": "123456:SECRET",
        "DONDOC_DATABASE_URL": "postgresql+asyncpg://dondoc:hunter2@db/dondoc",
    }
    assert dondoc(["config"], env, monkeypatch, tmp_path) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert shown["telegram_token"] == "***"
    assert shown["database_url"] == "postgresql+asyncpg://dondoc:***@db/dondoc"
    assert "SECRET" not in out and "hunter2" not in out


def test_a_wrong_setting_stops_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = dondoc(["config"], {"DONDOC_TIMEZONE": "Mars/Olympus"}, monkeypatch, tmp_path)
    assert code == 2
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
    assert lines[0].startswith("Configuration error: DONDOC_CONFIG: dondoc.toml is not valid TOML")

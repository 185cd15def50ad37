"""A database that does not answer or a web port already taken: every command says so in
one line naming the setting, exits with code 2 and prints no traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_config_command import dondoc

CLOSED_PORT_URL = "postgresql+asyncpg://dondoc:hunter2@127.0.0.1:9/dondoc"

COMMANDS = [
    ["migrate"],
    ["import", "units.csv"],
    ["export", "out.xlsx"],
    ["invite", "SO-TC-TT"],
    ["demo-data", "--if-empty"],
    ["remind", "--dry-run"],
    ["digest", "--print"],
    ["run", "--port", "0"],
]


def missing_folder_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/dondoc.db"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("where", ["postgresql-refused", "sqlite-missing-folder"])
def test_an_unreachable_database_is_one_line_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    where: str,
) -> None:
    (tmp_path / "units.csv").write_text("code,name\nSO-TC,Sở Tài chính\n", encoding="utf-8")
    url = CLOSED_PORT_URL if where == "postgresql-refused" else missing_folder_url(tmp_path)
    env = {"DONDOC_DATABASE_URL": url, "DONDOC_LANGUAGE": "en"}
    assert dondoc(command, env, monkeypatch, tmp_path) == 2
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert line.startswith("Cannot reach the database DONDOC_DATABASE_URL=")
    assert "hunter2" not in line
    assert "running" not in captured.out
    assert not (tmp_path / "no").exists()


def test_the_database_line_is_vietnamese_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"DONDOC_DATABASE_URL": missing_folder_url(tmp_path)}
    assert dondoc(["migrate"], env, monkeypatch, tmp_path) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("Không kết nối được cơ sở dữ liệu DONDOC_DATABASE_URL=sqlite")
    assert f"the folder {tmp_path}/no/such/folder does not exist" in line


def test_run_on_a_database_never_migrated_says_to_migrate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"DONDOC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/new.db", "DONDOC_LANGUAGE": "en"}
    assert dondoc(["run", "--port", "0"], env, monkeypatch, tmp_path) == 2
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert line == (
        f"The database DONDOC_DATABASE_URL=sqlite+aiosqlite:///{tmp_path}/new.db has no Dondoc "
        "tables (no such table: units): run `dondoc migrate` first."
    )
    assert captured.out == ""


def test_a_malformed_database_url_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"DONDOC_DATABASE_URL": "postgresql+asyncpg://u:pw@db:port/x", "DONDOC_LANGUAGE": "en"}
    assert dondoc(["migrate"], env, monkeypatch, tmp_path) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("Configuration error: DONDOC_DATABASE_URL: ")
    assert "pw" not in line.removeprefix("Configuration error: DONDOC_DATABASE_URL: ")


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program already listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize(
    ("language", "line"),
    [
        (
            "en",
            "Port {port} on 127.0.0.1 is already in use (Dondoc may be running already): stop "
            "that program or set DONDOC_WEB_PORT to another port.",
        ),
        (
            "vi",
            "Cổng {port} trên 127.0.0.1 đã có chương trình khác dùng (có thể Dondoc đang chạy): "
            "hãy dừng chương trình đó hoặc đặt DONDOC_WEB_PORT sang cổng khác.",
        ),
    ],
)
def test_a_web_port_in_use_is_one_line_before_any_running_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    taken_port: int,
    language: str,
    line: str,
) -> None:
    env = {
        "DONDOC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/dondoc.db",
        "DONDOC_WEB_PORT": str(taken_port),
        "DONDOC_LANGUAGE": language,
    }
    assert dondoc(["migrate"], env, monkeypatch, tmp_path) == 0
    capsys.readouterr()
    assert dondoc(["run"], env, monkeypatch, tmp_path) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines()[-1] == line.format(port=taken_port)
    assert "Traceback" not in captured.err


@pytest.mark.slow
async def test_a_second_dondoc_run_refuses_without_a_running_line(tmp_path: Path) -> None:
    """Two `dondoc run` on the same settings, as two `make run` would start them."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DONDOC_")},
        "DONDOC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/dondoc.db",
        "DONDOC_WEB_PORT": str(port),
        "DONDOC_LANGUAGE": "en",
    }

    async def dondoc_process(*args: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            *args,
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    migrate = await dondoc_process("migrate")
    async with asyncio.timeout(60):
        await migrate.communicate()
    first = await dondoc_process("run")
    try:
        assert first.stdout is not None
        async with asyncio.timeout(60):
            running = (await first.stdout.readline()).decode()
        assert running.startswith(f"Dondoc is running at http://127.0.0.1:{port}")
        second = await dondoc_process("run")
        async with asyncio.timeout(60):
            stdout, stderr = await second.communicate()
        assert second.returncode == 2
        assert stdout == b""
        assert stderr.decode().strip().splitlines()[-1].startswith(f"Port {port} on 127.0.0.1")
        assert b"Traceback" not in stderr
    finally:
        first.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):
            await first.communicate()
    assert first.returncode == 0

"""``dondoc remind`` and ``dondoc digest`` from the terminal."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli import _register, app
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.models import ExplanationRequest, Role
from config import Settings
from tests.scheduler.builders import World

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def cli_database(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    async def setup() -> None:
        db = Database(sqlite_url)
        await db.create_all()
        ctx = AppContext(
            Settings(database_url=sqlite_url),
            db,
            FrozenClock(dt.datetime(2025, 12, 1, 9, tzinfo=HCM)),
        )
        async with db.session() as session:
            world = World(session, ctx)
            unit = await world.unit("SO-VH", "Sở Văn hóa, Thể thao và Du lịch")
            await world.official("VH-CV", unit, name="Lê Thu Hà", chat_id="7001")
            await world.official("VH-TP", unit, Role.HEAD, chat_id="7002")
            await world.task("NQ-01", unit, dt.date(2025, 12, 15), title="Đề án thành phố âm nhạc")
            late = await world.task("NV-09", unit, dt.date(2025, 11, 28), title="Lễ hội")
            leader = await world.official("LD-01", None, Role.LEADER, channels=())
            session.add(
                ExplanationRequest(
                    task_id=late.id,
                    unit_id=unit.id,
                    requested_by_id=leader.id,
                    due_date=dt.date(2025, 12, 5),
                    text="Giải trình",
                    created_at=ctx.now(),
                    answer="",
                )
            )
        await db.dispose()

    asyncio.run(setup())
    monkeypatch.setenv("DONDOC_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("DONDOC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no dondoc.toml from the working copy
    _register()
    return sqlite_url


def test_dry_run_lists_who_gets_what(cli_database: str) -> None:
    result = CliRunner().invoke(app, ["remind", "--dry-run", "--date", "15/12/2025"])

    assert result.exit_code == 0, result.output
    assert "Lời nhắc ngày 15/12/2025 (khung giờ 08:00): 2 tin nhắn." in result.output
    assert "Lê Thu Hà" in result.output and "7001" in result.output
    assert "đến hạn hôm nay: NQ-01" in result.output
    assert "cần giải trình: NV-09" in result.output  # the head is still asked


def test_dry_run_on_a_day_off_says_so(cli_database: str) -> None:
    result = CliRunner().invoke(app, ["remind", "--dry-run", "--date", "17/02/2026"])

    assert result.exit_code == 0
    assert "17/02/2026 không phải ngày làm việc: không gửi lời nhắc." in result.output


def test_a_bad_date_is_one_clear_line_and_exit_2(cli_database: str) -> None:
    result = CliRunner().invoke(app, ["remind", "--dry-run", "--date", "31/02/2026"])

    assert result.exit_code == 2
    assert result.output.strip() == (
        "Lỗi: --date phải là ngày có thật, viết dd/mm/yyyy, ví dụ 15/12/2025 (đã nhập '31/02/2026')"
    )


def test_digest_print_for_a_unit_and_a_wrong_leader(cli_database: str) -> None:
    unit = CliRunner().invoke(app, ["digest", "--print", "--unit", "so-vh"])
    leader = CliRunner().invoke(app, ["digest", "--print", "--leader", "VH-CV"])
    both = CliRunner().invoke(app, ["digest", "--print", "--leader", "X", "--unit", "Y"])

    assert unit.exit_code == 0, unit.output
    assert unit.output.startswith("TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ\nSở Văn hóa")
    assert leader.exit_code == 2
    assert "VH-CV không phải lãnh đạo hoặc quản trị" in leader.output
    assert both.exit_code == 2 and "dùng --leader hoặc --unit" in both.output

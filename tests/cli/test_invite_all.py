"""``dondoc invite --all``: the invite sheet of a whole city (codes, links, QR images)."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path

import pytest
import zxingcpp
from openpyxl import load_workbook
from openpyxl.drawing.image import Image
from PIL import Image as PILImage
from sqlalchemy import func, select
from typer.testing import CliRunner

import bot.cli.data_commands
import bot.cli.db_commands  # noqa: F401 - registers `migrate`
from bot.channel_traits import TELEGRAM
from bot.cli import app
from bot.context import AppContext
from bot.db import Database
from bot.invite_sheet import HEADERS, QR_COLUMN, qr_png
from bot.models import AuditLog, ChannelIdentity, InviteCode
from config import load_settings
from tests.handlers.backend import ChatBackend, ChatUser

runner = CliRunner()
BOT = "dondoc_hp_bot"
UNITS = "Mã đơn vị,Tên đơn vị\nSO-TC,Sở Tài chính\nSO-XD,Sở Xây dựng\n"
OFFICIALS = (
    "code,full_name,title,unit_code,role\n"
    "SO-TC-TT,Nguyễn Văn Hùng,Giám đốc,SO-TC,thủ trưởng\n"
    "SO-TC-CV,Trần Thị Mai,Chuyên viên,SO-TC,chuyên viên\n"
    "SO-XD-CV,Lê Văn Bình,Chuyên viên,SO-XD,chuyên viên\n"
)


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite database with two units and three officials, nobody linked."""
    for name in list(os.environ):
        if name.startswith("DONDOC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path}/city.db"
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    monkeypatch.setenv("DONDOC_LANGUAGE", "en")
    monkeypatch.setenv("DONDOC_TELEGRAM_BOT_USERNAME", f"@{BOT}")
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "officials.csv").write_text(OFFICIALS, encoding="utf-8")
    result = runner.invoke(app, ["import", "units.csv", "officials.csv"])
    assert result.exit_code == 0, result.output
    return url


def _rows(path: Path) -> tuple[list[dict[str, object]], list[Image], int]:
    """The sheet's data rows as dicts by header, its images, and the header row number."""
    sheet = load_workbook(path).active
    assert sheet is not None
    header_row = next(
        row[0].row for row in sheet.iter_rows() if tuple(c.value for c in row[:2]) == HEADERS[:2]
    )
    rows = [
        dict(zip(HEADERS, values, strict=False))
        for values in sheet.iter_rows(min_row=header_row + 1, values_only=True)
        if values[0] is not None
    ]
    return rows, list(sheet._images), header_row


def _link_with(url: str, code: str, user: str) -> str:
    """Send ``/start <code>`` through the handler backend; the reply text."""

    async def go() -> str:
        db = Database(url)
        try:
            ctx = AppContext(settings=load_settings(), db=db)
            backend = ChatBackend(ctx, TELEGRAM)
            [reply] = await backend.push_message(ChatUser(user), f"/start {code}")
            return reply.text
        finally:
            await db.dispose()

    return asyncio.run(go())


def _count(url: str, model: type[object], **where: object) -> int:
    async def go() -> int:
        db = Database(url)
        try:
            async with db.session() as session:
                query = select(func.count()).select_from(model)  # type: ignore[arg-type]
                for name, value in where.items():
                    query = query.where(getattr(model, name) == value)
                return int(await session.scalar(query) or 0)
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_sheet_has_a_row_link_and_qr_per_unlinked_official(city: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["invite", "--all", "--out", "invites.xlsx"])
    assert result.exit_code == 0, result.output
    assert "invites.xlsx: 3 officials" in result.output
    assert not (tmp_path / "invites.xlsx.part").exists()
    rows, images, header_row = _rows(tmp_path / "invites.xlsx")
    assert [(r["Mã cán bộ"], r["Họ và tên"], r["Chức vụ"], r["Đơn vị"]) for r in rows] == [
        ("SO-TC-CV", "Trần Thị Mai", "Chuyên viên", "Sở Tài chính"),
        ("SO-TC-TT", "Nguyễn Văn Hùng", "Giám đốc", "Sở Tài chính"),
        ("SO-XD-CV", "Lê Văn Bình", "Chuyên viên", "Sở Xây dựng"),
    ]
    for row in rows:
        assert row["Liên kết Telegram"] == f"https://t.me/{BOT}?start={row['Mã mời']}"
        assert str(row["Hết hạn"]).count("/") == 2
    assert len(images) == len(rows)
    for number, (row, image) in enumerate(zip(rows, images, strict=True), start=1):
        anchor = image.anchor._from
        assert (anchor.col + 1, anchor.row + 1) == (QR_COLUMN, header_row + number)
        png = image._data()
        assert png == qr_png(str(row["Liên kết Telegram"]))
        [decoded] = zxingcpp.read_barcodes(PILImage.open(io.BytesIO(png)))
        assert decoded.text == row["Liên kết Telegram"]
        assert (image.width, image.height) == PILImage.open(io.BytesIO(png)).size
    assert _count(city, AuditLog, action="invite.create") == 3

    first = str(rows[0]["Mã mời"])
    assert "Trần Thị Mai" in _link_with(city, first, "telegram-501")
    assert _count(city, ChannelIdentity) == 1

    again = runner.invoke(app, ["invite", "--all", "--unit", "SO-TC", "--out", "tc.xlsx"])
    assert again.exit_code == 0, again.output
    tc_rows, _, _ = _rows(tmp_path / "tc.xlsx")
    assert [r["Mã cán bộ"] for r in tc_rows] == ["SO-TC-TT"], "linked officials are left out"


def test_sheet_errors_keep_nothing(city: str, tmp_path: Path) -> None:
    for args in (
        ["invite", "--all"],
        ["invite", "--all", "--out", "invites.csv"],
        ["invite", "--all", "SO-TC-TT", "--out", "x.xlsx"],
        ["invite", "SO-TC-TT", "--out", "x.xlsx"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
    missing = runner.invoke(app, ["invite", "--all", "--out", "no/such/folder/x.xlsx"])
    assert missing.exit_code == 1 and "cannot write" in missing.output
    (tmp_path / "taken.xlsx.part").mkdir()  # the partial file cannot be written either
    taken = runner.invoke(app, ["invite", "--all", "--out", "taken.xlsx"])
    assert taken.exit_code == 1 and not (tmp_path / "taken.xlsx").exists()
    unknown = runner.invoke(app, ["invite", "--all", "--unit", "NOPE", "--out", "x.xlsx"])
    assert unknown.exit_code == 1
    assert _count(city, InviteCode) == 0, "a failed run issues no codes"

"""Unit kinds: from the import's kind column, else from the unit's name; the demo's ranking."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.demo import load_demo
from bot.evaluation.periods import month
from bot.evaluation.ranking import evaluate
from bot.importing import ImportFailed, import_files
from bot.importing.unit_kinds import infer_unit_kind
from bot.models import Unit, UnitKind


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Sở Tài chính", UnitKind.DEPARTMENT),
        ("Ban Quản lý Khu kinh tế", UnitKind.DEPARTMENT),
        ("Văn phòng UBND thành phố", UnitKind.DEPARTMENT),
        ("Phường Hồng Bàng", UnitKind.COMMUNE),
        ("xã Vĩnh Bảo", UnitKind.COMMUNE),
        ("Đặc khu Cát Hải", UnitKind.COMMUNE),
        ("UBND phường Lê Chân", UnitKind.COMMUNE),
        ("Xăng dầu khu vực III", UnitKind.OTHER),
        ("Phòng Ngân sách", UnitKind.OTHER),
    ],
)
def test_kind_inferred_from_whole_leading_words_of_the_name(name: str, kind: UnitKind) -> None:
    assert infer_unit_kind(name) is kind


async def test_import_takes_the_kind_column_or_the_name(ctx: AppContext, tmp_path: Path) -> None:
    units = [
        ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị"],
        ["SO-TC", "Sở Tài chính", ""],
        ["P-HB", "Phường Hồng Bàng", ""],
        ["TT-HC", "Trung tâm Phục vụ hành chính công", "sở/ban ngành"],
        ["CTY", "Công ty Cấp nước", ""],
    ]
    await import_files(ctx, [write_csv(tmp_path / "units.csv", units)])
    english = [["code", "name", "unit kind"], ["CTY", "Công ty Cấp nước", "commune"]]
    await import_files(ctx, [write_csv(tmp_path / "again.csv", english)])
    async with ctx.db.session() as session:
        kinds = dict((await session.execute(select(Unit.code, Unit.kind))).all())
    assert kinds == {
        "SO-TC": UnitKind.DEPARTMENT,
        "P-HB": UnitKind.COMMUNE,
        "TT-HC": UnitKind.DEPARTMENT,
        "CTY": UnitKind.COMMUNE,
    }


async def test_an_unknown_kind_is_refused_naming_the_accepted_values(
    ctx: AppContext, tmp_path: Path
) -> None:
    bad = [["code", "name", "kind"], ["U1", "Sở Một", "quận"]]
    with pytest.raises(ImportFailed) as caught:
        await import_files(ctx, [write_csv(tmp_path / "bad.csv", bad)])
    assert [str(issue) for issue in caught.value.errors] == [
        "bad.csv:2:kind: unknown unit kind 'quận'; use one of: department, commune, other "
        "(sở/ban ngành, cấp xã, khác); empty: from the name"
    ]


async def test_demo_ranks_departments_and_communes_apart(ctx: AppContext) -> None:
    await load_demo(ctx)
    async with ctx.db.session() as session:
        evaluation = await evaluate(session, ctx, month(ctx.today()), "Toàn thành phố")
    departments = evaluation.rankings[UnitKind.DEPARTMENT].rows
    communes = evaluation.rankings[UnitKind.COMMUNE].rows
    assert len(departments) >= 8
    assert len(communes) >= 3
    assert all(row.card.kind is UnitKind.DEPARTMENT for row in departments)
    scores = [row.card.score for row in departments]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) > 2, "a plausible ranking separates the units"

"""Pure import rules: header folding and recognition, cell parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.importing.headers import Kind, fold, recognise
from bot.importing.validation import CellError, code, deadline, unit_list


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Mã đơn vị", "ma don vi"),
        ("ĐƠN VỊ CHỦ TRÌ", "don vi chu tri"),
        ("parent_code", "parent code"),
        ("  Số ký hiệu   văn bản ", "so ky hieu van ban"),
        ("Thời hạn (dd/mm/yyyy)", "thoi han dd mm yyyy"),
    ],
)
def test_headers_fold_case_diacritics_and_punctuation(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (["code", "name", "parent_code"], Kind.UNITS),
        (["Mã đơn vị", "Tên đơn vị"], Kind.UNITS),
        (["code", "full_name", "title", "unit_code", "role", "phone"], Kind.OFFICIALS),
        (["Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị", "Vai trò"], Kind.OFFICIALS),
        (["code", "title", "lead_unit"], Kind.TASKS),
        (["MA NHIEM VU", "TEN NHIEM VU", "DON VI CHU TRI", "THOI HAN"], Kind.TASKS),
    ],
)
def test_table_kind_is_recognised_from_its_header(header: list[str], kind: Kind) -> None:
    match = recognise(header)
    assert match is not None and match.kind is kind
    assert match.missing == ()


def test_ambiguous_or_foreign_headers_are_not_recognised() -> None:
    assert recognise(["foo", "bar"]) is None
    assert recognise(["code", "title"]) is None  # a task title or an official's title?


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("15/12/2025", dt.date(2025, 12, 15)),
        ("5/1/2026", dt.date(2026, 1, 5)),
        ("2026-01-05", dt.date(2026, 1, 5)),
        (dt.datetime(2026, 1, 5, 0, 0), dt.date(2026, 1, 5)),
        (dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
        ("", None),
        (None, None),
    ],
)
def test_deadlines_in_vietnamese_or_iso_form(cell: object, day: dt.date | None) -> None:
    assert deadline(cell) == day


@pytest.mark.parametrize("cell", ["31/02/2025", "29/02/2025", "2025-13-01", "15.12.2025", "mai"])
def test_impossible_or_garbled_deadlines_are_refused(cell: str) -> None:
    with pytest.raises(CellError):
        deadline(cell)


def test_codes_are_upper_case_without_spaces() -> None:
    assert code(" so-tc ") == "SO-TC"
    assert code(12.0) == "12"
    with pytest.raises(CellError):
        code("SO TC")
    with pytest.raises(CellError):
        code("X" * 65)


def test_unit_lists_split_on_semicolons_and_commas() -> None:
    assert unit_list("so-xd; SO-TC,SO-XD , ") == ["SO-XD", "SO-TC"]
    assert unit_list(None) == []

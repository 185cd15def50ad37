"""Which kind of table a header row describes, and which column holds which field.

Headers are matched in Vietnamese or English without regard to case, diacritics, spaces,
underscores or punctuation: "Mã đơn vị", "MA DON VI" and "ma_don_vi" are the same header.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, without diacritics (đ→d), words separated by single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.lower()).strip()


class Kind(enum.StrEnum):
    UNITS = "units"
    OFFICIALS = "officials"
    TASKS = "tasks"


@dataclass(frozen=True)
class Column:
    field: str
    aliases: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    kind: Kind
    columns: tuple[Column, ...]

    def lookup(self) -> dict[str, str]:
        """Folded alias → field name."""
        return {
            fold(alias): col.field for col in self.columns for alias in (col.field, *col.aliases)
        }

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(col.field for col in self.columns if col.required)


SPECS: dict[Kind, TableSpec] = {
    Kind.UNITS: TableSpec(
        Kind.UNITS,
        (
            Column("code", ("unit code", "mã đơn vị", "mã"), required=True),
            Column("name", ("unit name", "tên đơn vị", "tên"), required=True),
            Column(
                "parent_code", ("parent", "parent unit", "đơn vị cấp trên", "mã đơn vị cấp trên")
            ),
            Column("kind", ("unit kind", "loại đơn vị", "loại", "cấp")),
        ),
    ),
    Kind.OFFICIALS: TableSpec(
        Kind.OFFICIALS,
        (
            Column("code", ("official code", "mã cán bộ", "mã công chức", "mã"), required=True),
            Column("full_name", ("họ và tên", "họ tên"), required=True),
            Column("title", ("position", "chức vụ", "chức danh")),
            Column("unit_code", ("unit", "mã đơn vị", "đơn vị")),
            Column("role", ("vai trò",)),
            Column("phone", ("số điện thoại", "điện thoại")),
            Column("language", ("ngôn ngữ",)),
        ),
    ),
    Kind.TASKS: TableSpec(
        Kind.TASKS,
        (
            Column("code", ("task code", "mã nhiệm vụ", "mã"), required=True),
            Column(
                "title",
                ("task", "tên nhiệm vụ", "nhiệm vụ", "nội dung", "nội dung nhiệm vụ"),
                required=True,
            ),
            Column("description", ("mô tả",)),
            Column(
                "source_document",
                ("source", "văn bản", "số ký hiệu văn bản", "số hiệu văn bản", "văn bản giao"),
            ),
            Column("assigned_by", ("lãnh đạo giao", "người giao", "lãnh đạo chỉ đạo")),
            Column("lead_unit", ("lead unit code", "đơn vị chủ trì"), required=True),
            Column("leader_in_charge", ("leader in charge", "lãnh đạo phụ trách")),
            Column("handler", ("handling official", "cán bộ thụ lý", "người thụ lý", "thụ lý")),
            Column("coordinating_units", ("đơn vị phối hợp",)),
            Column("deadline", ("thời hạn", "hạn hoàn thành", "hạn")),
            Column("expected_output", ("output", "sản phẩm", "sản phẩm đầu ra", "kết quả đầu ra")),
            Column("priority", ("mức độ ưu tiên", "độ ưu tiên", "ưu tiên")),
        ),
    ),
}

IGNORED_HEADERS = frozenset(fold(h) for h in ("stt", "no", "số thứ tự", "ghi chú", "notes", "note"))
"""Columns spreadsheets commonly carry that the import does not use (no warning)."""

_LOOKUPS = {kind: spec.lookup() for kind, spec in SPECS.items()}


@dataclass(frozen=True)
class HeaderMatch:
    """A recognised header: the table kind and, per field, the 0-based column index."""

    kind: Kind
    columns: dict[str, int]
    headers: dict[str, str]
    """Field → header text as written in the file (for error messages)."""
    missing: tuple[str, ...]
    duplicated: tuple[str, ...]
    unknown: tuple[str, ...]


def recognise(header: list[str]) -> HeaderMatch | None:
    """The table kind whose columns the header matches best, or None if none fits.

    A kind wins when more header cells map to its fields than to any other kind's.
    """
    folded = [fold(cell) for cell in header]
    scores = {
        kind: sum(1 for cell in folded if cell in lookup) for kind, lookup in _LOOKUPS.items()
    }
    best = max(scores.values())
    winners = [kind for kind, score in scores.items() if score == best]
    if best < 2 or len(winners) != 1:
        return None
    kind = winners[0]
    lookup = _LOOKUPS[kind]
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    duplicated: list[str] = []
    unknown: list[str] = []
    for index, (raw, cell) in enumerate(zip(header, folded, strict=True)):
        if not cell or cell in IGNORED_HEADERS:
            continue
        field = lookup.get(cell)
        if field is None:
            unknown.append(raw.strip())
        elif field in columns:
            duplicated.append(raw.strip())
        else:
            columns[field] = index
            headers[field] = raw.strip()
    missing = tuple(field for field in SPECS[kind].required if field not in columns)
    return HeaderMatch(kind, columns, headers, missing, tuple(duplicated), tuple(unknown))

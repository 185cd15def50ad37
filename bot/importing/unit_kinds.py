"""A unit's kind from its name, as the city groups units in its reports: "Sở", "Ban",
"Văn phòng" are city departments; "Phường", "Xã", "Đặc khu" are commune-level units."""

from __future__ import annotations

from bot.importing.headers import fold
from bot.models import UnitKind

_PREFIXES: tuple[tuple[str, UnitKind], ...] = (
    ("so", UnitKind.DEPARTMENT),
    ("ban", UnitKind.DEPARTMENT),
    ("van phong", UnitKind.DEPARTMENT),
    ("thanh tra", UnitKind.DEPARTMENT),
    ("phuong", UnitKind.COMMUNE),
    ("xa", UnitKind.COMMUNE),
    ("dac khu", UnitKind.COMMUNE),
    ("ubnd phuong", UnitKind.COMMUNE),
    ("ubnd xa", UnitKind.COMMUNE),
    ("ubnd dac khu", UnitKind.COMMUNE),
    ("uy ban nhan dan phuong", UnitKind.COMMUNE),
    ("uy ban nhan dan xa", UnitKind.COMMUNE),
    ("uy ban nhan dan dac khu", UnitKind.COMMUNE),
)

KIND_NAMES: dict[str, UnitKind] = {
    **{kind.value: kind for kind in UnitKind},
    "so": UnitKind.DEPARTMENT,
    "so ban nganh": UnitKind.DEPARTMENT,
    "so nganh": UnitKind.DEPARTMENT,
    "cap thanh pho": UnitKind.DEPARTMENT,
    "xa": UnitKind.COMMUNE,
    "cap xa": UnitKind.COMMUNE,
    "phuong xa": UnitKind.COMMUNE,
    "phuong xa dac khu": UnitKind.COMMUNE,
    "khac": UnitKind.OTHER,
}
"""Folded cell values the import accepts for the kind column."""


def infer_unit_kind(name: str) -> UnitKind:
    """The kind a unit's name says (whole leading words), or OTHER."""
    words = fold(name)
    for prefix, kind in _PREFIXES:
        if words == prefix or words.startswith(prefix + " "):
            return kind
    return UnitKind.OTHER

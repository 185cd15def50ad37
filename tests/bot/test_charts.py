"""The status chart is a real PNG with one bar per unit (at most 20)."""

from __future__ import annotations

import struct
from collections import Counter

from bot.charts import MAX_UNITS, SERIES, status_chart_png
from bot.services.summary import UnitFigures
from bot.status import STATUS_ORDER, Status


def _size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _units(count: int) -> list[UnitFigures]:
    return [
        UnitFigures(
            n,
            f"U{n}",
            f"Ủy ban nhân dân phường số {n}",
            Counter({Status.OVERDUE: n % 3, Status.IN_PROGRESS: 4, Status.DONE_ON_TIME: 2}),
        )
        for n in range(count)
    ]


def test_chart_is_a_png_that_grows_with_the_units_shown() -> None:
    few = status_chart_png(_units(3), "vi")
    many = status_chart_png(_units(50), "en", title="Task status")

    assert few.startswith(b"\x89PNG\r\n\x1a\n") and many.startswith(b"\x89PNG")
    assert _size(few)[0] == _size(many)[0] == 900
    assert _size(few)[1] < _size(many)[1] == round(100 * (1.6 + 0.38 * MAX_UNITS))


def test_bars_and_legend_follow_the_official_order() -> None:
    assert [status for status, _ in SERIES] == list(STATUS_ORDER)

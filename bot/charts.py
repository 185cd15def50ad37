"""The status chart: a horizontal stacked bar per unit in the four official categories (PNG).

Drawn on matplotlib's Agg canvas directly (no pyplot, no global backend, no display); the
weekly digest attaches it and the dashboard may show it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.i18n import Catalog
from bot.services.summary import UnitFigures
from bot.status import Status
from bot.texts import TEXTS as DOMAIN_TEXTS

TEXTS = Catalog("charts")

#: Overdue first (what a leader looks for), then in progress, done late, done on time.
SERIES: tuple[tuple[Status, str], ...] = (
    (Status.OVERDUE, "#c0392b"),
    (Status.IN_PROGRESS, "#2e86c1"),
    (Status.DONE_LATE, "#e67e22"),
    (Status.DONE_ON_TIME, "#27ae60"),
)
MAX_UNITS = 20
MAX_LABEL = 32


def status_chart_png(
    units: Sequence[UnitFigures], lang: str = "vi", *, title: str | None = None
) -> bytes:
    """PNG bytes of the chart; the units come in the order given (overdue first from
    ``unit_figures``), at most :data:`MAX_UNITS` of them."""
    shown = list(units[:MAX_UNITS])
    height = 1.6 + 0.38 * max(len(shown), 1)
    figure = Figure(figsize=(9, height), dpi=100)
    canvas = FigureCanvasAgg(figure)
    axes = figure.subplots()
    labels = [_label(unit.name) for unit in shown]
    positions = list(range(len(shown)))
    left = [0] * len(shown)
    for status, color in SERIES:
        values = [unit.counts[status] for unit in shown]
        axes.barh(
            positions,
            values,
            left=left,
            color=color,
            label=DOMAIN_TEXTS.t(f"status.{status.value}", lang),
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlabel(TEXTS.t("axis", lang))
    heading = title or TEXTS.t("title", lang)
    if len(units) > MAX_UNITS:
        heading = f"{heading} {TEXTS.t('more', lang, n=len(units) - MAX_UNITS)}"
    axes.set_title(heading)
    axes.legend(loc="lower right", fontsize="small")
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL else f"{name[: MAX_LABEL - 1]}…"

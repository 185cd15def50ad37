"""The status chart: a horizontal stacked bar per unit in the four official categories (PNG),
with, when a weekly trend is given, a second panel of the four categories week by week.

Drawn on matplotlib's Agg canvas directly (no pyplot, no global backend, no display); the
weekly digest attaches it and the dashboard may show it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.evaluation.trends import TrendPoint
from bot.i18n import Catalog
from bot.services.summary import UnitFigures
from bot.status import Status
from bot.texts import TEXTS as DOMAIN_TEXTS

TEXTS = Catalog("charts")

#: The four categories in the official order (bars and legend alike), with their colours.
SERIES: tuple[tuple[Status, str], ...] = (
    (Status.DONE_ON_TIME, "#27ae60"),
    (Status.DONE_LATE, "#e67e22"),
    (Status.IN_PROGRESS, "#2e86c1"),
    (Status.OVERDUE, "#c0392b"),
)
MAX_UNITS = 20
MAX_LABEL = 32


def status_chart_png(
    units: Sequence[UnitFigures],
    lang: str = "vi",
    *,
    title: str | None = None,
    trend: Sequence[TrendPoint] = (),
) -> bytes:
    """PNG bytes of the chart; the units come in the order given (overdue first from
    ``unit_figures``), at most :data:`MAX_UNITS` of them; ``trend`` (two weeks or more) adds
    the weekly trend panel below."""
    shown = list(units[:MAX_UNITS])
    height = 1.6 + 0.38 * max(len(shown), 1)
    with_trend = len(trend) >= 2
    figure = Figure(figsize=(9, height + (3.2 if with_trend else 0)), dpi=100)
    canvas = FigureCanvasAgg(figure)
    if with_trend:
        axes, trend_axes = figure.subplots(
            2, 1, gridspec_kw={"height_ratios": [height, 3.2]}, squeeze=True
        )
        _draw_trend(trend_axes, trend, lang)
    else:
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


def _draw_trend(axes: Axes, trend: Sequence[TrendPoint], lang: str) -> None:
    weeks = [f"{p.week.day:02d}/{p.week.month:02d}" for p in trend]
    for status, color in SERIES:
        axes.plot(
            weeks,
            [p.counts[status] for p in trend],
            marker="o",
            color=color,
            label=DOMAIN_TEXTS.t(f"status.{status.value}", lang),
        )
    axes.set_title(TEXTS.t("trend", lang))
    axes.set_xlabel(TEXTS.t("week", lang))
    axes.set_ylabel(TEXTS.t("axis", lang))
    axes.grid(alpha=0.3)


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL else f"{name[: MAX_LABEL - 1]}…"

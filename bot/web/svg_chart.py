"""Charts as inline SVG, drawn on the server so the dashboard needs no chart library: a
horizontal stacked bar chart (tasks by unit and status) and the weekly trend lines.

Data → SVG is geometry, which Python states more plainly than a template; every text that
goes in (unit names, labels, titles) is escaped by :meth:`Markup.format`, so the result is
safe markup for the page templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup

from bot.evaluation.trends import TrendPoint
from bot.i18n import format_date
from bot.services.summary import UnitFigures
from bot.status import STATUS_ORDER, Status

COLOURS: dict[Status, str] = {
    Status.DONE_ON_TIME: "#2e7d32",
    Status.DONE_LATE: "#f9a825",
    Status.IN_PROGRESS: "#1565c0",
    Status.OVERDUE: "#c62828",
}
ROW = 26
BAR = 18
LABEL_WIDTH = 200
CHART_WIDTH = 520
RIGHT_PAD = 40
LEGEND_CHAR = 6.6
"""Approximate width of one legend character at 12px."""


def unit_status_chart(
    units: Sequence[UnitFigures], labels: dict[Status, str], title: str
) -> Markup:
    """One bar per unit, split by the four categories, longest total = full width."""
    longest = max((unit.total for unit in units), default=0) or 1
    height = ROW * len(units) + 40
    width = LABEL_WIDTH + CHART_WIDTH + RIGHT_PAD
    rows = []
    for index, unit in enumerate(units):
        y = index * ROW + 4
        x = float(LABEL_WIDTH)
        segments = []
        for status in STATUS_ORDER:
            count = unit.counts[status]
            if not count:
                continue
            w = CHART_WIDTH * count / longest
            segments.append(
                _svg(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
                    "<title>{tip}</title></rect>",
                    x=f"{x:.1f}",
                    y=y,
                    w=f"{w:.1f}",
                    h=BAR,
                    fill=COLOURS[status],
                    tip=f"{unit.name}: {labels[status]} {count}",
                )
            )
            x += w
        rows.append(
            _svg(
                '<text x="{lx}" y="{ty}" text-anchor="end" class="chart-label">{label}</text>'
                '{segments}<text x="{nx}" y="{ty}" class="chart-total">{total}</text>',
                lx=LABEL_WIDTH - 8,
                ty=y + BAR - 4,
                label=_short(unit.name),
                segments=Markup("").join(segments),
                nx=f"{x + 6:.1f}",
                total=unit.total,
            )
        )
    legend = _legend(labels, ROW * len(units) + 20)
    return _svg(
        '<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>{rows}{legend}</svg>',
        width=width,
        height=height,
        title=title,
        rows=Markup("").join(rows),
        legend=Markup("").join(legend),
    )


def _svg(template: str, /, **values: object) -> Markup:
    """Fill the ``{name}`` fields of an SVG fragment; values are escaped unless markup."""
    return Markup(template).format(**values)


def _short(name: str, limit: int = 30) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


TREND_WIDTH = 760
TREND_HEIGHT = 240
TREND_LEFT = 40
TREND_TOP = 16
TREND_PLOT_HEIGHT = 160


def trend_chart(points: Sequence[TrendPoint], labels: dict[Status, str], title: str) -> Markup:
    """One line per category over the weeks (the last snapshot of each week)."""
    if not points:
        return Markup("")
    highest = max(max(point.counts.values(), default=0) for point in points) or 1
    step = (TREND_WIDTH - TREND_LEFT - 20) / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return TREND_LEFT + index * step

    def y(value: int) -> float:
        return TREND_TOP + TREND_PLOT_HEIGHT * (1 - value / highest)

    lines = []
    for status in STATUS_ORDER:
        path = " ".join(
            f"{x(i):.1f},{y(point.counts[status]):.1f}" for i, point in enumerate(points)
        )
        lines.append(
            _svg(
                '<polyline points="{points}" fill="none" stroke="{stroke}" stroke-width="2">'
                "<title>{tip}</title></polyline>",
                points=path,
                stroke=COLOURS[status],
                tip=labels[status],
            )
        )
        for i, point in enumerate(points):
            lines.append(
                _svg(
                    '<circle cx="{cx}" cy="{cy}" r="3" fill="{fill}" data-status="{status}" '
                    'data-week="{week}"><title>{tip}</title></circle>',
                    cx=f"{x(i):.1f}",
                    cy=f"{y(point.counts[status]):.1f}",
                    fill=COLOURS[status],
                    status=status.value,
                    week=point.week.isoformat(),
                    tip=f"{format_date(point.day)}: {labels[status]} {point.counts[status]}",
                )
            )
    axis_y = TREND_TOP + TREND_PLOT_HEIGHT
    ticks = [
        _svg(
            '<text x="{x}" y="{y}" text-anchor="middle" class="chart-legend">{label}</text>',
            x=f"{x(i):.1f}",
            y=axis_y + 16,
            label=f"{point.week.day:02d}/{point.week.month:02d}",
        )
        for i, point in enumerate(points)
    ]
    scale = _svg(
        '<text x="4" y="{top}" class="chart-legend">{high}</text>'
        '<text x="4" y="{bottom}" class="chart-legend">0</text>'
        '<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"></line>',
        top=TREND_TOP + 4,
        high=highest,
        bottom=f"{axis_y:.1f}",
        left=TREND_LEFT,
        right=TREND_WIDTH - 10,
    )
    legend = _legend(labels, axis_y + 28)
    return _svg(
        '<svg class="chart trend" viewBox="0 0 {width} {height}" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>{scale}{lines}{ticks}{legend}</svg>',
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        title=title,
        scale=scale,
        lines=Markup("").join(lines),
        ticks=Markup("").join(ticks),
        legend=Markup("").join(legend),
    )


def _legend(labels: Mapping[Status, str], y: float) -> list[Markup]:
    """One coloured square and label per category, in the official order, on one line."""
    items = []
    x = 8.0
    for status in STATUS_ORDER:
        items.append(
            _svg(
                '<rect x="{x}" y="{y}" width="12" height="12" fill="{fill}"></rect>'
                '<text x="{tx}" y="{ty}" class="chart-legend">{label}</text>',
                x=x,
                y=y,
                fill=COLOURS[status],
                tx=x + 16,
                ty=y + 11,
                label=labels[status],
            )
        )
        x += 16 + LEGEND_CHAR * len(labels[status]) + 18
    return items

"""A horizontal stacked bar chart (tasks by unit and status) as inline SVG, drawn on the
server so the dashboard needs no chart library."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.summary import UnitFigures
from bot.status import STATUS_ORDER, Status
from bot.web.html import Markup, join, render

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
                render(
                    '<rect x="$x" y="$y" width="$w" height="$h" fill="$fill">'
                    "<title>$tip</title></rect>",
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
            render(
                '<text x="$lx" y="$ty" text-anchor="end" class="chart-label">$label</text>'
                '$segments<text x="$nx" y="$ty" class="chart-total">$total</text>',
                lx=LABEL_WIDTH - 8,
                ty=y + BAR - 4,
                label=_short(unit.name),
                segments=join(segments),
                nx=f"{x + 6:.1f}",
                total=unit.total,
            )
        )
    legend = []
    legend_y = ROW * len(units) + 20
    lx = 8.0
    for status in STATUS_ORDER:
        legend.append(
            render(
                '<rect x="$x" y="$y" width="12" height="12" fill="$fill"></rect>'
                '<text x="$tx" y="$ty" class="chart-legend">$label</text>',
                x=lx,
                y=legend_y,
                fill=COLOURS[status],
                tx=lx + 16,
                ty=legend_y + 11,
                label=labels[status],
            )
        )
        lx += 16 + LEGEND_CHAR * len(labels[status]) + 18
    return render(
        '<svg class="chart" viewBox="0 0 $width $height" role="img" aria-label="$title" '
        'xmlns="http://www.w3.org/2000/svg"><title>$title</title>$rows$legend</svg>',
        width=width,
        height=height,
        title=title,
        rows=join(rows),
        legend=join(legend),
    )


def _short(name: str, limit: int = 30) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"

"""Server-rendered SVG bar charts: the geometry here, the markup in `results/_bar_chart.html`.

One row per bar: the label and the value on a line of text, the bar under them on a track as
wide as the chart. The SVG scales with its `viewBox` (at most 30rem wide), so at 320 px the
text is still 12 px. Colours come from classes in civica.css (the CSP forbids inline styles),
with presentation attributes as the fallback; winners differ from other projects by shape too
(solid against outlined bars), not by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 360
ROW_HEIGHT = 46
LABEL_BASELINE = 18
BAR_TOP = 25
BAR_HEIGHT = 14
LABEL_CHARACTERS = 28


@dataclass(frozen=True)
class ChartRow:
    """One bar's data: its label, value, the value as text, and whether it is a winner.

    `written`: the label is a text written for the cycle (a project's title, in the cycle's
    language), not the interface's ("Left unspent")."""

    label: str
    value: int
    value_text: str
    selected: bool = False
    written: bool = True


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    value_text: str
    width: str
    """The bar's width in viewBox units, as SVG attribute text."""
    label_y: int
    bar_y: int
    selected: bool
    written: bool


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    summary: str
    legend: str
    width: int
    height: int
    track_height: int
    bars: tuple[Bar, ...]


def bar_chart(
    chart_id: str,
    title: str,
    summary: str,
    rows: Sequence[ChartRow],
    scale: int,
    legend: str = "",
) -> BarChart:
    """Lay out `rows` as bars whose full width stands for `scale` (the largest value or more)."""
    full = max(scale, max((row.value for row in rows), default=0), 1)
    bars = tuple(
        Bar(
            label=shorten(row.label, LABEL_CHARACTERS),
            full_label=row.label,
            value_text=row.value_text,
            width=f"{WIDTH * max(row.value, 0) / full:.2f}",
            label_y=position * ROW_HEIGHT + LABEL_BASELINE,
            bar_y=position * ROW_HEIGHT + BAR_TOP,
            selected=row.selected,
            written=row.written,
        )
        for position, row in enumerate(rows)
    )
    return BarChart(
        id=chart_id,
        title=title,
        summary=summary,
        legend=legend,
        width=WIDTH,
        height=max(1, len(rows)) * ROW_HEIGHT,
        track_height=BAR_HEIGHT,
        bars=bars,
    )


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis (the full text is in the table)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

"""Chart geometry for the dashboard's inline SVG: Python turns series into coordinates, the
template draws them. No chart library, no script: the page works from file:// with nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from ecom_elt.reporting.formats import metric_label, metric_value
from ecom_elt.reporting.quality import Anomaly

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 30
PALETTE = ("#2563eb", "#dc2626", "#d97706", "#059669", "#7c3aed", "#0891b2")


@dataclass
class Point:
    x: float
    y: float
    label: str
    kind: str = "ok"  # ok, anomaly, settling, insufficient_history


@dataclass
class Line:
    name: str
    color: str
    paths: list[str]  # polyline point lists; a gap (missing value) starts a new one
    points: list[Point] = field(default_factory=list)


@dataclass
class LineChart:
    title: str
    subtitle: str
    lines: list[Line]
    bands: list[str]  # polygon point lists of the expected band
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    flagged: int = 0


@dataclass
class Bar:
    label: str
    value: float
    text: str
    y: float
    width: float
    status: str = "ok"


@dataclass
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    if not math.isfinite(low) or not math.isfinite(high):
        return []
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 0.5:
        ticks.append(round(value, 12))
        value += step
    return ticks


class _Scale:
    def __init__(self, count: int, low: float, high: float, chart: LineChart) -> None:
        self.count, self.low, self.high, self.chart = count, low, high, chart

    def x(self, index: int) -> float:
        span = self.chart.right - self.chart.left
        if self.count == 1:
            return round(self.chart.left + span / 2, 2)
        return round(self.chart.left + span * (index / (self.count - 1)), 2)

    def y(self, value: float) -> float:
        value = min(max(value, self.low), self.high)
        share = (value - self.low) / (self.high - self.low)
        return round(self.chart.bottom - share * (self.chart.bottom - self.chart.top), 2)


def _x_ticks(labels: list[str], scale: _Scale, most: int = 6) -> list[tuple[float, str]]:
    if not labels:
        return []
    step = max(1, math.ceil(len(labels) / most))
    picks = list(range(0, len(labels), step))
    if picks[-1] != len(labels) - 1 and len(labels) - 1 - picks[-1] >= step / 2:
        picks.append(len(labels) - 1)
    return [(scale.x(i), labels[i]) for i in picks]


def _paths(values: list[float | None], scale: _Scale) -> list[str]:
    paths, current = [], []
    for i, value in enumerate(values):
        if value is None or not math.isfinite(value):
            if current:
                paths.append(" ".join(current))
            current = []
            continue
        current.append(f"{scale.x(i)},{scale.y(value)}")
    if current:
        paths.append(" ".join(current))
    return paths


def line_chart(
    title: str,
    subtitle: str,
    x_labels: list[str],
    series: dict[str, list[float | None]],
    value_text=lambda v: f"{v:,.4g}",
    zero_based: bool = True,
) -> LineChart:
    """Several series over the same x labels (e.g. one point per run)."""
    chart = LineChart(title, subtitle, [], [], [], [])
    values = [v for s in series.values() for v in s if v is not None and math.isfinite(v)]
    low = min(values + ([0.0] if zero_based else [])) if values else 0.0
    high = max(values) if values else 1.0
    ticks = _nice_ticks(low, high)
    if ticks:
        low, high = min(ticks[0], low), max(ticks[-1], high)
    scale = _Scale(len(x_labels), low, high if high > low else low + 1, chart)
    chart.y_ticks = [(scale.y(t), value_text(t)) for t in ticks]
    chart.x_ticks = _x_ticks(x_labels, scale)
    for n, (name, points) in enumerate(series.items()):
        line = Line(name, PALETTE[n % len(PALETTE)], _paths(points, scale))
        line.points = [
            Point(scale.x(i), scale.y(v), f"{x_labels[i]}: {name} {value_text(v)}")
            for i, v in enumerate(points)
            if v is not None and math.isfinite(v)
        ]
        chart.lines.append(line)
    return chart


def anomaly_chart(metric: str, source: str, days: list[Anomaly]) -> LineChart:
    """One metric's daily series with its expected band and the days flagged."""
    days = sorted(days, key=lambda a: a.day)
    flagged = sum(1 for a in days if a.is_anomaly)
    subtitle = f"{len(days)} days, {flagged} flagged" if days else "no days"
    chart = LineChart(f"{metric_label(metric)} — {source}", subtitle, [], [], [], [])
    chart.flagged = flagged
    if not days:
        return chart
    values = [a.value for a in days]
    finite = [v for v in values if v is not None and math.isfinite(v)]
    bounds = [
        b
        for a in days
        for b in (a.lower_bound, a.upper_bound)
        if b is not None and math.isfinite(b)
    ]
    top_value = max(finite) if finite else 1.0
    # A wide band must not flatten the series: cap the axis at twice the largest value.
    high = max([*finite, *[min(b, 2 * top_value) for b in bounds]] or [1.0])
    low = min([0.0, *finite, *bounds])
    ticks = _nice_ticks(low, high)
    if ticks:
        low, high = min(ticks[0], low), max(ticks[-1], high)
    scale = _Scale(len(days), low, high if high > low else low + 1, chart)

    def text(v: float) -> str:
        return metric_value(metric, v)

    chart.y_ticks = [(scale.y(t), text(t)) for t in ticks]
    labels = [a.day.isoformat() for a in days]
    chart.x_ticks = _x_ticks([_short(d.day) for d in days], scale)
    # The band: contiguous runs of days that have both bounds.
    run: list[int] = []
    for i, a in enumerate([*days, None]):
        if a is not None and a.lower_bound is not None and a.upper_bound is not None:
            run.append(i)
            continue
        if run:
            upper = [f"{scale.x(j)},{scale.y(days[j].upper_bound)}" for j in run]
            lower = [f"{scale.x(j)},{scale.y(days[j].lower_bound)}" for j in reversed(run)]
            chart.bands.append(" ".join(upper + lower))
        run = []
    line = Line("value", PALETTE[0], _paths(values, scale))
    for i, a in enumerate(days):
        if a.value is None or not math.isfinite(a.value):
            continue
        kind = "anomaly" if a.is_anomaly else a.status
        band = (
            f"expected {text(a.lower_bound)} to {text(a.upper_bound)}"
            if a.lower_bound is not None and a.upper_bound is not None
            else "no band yet"
        )
        line.points.append(
            Point(
                scale.x(i), scale.y(a.value), f"{labels[i]}: {text(a.value)}, {band}; {kind}", kind
            )
        )
    chart.lines.append(line)
    return chart


def _short(day: date) -> str:
    return day.strftime("%d %b")


def bar_chart(title: str, items: list[tuple[str, float, str, str]], width: int = 640) -> BarChart:
    """Horizontal bars: (label, value, value text, status) each."""
    bar_height, gap, label_width = 16, 6, 260
    top = max((v for _, v, _, _ in items), default=0.0) or 1.0
    span = width - label_width - 70
    bars = [
        Bar(label, value, text, i * (bar_height + gap), max(1.0, span * value / top), status)
        for i, (label, value, text, status) in enumerate(items)
    ]
    return BarChart(
        title, bars, width, len(items) * (bar_height + gap) + 4, label_width, bar_height
    )

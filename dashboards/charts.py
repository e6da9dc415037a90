"""Server-rendered SVG charts: pure functions of their data, with a title and a description
written from the same data. Every chart sits beside a table of the same numbers.

No colour carries meaning on its own: bars are labelled with their values, and the lines of a
line chart differ in dash and marker shape as well as colour and are labelled directly. Shapes
use presentation attributes (no inline styles: the Content Security Policy forbids them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BLUE = "#1d70b8"
BLACK = "#0b0c0c"
GREY = "#505a5f"
TRACK = "#f3f2f1"
GRID = "#b1b4b6"
WIDTH = 640
FONT = 'font-family="arial, sans-serif"'


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    svg: SafeString


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as the table shows it


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    return f"{value:.1f}{unit}"


def describe_bars(bars: Sequence[Bar], *, subject: str, unit: str = "%") -> str:
    known = [b for b in bars if b.value is not None]
    if not known:
        return f"{subject}: there is no data yet."
    high = max(known, key=lambda b: b.value or 0.0)
    low = min(known, key=lambda b: b.value or 0.0)
    text = f"{subject}, {len(bars)} bar{'s' if len(bars) != 1 else ''}."
    if len(known) == 1:
        return f"{text} {high.label}: {high.text}."
    text += f" Highest: {high.label}, {high.text}. Lowest: {low.label}, {low.text}."
    missing = len(bars) - len(known)
    if missing:
        text += f" {missing} with no data."
    return text


def bar_chart(
    *,
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    subject: str,
    maximum: float = 100.0,
    unit: str = "%",
    reference: tuple[float, str] | None = None,
) -> Chart:
    """Horizontal bars, each with its label above it and its value at its end."""
    description = describe_bars(bars, subject=subject, unit=unit)
    if reference is not None:
        description += f" The dashed line marks {reference[1]}."
    label_height, bar_height, gap, top = 20, 20, 14, 8
    row = label_height + bar_height + gap
    plot = WIDTH - 90
    height = top + row * max(len(bars), 1) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart__svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    scale = plot / maximum if maximum else 0.0
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            f'<text x="0" y="{y + 14}" {FONT} font-size="14" fill="{BLACK}">{escape(bar.label)}</text>'
        )
        bar_y = y + label_height
        parts.append(
            f'<rect x="0" y="{bar_y}" width="{plot}" height="{bar_height}" fill="{TRACK}"/>'
        )
        if bar.value is None:
            parts.append(
                f'<text x="6" y="{bar_y + 15}" {FONT} font-size="14" fill="{GREY}">{escape(bar.text)}</text>'
            )
            continue
        width = max(0.0, min(plot, bar.value * scale))
        parts.append(
            f'<rect x="0" y="{bar_y}" width="{width:.1f}" height="{bar_height}" fill="{BLUE}"/>'
        )
        parts.append(
            f'<text x="{width + 6:.1f}" y="{bar_y + 15}" {FONT} font-size="14" font-weight="bold" '
            f'fill="{BLACK}">{escape(bar.text)}</text>'
        )
    if reference is not None and maximum:
        x = max(0.0, min(plot, reference[0] * scale))
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 2}" stroke="{BLACK}" '
            'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    parts.append("</svg>")
    return Chart(id=chart_id, title=title, description=description, svg=mark_safe("".join(parts)))


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    dash: str = ""  # an SVG stroke-dasharray, e.g. "8 5"
    marker: str = "circle"  # or "square" or "diamond"
    colour: str = BLUE


def describe_lines(labels: Sequence[str], series: Sequence[Series], *, unit: str = "") -> str:
    if not labels:
        return "There are no figures yet."
    text = (
        f"{len(labels)} point{'s' if len(labels) != 1 else ''}, from {labels[0]} to {labels[-1]}."
    )
    for line in series:
        known = [(label, v) for label, v in zip(labels, line.values, strict=True) if v is not None]
        if not known:
            text += f" {line.name}: no data."
            continue
        first, last = known[0], known[-1]
        if len(known) == 1:
            text += f" {line.name}: {_fmt(last[1], unit)} on {last[0]}."
            continue
        change = (last[1] or 0.0) - (first[1] or 0.0)
        direction = "up" if change > 0.05 else "down" if change < -0.05 else "unchanged"
        text += (
            f" {line.name} went from {_fmt(first[1], unit)} on {first[0]} to {_fmt(last[1], unit)} "
            f"on {last[0]} ({direction}{'' if direction == 'unchanged' else f' {abs(change):.1f}'})."
        )
    return text


def line_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    maximum: float = 100.0,
    unit: str = "",
    days: Sequence[dt.date] | None = None,
) -> Chart:
    """Lines over points in time, 0 to `maximum`; each line labelled at its last point.
    Given `days`, points are spaced by date; otherwise evenly."""
    description = describe_lines(labels, series, unit=unit)
    left, right, top, bottom = 40, 70, 36, 40
    height = 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart__svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]

    def y_of(value: float) -> float:
        return top + plot_h - (value / maximum) * plot_h if maximum else top + plot_h

    for tick in (0, 25, 50, 75, 100):
        value = maximum * tick / 100
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 5:.1f}" {FONT} font-size="13" text-anchor="end" fill="{BLACK}">{value:g}</text>'
        )
    count = len(labels)

    span = (days[-1] - days[0]).days if days and len(days) == count and count > 1 else 0

    def x_of(index: int) -> float:
        if span and days is not None:
            return left + plot_w * (days[index] - days[0]).days / span
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    # Up to five date labels, never closer than 90 units apart.
    shown: list[float] = []
    middle = range(0, count, max(1, (count + 4) // 5))
    for index in dict.fromkeys([0, count - 1, *middle]):
        if index < 0 or index >= count:
            continue
        x = x_of(index)
        if any(abs(x - other) < 90 for other in shown):
            continue
        shown.append(x)
        label = labels[index]
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 20}" {FONT} font-size="13" '
            f'text-anchor="middle" fill="{BLACK}">{escape(label)}</text>'
        )
    # Key, above the plot: a sample of each line's dash and marker with its name.
    key_x = left
    for line in series:
        colour = line.colour
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        parts.append(
            f'<line x1="{key_x}" y1="14" x2="{key_x + 30}" y2="14" stroke="{colour}" stroke-width="3"{dash}/>'
        )
        parts.append(_marker(line.marker, key_x + 15, 14, colour))
        parts.append(
            f'<text x="{key_x + 38}" y="19" {FONT} font-size="14" fill="{BLACK}">{escape(line.name)}</text>'
        )
        key_x += 48 + 8 * len(line.name)
    ends: list[tuple[float, float, str]] = []
    for line in series:
        colour = line.colour
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        points = [(x_of(i), y_of(v)) for i, v in enumerate(line.values) if v is not None and count]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"{dash}/>'
            )
        for x, y in points:
            parts.append(_marker(line.marker, x, y, colour))
        if points:
            last_value = next(v for v in reversed(line.values) if v is not None)
            x, y = points[-1]
            ends.append((y, x, _fmt(last_value, unit)))
    # Each line's last value beside its last point, pushed apart so that none overlap.
    placed: list[float] = []
    for y, x, text in sorted(ends):
        label_y = max([y + 5, *(p + 16 for p in placed)])
        placed.append(label_y)
        parts.append(
            f'<text x="{x + 10:.1f}" y="{label_y:.1f}" {FONT} font-size="13" fill="{BLACK}">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return Chart(id=chart_id, title=title, description=description, svg=mark_safe("".join(parts)))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} '
            f'{x - 6:.1f},{y:.1f}" fill="{colour}"/>'
        )
    if shape == "square":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'


def short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


Formatter = Callable[[float | None], str]

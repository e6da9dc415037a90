"""Tables: what every dashboard shows and exports. One object renders as a GOV.UK table on the
page and as CSV or XLSX in the download, so the numbers are the same in each.

A cell's value is typed (int, float, str, date, datetime, `Figure` or None); its column's
`kind` says how it is shown: `count` 1,234; `pct` 45.6%; `score` 72 (a provider's score, a
whole number); `average` 72.4; `date` 1 September 2026; `figure` an official statistic, whose
suppressed values read "not published".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

NOT_PUBLISHED = "not published"


@dataclass(frozen=True)
class Figure:
    """An official statistic as published: a value, or the code DfE gives instead of one."""

    value: Decimal | None
    suppression: str = ""
    is_percentage: bool = False

    @property
    def published(self) -> bool:
        return self.value is not None

    def text(self) -> str:
        if self.value is None:
            return NOT_PUBLISHED
        if self.is_percentage:
            return f"{self.value:.1f}%"
        return f"{int(self.value):,}"

    def export_value(self) -> float | int | str:
        if self.value is None:
            return NOT_PUBLISHED
        if self.is_percentage:
            return round(float(self.value), 1)
        return int(self.value)

    def sort_key(self) -> float | None:
        return None if self.value is None else float(self.value)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"
    # The text a missing value reads as, on the page and in exports.
    empty: str = "No data"
    sortable: bool = False
    # Row header: the first cell that names the row (a <th scope="row">).
    header: bool = False
    # Shown in a smaller font (references, codes).
    small: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "pct", "score", "average", "figure")


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    # Links: row index → column key → URL.
    links: dict[int, dict[str, str]] = field(default_factory=dict)
    empty: str = "There is nothing to show yet."
    note: str = ""
    # The row classes for the heatmap's tinted cells: row index → column key → class.
    cell_classes: dict[int, dict[str, str]] = field(default_factory=dict)
    # Sorting state for sortable headers.
    sort: str = ""
    descending: bool = False

    def link(self, index: int, key: str, url: str) -> None:
        self.links.setdefault(index, {})[key] = url


def display(value: Any, kind: str, empty: str = "No data") -> str:
    """How a value reads on the page."""
    if isinstance(value, Figure):
        return value.text()
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        return value
    if kind == "count":
        return f"{int(value):,}"
    if kind == "pct":
        return f"{float(value):.1f}%"
    if kind == "score":
        return str(int(float(value) + 0.5))
    if kind == "average":
        return f"{float(value):.1f}"
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{local.day} {local:%B %Y}"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def export_value(value: Any, kind: str, empty: str = "", zone: dt.tzinfo | None = None) -> Any:
    """How a value is written to CSV or XLSX: numbers stay numbers, at the page's precision.
    Times are local (`zone`, the current time zone unless given: a whole table passes it once)."""
    if isinstance(value, Figure):
        return value.export_value()
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        return value
    if kind == "count":
        return int(value)
    if kind == "pct" or kind == "average":
        return round(float(value), 1)
    if kind == "score":
        return int(float(value) + 0.5)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def percentage(part: float | int, whole: float | int) -> float | None:
    return 100.0 * part / whole if whole else None


def sort_rows(
    rows: Sequence[dict[str, Any]], key: str, *, descending: bool = False
) -> list[dict[str, Any]]:
    """Sort by a column; missing and unpublished values always last."""

    def value(row: dict[str, Any]) -> Any:
        item = row.get(key)
        if isinstance(item, Figure):
            return item.sort_key()
        if isinstance(item, str):
            return item.lower()
        return item

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    present.sort(key=value, reverse=descending)
    return present + missing

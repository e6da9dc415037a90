"""The dashboards' provider tables: lists, downloads, heat maps and the ICB's view, built from
rows already read. Nothing here reads the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dashboards.models import (
    DeclarationState,
    ProviderSnapshot,
)
from dashboards.tables import Column, Table
from providers.models import Area

if TYPE_CHECKING:
    pass


from dashboards.presenters.area import (
    PHASE_LABELS,
    STATE_LABELS,
    TYPE_LABELS,
    Context,
    url_for,
)


def _status_of(row: ProviderSnapshot, period: str) -> str:
    return _status(row.period, row.declaration_status, period)


def _status(row_period: str, declaration_status: str, period: str) -> str:
    if row_period != period:
        return STATE_LABELS[DeclarationState.NOT_STARTED]
    return STATE_LABELS.get(declaration_status, declaration_status)


def _providers_frame(context: Context, title: str) -> Table:
    return Table(
        key="providers",
        title=title,
        columns=[
            Column("name", "Provider", header=True, sortable=True),
            Column("urn", "URN", empty=""),
            Column("type", "Type", sortable=True),
            Column("phase", "Phase", sortable=True),
            Column("status", f"Declaration for {context.period}", sortable=True),
            Column("score", "Score", "score", empty="No result", sortable=True),
            Column("must_gaps", "Open must gaps", "count", sortable=True),
            Column("submitted", "Last submitted", "date", empty="Never", sortable=True),
        ],
        rows=[],
        empty="No providers match these filters.",
    )


# A provider's row of the providers table, as plain values (`values_list(*PROVIDER_VALUES)`).
PROVIDER_VALUES = (
    "name",
    "urn",
    "provider_type",
    "phase",
    "period",
    "declaration_status",
    "score",
    "open_must_gaps",
    "last_submitted_at",
)


def _provider_cells(
    period: str,
    name: str,
    urn: str,
    provider_type: str,
    phase: str,
    row_period: str,
    declaration_status: str,
    score: float | None,
    open_must_gaps: int,
    last_submitted_at: dt.datetime | None,
) -> dict[str, Any]:
    return {
        "name": name,
        "urn": urn,
        "type": TYPE_LABELS.get(provider_type, provider_type),
        "phase": PHASE_LABELS.get(phase, phase),
        "status": _status(row_period, declaration_status, period),
        "score": score,
        "must_gaps": open_must_gaps,
        "submitted": last_submitted_at,
    }


def providers_table(
    rows: Iterable[ProviderSnapshot], context: Context, *, title: str = "Providers"
) -> Table:
    table = _providers_frame(context, title)
    for index, row in enumerate(rows):
        table.rows.append(
            _provider_cells(
                context.period,
                row.name,
                row.urn,
                row.provider_type,
                row.phase,
                row.period,
                row.declaration_status,
                row.score,
                row.open_must_gaps,
                row.last_submitted_at,
            )
        )
        table.link(index, "name", url_for("scoring:result", row.provider_id))
    return table


def providers_download_table(
    rows: Iterable[tuple[Any, ...]], context: Context, *, title: str = "Providers"
) -> Table:
    """The providers table from plain values (PROVIDER_VALUES), for a download: the same cells
    as the page's, with no links and no model instances."""
    table = _providers_frame(context, title)
    period = context.period
    table.rows = [_provider_cells(period, *row) for row in rows]
    return table


def heatmap_class(score: float | None) -> str:
    """The tint of a heatmap cell (static/app/app.css): 0 under 50 … 4 every requirement met."""
    if score is None:
        return "app-heatmap__cell--none"
    shown = int(score + 0.5)
    if shown >= 100:
        return "app-heatmap__cell--4"
    if shown >= 90:
        return "app-heatmap__cell--3"
    if shown >= 70:
        return "app-heatmap__cell--2"
    if shown >= 50:
        return "app-heatmap__cell--1"
    return "app-heatmap__cell--0"


HEATMAP_BANDS = (
    ("app-heatmap__cell--4", "100: meets every requirement"),
    ("app-heatmap__cell--3", "90 to 99"),
    ("app-heatmap__cell--2", "70 to 89"),
    ("app-heatmap__cell--1", "50 to 69"),
    ("app-heatmap__cell--0", "under 50"),
    ("app-heatmap__cell--none", "not scored"),
)


def heatmap_table(rows: Iterable[ProviderSnapshot], context: Context) -> Table:
    sections = list(context.facts.sections) if context.facts else []
    table = Table(
        key="heatmap",
        title="Providers by section",
        columns=[
            Column("name", "Provider", header=True, sortable=True),
            Column("score", "Overall score", "score", empty="No result", sortable=True),
            *[Column(code, title, "score", empty="Not scored") for code, title in sections],
        ],
        rows=[],
        empty="No providers match these filters.",
    )
    for index, row in enumerate(rows):
        values: dict[str, Any] = {"name": row.name, "score": row.score}
        classes = {"score": heatmap_class(row.score)}
        scores = row.section_scores or {}
        for code, _title in sections:
            value = scores.get(code)
            values[code] = value if row.score is not None else "No result"
            classes[code] = heatmap_class(value)
        table.rows.append(values)
        table.cell_classes[index] = classes
        table.link(index, "name", url_for("scoring:result", row.provider_id))
    return table


def icb_area_table(rows: Iterable[ProviderSnapshot], area: Area) -> Table:
    table = Table(
        key="providers",
        title=f"Providers in {area.name}: health-related requirements",
        columns=[
            Column("name", "Provider", header=True, sortable=True),
            Column("type", "Type"),
            Column("met", "Health requirements met", "count"),
            Column("failed", "Not met", "count", sortable=True),
            Column("musts", "Every health must met", empty="No result"),
            Column("open_gaps", "Open health gaps", "count"),
        ],
        rows=[],
        empty="No providers match.",
    )
    for index, row in enumerate(rows):
        assessed = row.health_met + row.health_failed
        table.rows.append(
            {
                "name": row.name,
                "type": TYPE_LABELS.get(row.provider_type, row.provider_type),
                "met": row.health_met,
                "failed": row.health_failed,
                "musts": (row.health_must_failed == 0)
                if assessed
                else ("No health requirement applies" if row.run_id is not None else None),
                "open_gaps": row.health_open_gaps,
            }
        )
        table.link(index, "name", url_for("scoring:result", row.provider_id))
    return table

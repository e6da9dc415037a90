"""The dashboards' area tables and charts, their labels, links and context, built from rows
already read. Nothing here reads the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from dashboards.charts import BLACK, GREY, Bar, Chart, Series, bar_chart, line_chart, short_date
from dashboards.models import (
    AreaSnapshot,
    AreaTrendPoint,
    DeclarationState,
    ScoreBand,
    StatisticsDataset,
    TrendLabel,
)
from dashboards.tables import Column, Table, display, percentage
from providers.models import Phase
from scoring.engine import OUTCOME_BY_CODE, counts_as_failure
from scoring.models import GapStatus
from standards.models import Standard, StandardVersion
from standards.vocabulary import PROVIDER_TYPE_ORDER, ProviderType, Strength

if TYPE_CHECKING:
    from dashboards.selectors.versions import VersionFacts


TYPE_LABELS = dict(ProviderType.choices)
BOARDS_ONLY = frozenset({ProviderType.INTEGRATED_CARE_BOARD.value})
PHASE_LABELS = {**dict(Phase.choices), Phase.NOT_APPLICABLE: "No phase (not a school)"}
STRENGTH_LABELS = dict(Strength.choices)
STATE_LABELS = dict(DeclarationState.choices)
BAND_LABELS = dict(ScoreBand.choices)


@lru_cache(maxsize=256)
def _url_pattern(name: str, count: int) -> str:
    marks = [str(9_000_000_001 + n) for n in range(count)]
    url = reverse(name, args=marks)
    for n, mark in enumerate(marks):
        url = url.replace(mark, "{" + str(n) + "}")
    return url


def url_for(name: str, *args: Any) -> str:
    """reverse(), once per URL name: a link in every row of a long table stays cheap."""
    return _url_pattern(name, len(args)).format(*args)


@dataclass
class Context:
    """What every dashboard names: the standard version reported on, the academic year and
    when the figures were last added up."""

    standard: Standard | None
    version: StandardVersion | None
    facts: VersionFacts | None
    period: str
    as_at: dt.datetime | None

    @property
    def version_label(self) -> str:
        if self.version is None:
            return "No published standard"
        return f"{self.version.title}, version {self.version.version}"


def _declared_heading(period: str) -> str:
    return f"Declared for {period}"


def _totals_columns(first: Column, period: str) -> list[Column]:
    return [
        first,
        Column("providers", "Providers", "count"),
        Column("declared", _declared_heading(period), "count"),
        Column("declared_pct", "% declared", "pct"),
        Column("results", "With a result", "count"),
        Column("musts_met", "Meeting every must requirement", "count"),
        Column("musts_met_pct", "% meeting every must requirement", "pct", empty="No results"),
        Column("average", "Average score", "average", empty="No results"),
    ]


def _totals_row(label: str, totals: dict[str, Any]) -> dict[str, Any]:
    results = int(totals.get("results", 0))
    providers = int(totals.get("providers", 0))
    return {
        "label": label,
        "providers": providers,
        "declared": int(totals.get("declared", 0)),
        "declared_pct": percentage(int(totals.get("declared", 0)), providers),
        "results": results,
        "musts_met": int(totals.get("musts_met", 0)),
        "musts_met_pct": percentage(int(totals.get("musts_met", 0)), results),
        "average": float(totals.get("score_sum", 0.0)) / results if results else None,
    }


def failures(counts: dict[str, int], strength: str) -> tuple[int, int]:
    """(not met, assessed) from outcome letter counts: not met counts fail and error, and
    not answered for must and should requirements; assessed adds the passes."""
    failed = 0
    for code, n in counts.items():
        outcome = OUTCOME_BY_CODE.get(code)
        if outcome is not None and counts_as_failure(outcome, strength):
            failed += n
    return failed, failed + counts.get("p", 0)


def types_table(snapshot: AreaSnapshot | None, context: Context) -> Table:
    by_type = (snapshot.by_type if snapshot else {}) or {}
    rows = [
        _totals_row(TYPE_LABELS.get(key, key), value)
        for key, value in sorted(
            by_type.items(), key=lambda item: PROVIDER_TYPE_ORDER.get(item[0], 99)
        )
    ]
    if rows:
        rows.append(
            _totals_row(
                "All providers",
                {
                    name: sum(v.get(name, 0) for v in by_type.values())
                    for name in ("providers", "declared", "results", "musts_met", "score_sum")
                },
            )
        )
    return Table(
        key="types",
        title="Providers by type",
        columns=_totals_columns(Column("label", "Provider type", header=True), context.period),
        rows=rows,
        empty="There are no open providers in this area that the standard applies to.",
    )


def phases_table(snapshot: AreaSnapshot | None, context: Context) -> Table:
    by_phase = (snapshot.by_phase if snapshot else {}) or {}
    order = {value: index for index, value in enumerate(Phase.values)}
    rows = [
        _totals_row(PHASE_LABELS.get(key, key), value)
        for key, value in sorted(by_phase.items(), key=lambda item: order.get(item[0], 99))
    ]
    return Table(
        key="phases",
        title="Providers by phase of education",
        columns=_totals_columns(Column("label", "Phase", header=True), context.period),
        rows=rows,
        empty="There are no open providers in this area that the standard applies to.",
    )


def sections_table(snapshot: AreaSnapshot | None, context: Context) -> Table:
    sections = (snapshot.sections if snapshot else {}) or {}
    rows = []
    for code, title in context.facts.sections if context.facts else ():
        data = sections.get(code, {})
        scored = int(data.get("results", 0))
        rows.append(
            {
                "label": title,
                "code": code,
                "results": scored,
                "average": float(data.get("score_sum", 0.0)) / scored if scored else None,
                "full": int(data.get("full", 0)),
                "full_pct": percentage(int(data.get("full", 0)), scored),
            }
        )
    return Table(
        key="sections",
        title="Compliance by section",
        columns=[
            Column("label", "Section", header=True),
            Column("results", "Providers scored in the section", "count"),
            Column("average", "Average section score", "average", empty="No results"),
            Column("full", "Meeting every requirement in the section", "count"),
            Column("full_pct", "% meeting every requirement", "pct", empty="No results"),
        ],
        rows=rows if any(r["results"] for r in rows) else [],
        empty="No provider in this area has a result yet.",
    )


def failed_table(
    snapshot: AreaSnapshot | None, context: Context, *, limit: int | None
) -> tuple[Table, int]:
    counts = (snapshot.requirements if snapshot else {}) or {}
    facts = context.facts
    rows = []
    for key, by_outcome in counts.items():
        requirement = facts.requirements.get(key) if facts else None
        if requirement is None:
            continue
        failed, assessed = failures(by_outcome, requirement.strength)
        if not failed:
            continue
        rows.append(
            {
                "title": requirement.title,
                "key": key,
                "strength": STRENGTH_LABELS.get(requirement.strength, requirement.strength),
                "failed": failed,
                "assessed": assessed,
                "share": percentage(failed, assessed),
                "_order": requirement.order,
            }
        )
    rows.sort(key=lambda r: (-r["failed"], -(r["share"] or 0), r["_order"]))
    total = len(rows)
    shown = rows if limit is None else rows[:limit]
    return (
        Table(
            key="failed",
            title="Requirements most often not met"
            if limit is not None and total > limit
            else "Requirements not met",
            columns=[
                Column("title", "Requirement", header=True),
                Column("key", "Reference", small=True),
                Column("strength", "Strength"),
                Column("failed", "Providers not meeting it", "count"),
                Column("assessed", "Providers assessed", "count"),
                Column("share", "Share not meeting it", "pct"),
            ],
            rows=shown,
            empty="Every provider with a result meets every requirement that applies to it.",
        ),
        total,
    )


GAP_ROWS = (
    (GapStatus.OPEN, "open"),
    (GapStatus.IN_PROGRESS, "in_progress"),
    (GapStatus.ACCEPTED, "accepted"),
)


def gaps_table(snapshot: AreaSnapshot | None) -> Table:
    gaps = (snapshot.gaps if snapshot else {}) or {}
    rows: list[dict[str, Any]] = [
        {"label": status.label, "gaps": int(gaps.get(key, 0))} for status, key in GAP_ROWS
    ]
    rows.append({"label": "All active gaps", "gaps": sum(r["gaps"] for r in rows)})
    rows.append({"label": "Must gaps open or in progress", "gaps": int(gaps.get("open_must", 0))})
    return Table(
        key="gaps",
        title="Gaps by status",
        columns=[Column("label", "Status", header=True), Column("gaps", "Gaps", "count")],
        rows=rows if snapshot else [],
        empty="No provider in this area has a result yet.",
    )


def _point_row(point: AreaTrendPoint) -> dict[str, Any]:
    return {
        "period": point.period,
        "day": point.day,
        "label": TrendLabel(point.label).label,
        "providers": point.provider_count,
        "declared_pct": percentage(point.declared_count, point.provider_count),
        "results": point.result_count,
        "musts_met_pct": percentage(point.musts_met_count, point.result_count),
        "average": point.average_score,
    }


def trend_chart(table: Table, *, chart_id: str, title: str) -> Chart:
    labels = [short_date(r["day"]) for r in table.rows]
    return line_chart(
        chart_id=chart_id,
        title=title,
        labels=labels,
        days=[r["day"] for r in table.rows],
        series=[
            Series("Average score", [r["average"] for r in table.rows]),
            Series(
                "% meeting every must",
                [r["musts_met_pct"] for r in table.rows],
                dash="8 5",
                marker="square",
                colour=BLACK,
            ),
            Series(
                "% declared",
                [r["declared_pct"] for r in table.rows],
                dash="2 4",
                marker="diamond",
                colour=GREY,
            ),
        ],
    )


def _source_text(dataset: StatisticsDataset | None) -> str:
    if dataset is None:
        return ""
    return f"{dataset.publisher}, {dataset.title.split(':')[0]} ({dataset.release})"


def _bars_chart(
    table: Table,
    *,
    chart_id: str,
    title: str,
    subject: str,
    value_key: str,
    label_key: str = "label",
    unit: str = "%",
) -> Chart:
    column = next(c for c in table.columns if c.key == value_key)
    bars = [
        Bar(
            label=str(row[label_key]),
            value=None if row.get(value_key) is None else float(row[value_key]),
            text=display(row.get(value_key), column.kind, column.empty),
        )
        for row in table.rows
    ]
    return bar_chart(chart_id=chart_id, title=title, bars=bars, subject=subject, unit=unit)

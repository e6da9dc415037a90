"""The national view and the comparison of areas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboards.charts import Bar, Chart, bar_chart
from dashboards.models import AreaSnapshot, Measure
from dashboards.official import ENGLAND_CODE
from dashboards.presenters import Context, url_for
from dashboards.selectors.common import (
    COMPARE_LIMIT,
    CONTEXT_MEASURES,
    NotFound,
    Statistics,
    _context,
    _stat_heading,
    latest_statistics,
    sees_national,
)
from dashboards.tables import Column, Table, percentage, sort_rows
from providers.models import Area
from standards.models import Standard

# ---- the national view ------------------------------------------------------------------

NATIONAL_MEASURES = (
    Measure.EHC_PLANS,
    Measure.PCT_20_WEEKS_EX,
    Measure.PCT_SEN_SUPPORT,
    Measure.PCT_EHC_PLAN,
)
NATIONAL_SORTS = (
    "name",
    "region",
    "providers",
    "declared_pct",
    "results",
    "musts_met_pct",
    "average",
    "open_must",
    *NATIONAL_MEASURES,
)


@dataclass
class Region:
    code: str
    name: str


@dataclass
class National:
    context: Context
    regions: list[Region]
    region: str
    table: Table
    regions_table: Table
    chart: Chart
    headline: dict[str, Any]
    stats: Statistics
    sort: str
    descending: bool


def _national_columns(stats: Statistics, first: Column, second: Column | None) -> list[Column]:
    columns = [first]
    if second is not None:
        columns.append(second)
    columns += [
        Column("providers", "Providers", "count", sortable=True),
        Column("declared_pct", "% declared", "pct", sortable=True),
        Column("results", "With a result", "count", sortable=True),
        Column("musts_met_pct", "% meeting every must", "pct", "No results", sortable=True),
        Column("average", "Average score", "average", "No results", sortable=True),
        Column("open_must", "Open must gaps", "count", sortable=True),
    ]
    for measure, label in CONTEXT_MEASURES:
        columns.append(
            Column(measure, _stat_heading(stats, measure, label), "figure", sortable=True)
        )
    return columns


# The area figures that add up to a region's or England's.
SUMMED_FIGURES = (
    "provider_count",
    "declared_count",
    "result_count",
    "musts_met_count",
    "score_sum",
    "open_must_gaps",
)


def _snapshot_values(standard: Standard | None) -> dict[int, dict[str, Any]]:
    if standard is None:
        return {}
    return {
        row["area_id"]: dict(row)
        for row in AreaSnapshot.objects.filter(standard=standard).values(
            "area_id", *SUMMED_FIGURES, "refreshed_at"
        )
    }


def _figures_row(snapshot: dict[str, Any] | None) -> dict[str, Any]:
    snapshot = snapshot or {}
    providers = int(snapshot.get("provider_count", 0))
    results = int(snapshot.get("result_count", 0))
    return {
        "providers": providers,
        "declared_pct": percentage(int(snapshot.get("declared_count", 0)), providers),
        "results": results,
        "musts_met_pct": percentage(int(snapshot.get("musts_met_count", 0)), results),
        "average": float(snapshot.get("score_sum", 0.0)) / results if results else None,
        "open_must": int(snapshot.get("open_must_gaps", 0)),
    }


def _add(total: dict[str, float], snapshot: dict[str, Any] | None) -> None:
    for name in SUMMED_FIGURES:
        total[name] = total.get(name, 0) + (snapshot or {}).get(name, 0)


def national_dashboard(
    *,
    user: Any,
    region: str = "",
    sort: str = "name",
    descending: bool = False,
    standard_slug: str | None = None,
) -> National:
    if not sees_national(user=user):
        raise NotFound("national")
    context = _context(standard_slug)
    snapshots = _snapshot_values(context.standard)
    context.as_at = max((s["refreshed_at"] for s in snapshots.values()), default=None)
    stats = latest_statistics(measures=NATIONAL_MEASURES)
    areas = list(
        Area.objects.order_by("name").values_list(
            "pk", "code", "name", "region_code", "region_name"
        )
    )
    regions = sorted({(r[3], r[4]) for r in areas}, key=lambda r: r[1])
    if region and region not in {code for code, _ in regions}:
        region = ""
    if sort not in NATIONAL_SORTS:
        sort = "name"
    table = Table(
        key="areas",
        title="All areas",
        columns=_national_columns(
            stats,
            Column("name", "Area", header=True, sortable=True),
            Column("region", "Region", sortable=True),
        ),
        rows=[],
        empty="There are no areas in this region.",
    )
    region_totals: dict[str, dict[str, float]] = defaultdict(dict)
    england: dict[str, float] = {}
    for pk, code, name, region_code, region_name in areas:
        snapshot = snapshots.get(pk)
        _add(region_totals[region_code], snapshot)
        _add(england, snapshot)
        if region and region_code != region:
            continue
        row = {"name": name, "code": code, "region": region_name, **_figures_row(snapshot)}
        for measure in NATIONAL_MEASURES:
            row[measure] = stats.get(measure, code)
        table.rows.append(row)
    table.rows = sort_rows(table.rows, sort, descending=descending)
    for index, row in enumerate(table.rows):
        table.link(index, "name", url_for("dashboards:area", row["code"]))
    table.sort, table.descending = sort, descending
    regions_table = Table(
        key="regions",
        title="Regions",
        columns=_national_columns(stats, Column("name", "Region", header=True), None),
        rows=[],
        note=(
            "Regional and England figures for EHC plans and 20-week timeliness are DfE's "
            "published totals; pupils' percentages are added up from the areas' figures."
        ),
    )
    for region_code, region_name in regions:
        row = {"name": region_name, **_figures_row(region_totals[region_code])}
        for measure in NATIONAL_MEASURES:
            row[measure] = stats.get(measure, region_code)
        regions_table.rows.append(row)
    england_row = {"name": "England", **_figures_row(england)}
    for measure in NATIONAL_MEASURES:
        england_row[measure] = stats.get(measure, ENGLAND_CODE)
    regions_table.rows.append(england_row)
    chart = bar_chart(
        chart_id="chart-regions",
        title="Average score by region",
        bars=[
            Bar(
                r["name"],
                r["average"],
                "No results" if r["average"] is None else f"{r['average']:.1f}",
            )
            for r in regions_table.rows
        ],
        subject="Average score of providers with a result, out of 100, by region",
        unit="",
    )
    return National(
        context=context,
        regions=[Region(code, name) for code, name in regions],
        region=region,
        table=table,
        regions_table=regions_table,
        chart=chart,
        headline=england_row,
        stats=stats,
        sort=sort,
        descending=descending,
    )


@dataclass
class Comparison:
    context: Context
    areas: list[Area]
    choices: list[tuple[str, list[tuple[str, str]]]]  # region, (code, name) of its areas
    table: Table
    charts: list[Chart]
    too_many: bool
    stats: Statistics


def compare_areas(
    *, user: Any, codes: Sequence[str], standard_slug: str | None = None
) -> Comparison:
    if not sees_national(user=user):
        raise NotFound("compare")
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    too_many = len(wanted) > COMPARE_LIMIT
    chosen = {a.code: a for a in Area.objects.filter(code__in=wanted[:COMPARE_LIMIT])}
    areas = [chosen[c] for c in wanted[:COMPARE_LIMIT] if c in chosen]
    context = _context(standard_slug)
    snapshots = _snapshot_values(context.standard)
    context.as_at = max(
        (snapshots[a.pk]["refreshed_at"] for a in areas if a.pk in snapshots), default=None
    )
    stats = latest_statistics(
        measures=NATIONAL_MEASURES, geo_codes=[a.code for a in areas] + [ENGLAND_CODE]
    )
    table = Table(
        key="compare",
        title="Chosen areas",
        columns=_national_columns(
            stats, Column("name", "Area", header=True), Column("region", "Region", empty="")
        ),
        rows=[],
        empty="Choose at least one area to compare.",
    )
    for index, area in enumerate(areas):
        row = {
            "name": area.name,
            "region": area.region_name,
            **_figures_row(snapshots.get(area.pk)),
        }
        for measure in NATIONAL_MEASURES:
            row[measure] = stats.get(measure, area.code)
        table.rows.append(row)
        table.link(index, "name", url_for("dashboards:area", area.code))
    if areas:
        england: dict[str, float] = {}
        for snapshot in snapshots.values():
            _add(england, snapshot)
        row = {"name": "England", "region": "", **_figures_row(england)}
        for measure in NATIONAL_MEASURES:
            row[measure] = stats.get(measure, ENGLAND_CODE)
        table.rows.append(row)
    charts = []
    if areas:
        shown = table.rows[:-1]
        england_row = table.rows[-1]
        charts.append(
            bar_chart(
                chart_id="chart-compare-average",
                title="Average score",
                bars=[
                    Bar(
                        r["name"],
                        r["average"],
                        "No results" if r["average"] is None else f"{r['average']:.1f}",
                    )
                    for r in shown
                ],
                subject="Average score of providers with a result, out of 100, in each chosen area",
                unit="",
                reference=(
                    england_row["average"],
                    f"England's average, {england_row['average']:.1f}",
                )
                if england_row["average"] is not None
                else None,
            )
        )
        timeliness = Measure.PCT_20_WEEKS_EX
        national = england_row[timeliness]
        charts.append(
            bar_chart(
                chart_id="chart-compare-timeliness",
                title=_stat_heading(stats, timeliness, "New EHC plans issued within 20 weeks"),
                bars=[
                    Bar(
                        r["name"],
                        None if r[timeliness] is None else r[timeliness].sort_key(),
                        r[timeliness].text() if r[timeliness] is not None else "No data",
                    )
                    for r in shown
                ],
                subject="Percentage of new EHC plans issued within 20 weeks, excluding exceptions",
                reference=(float(national.value), f"England, {national.text()}")
                if national is not None and national.value is not None
                else None,
            )
        )
    by_region: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, name, region in Area.objects.order_by("region_name", "name").values_list(
        "code", "name", "region_name"
    ):
        by_region[region].append((code, name))
    return Comparison(
        context=context,
        areas=areas,
        choices=sorted(by_region.items()),
        table=table,
        charts=charts,
        too_many=too_many,
        stats=stats,
    )

"""The area dashboard: headline figures, tables, overdue actions, trend and official context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dashboards.charts import Chart
from dashboards.models import (
    AreaSnapshot,
    AreaTrendPoint,
    Measure,
    ProviderSnapshot,
    StatisticsDataset,
)
from dashboards.official import ENGLAND_CODE, reference_label
from dashboards.presenters import (
    STRENGTH_LABELS,
    Context,
    _bars_chart,
    _point_row,
    _source_text,
    failed_table,
    gaps_table,
    phases_table,
    sections_table,
    trend_chart,
    types_table,
    url_for,
)
from dashboards.selectors.common import (
    CONTEXT_MEASURES,
    DATASET_FOR_MEASURE,
    TOP_FAILED,
    TOP_OVERDUE,
    TREND_POINTS,
    Statistics,
    _context,
    area_with_snapshot,
    latest_statistics,
)
from dashboards.tables import Column, Table
from providers.models import Area
from scoring.models import Gap, GapStatus
from standards.models import StandardVersion
from standards.selectors import cached_local_version

# ---- the area dashboard -----------------------------------------------------------------


@dataclass
class Headline:
    providers: int
    declared: int
    declared_pct: float | None
    in_progress: int
    results: int
    musts_met: int
    musts_met_pct: float | None
    average_score: float | None
    open_must_gaps: int


@dataclass
class AreaDashboard:
    area: Area
    context: Context
    snapshot: AreaSnapshot | None
    headline: Headline
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    failed_total: int = 0
    overdue_total: int = 0
    sources: list[StatisticsDataset] = field(default_factory=list)
    # The official statistics read for the page (the plan coverage uses their datasets).
    statistics: Statistics | None = None

    @property
    def has_figures(self) -> bool:
        return self.snapshot is not None and self.snapshot.provider_count > 0


def _headline(snapshot: AreaSnapshot | None) -> Headline:
    if snapshot is None:
        return Headline(0, 0, None, 0, 0, 0, None, None, 0)
    return Headline(
        providers=snapshot.provider_count,
        declared=snapshot.declared_count,
        declared_pct=snapshot.declared_pct,
        in_progress=snapshot.in_progress_count,
        results=snapshot.result_count,
        musts_met=snapshot.musts_met_count,
        musts_met_pct=snapshot.musts_met_pct,
        average_score=snapshot.average_score,
        open_must_gaps=snapshot.open_must_gaps,
    )


def area_local_standard(*, code: str) -> StandardVersion | None:
    """The area's published local standard version, whose figures its dashboard shows beside
    the national ones (national and ICB dashboards never include them). From the cache: most
    areas have none, and the question is asked on every view."""
    return cached_local_version(area_code=code)


def area_dashboard(
    *,
    user: Any,
    code: str,
    standard_slug: str | None = None,
    all_failed: bool = False,
    on: dt.date | None = None,
) -> AreaDashboard:
    context = _context(standard_slug)
    area, snapshot = area_with_snapshot(user=user, code=code, context=context)
    context.as_at = snapshot.refreshed_at if snapshot else None
    board = AreaDashboard(
        area=area, context=context, snapshot=snapshot, headline=_headline(snapshot)
    )
    board.tables["types"] = types_table(snapshot, context)
    board.tables["phases"] = phases_table(snapshot, context)
    board.tables["sections"] = sections_table(snapshot, context)
    board.tables["failed"], board.failed_total = failed_table(
        snapshot, context, limit=None if all_failed else TOP_FAILED
    )
    board.tables["gaps"] = gaps_table(snapshot)
    board.tables["overdue"], board.overdue_total = overdue_table(
        area, context, on=on, limit=TOP_OVERDUE
    )
    board.tables["trend_periods"], board.tables["trend"] = trend_tables(area, context)
    board.tables["context"], board.sources, board.statistics = context_table(area)
    board.charts["sections"] = _bars_chart(
        board.tables["sections"],
        chart_id="chart-sections",
        title=f"Average section score in {area.name}",
        subject="Average score in each section, out of 100",
        value_key="average",
        unit="",
    )
    board.charts["failed"] = _bars_chart(
        board.tables["failed"],
        chart_id="chart-failed",
        title="Requirements most often not met",
        subject="Share of the providers assessed that do not meet each requirement",
        value_key="share",
        label_key="title",
    )
    board.charts["trend"] = trend_chart(
        board.tables["trend"], chart_id="chart-trend", title=f"Trend in {area.name}"
    )
    return board


def _overdue_gaps(area: Area, context: Context, on: dt.date) -> QuerySet[Gap]:
    if context.standard is None:
        return Gap.objects.none()
    # Only providers whose earliest due date has passed can have an overdue action: a few
    # rows of the area's dashboard rows, so the gaps table is read by provider.
    providers = ProviderSnapshot.objects.filter(
        standard=context.standard, area=area, earliest_due__lt=on
    ).values("provider_id")
    return Gap.objects.filter(
        provider_id__in=providers,
        standard=context.standard,
        status=GapStatus.IN_PROGRESS,
        due_date__lt=on,
    )


def overdue_table(
    area: Area, context: Context, *, on: dt.date | None = None, limit: int | None = None
) -> tuple[Table, int]:
    on = on or timezone.localdate()
    gaps = _overdue_gaps(area, context, on)
    listed = list(
        gaps.select_related("provider")
        .only("provider__name", "title", "strength", "owner", "due_date")
        .order_by("due_date", "provider__name", "pk")[: None if limit is None else limit + 1]
    )
    total = len(listed)
    if limit is not None and total > limit:
        total = gaps.count()
        listed = listed[:limit]
    table = Table(
        key="overdue",
        title="Overdue actions",
        columns=[
            Column("provider", "Provider", header=True),
            Column("title", "Requirement"),
            Column("strength", "Strength"),
            Column("owner", "Owner"),
            Column("due", "Due", "date"),
            Column("days", "Days overdue", "count"),
        ],
        rows=[],
        empty="No action on a gap is past its due date.",
    )
    for index, gap in enumerate(listed):
        assert gap.due_date is not None
        table.rows.append(
            {
                "provider": gap.provider.name,
                "title": gap.title,
                "strength": STRENGTH_LABELS.get(gap.strength, gap.strength),
                "owner": gap.owner,
                "due": gap.due_date,
                "days": (on - gap.due_date).days,
            }
        )
        table.link(index, "provider", url_for("scoring:gaps", gap.provider_id))
        table.link(index, "title", url_for("scoring:gap", gap.provider_id, gap.pk))
    return table, total


def trend_tables(area: Area, context: Context) -> tuple[Table, Table]:
    points = (
        list(AreaTrendPoint.objects.filter(area=area, standard=context.standard).order_by("day"))
        if context.standard
        else []
    )
    last_in_period: dict[str, AreaTrendPoint] = {}
    for point in points:
        last_in_period[point.period] = point
    periods = Table(
        key="trend_periods",
        title="By academic year",
        columns=[
            Column("period", "Academic year", header=True),
            Column("day", "Figures as at", "date"),
            Column("providers", "Providers", "count"),
            Column("declared_pct", "% declared for the year", "pct"),
            Column("results", "With a result", "count"),
            Column("musts_met_pct", "% meeting every must requirement", "pct", "No results"),
            Column("average", "Average score", "average", "No results"),
        ],
        rows=[_point_row(p) for p in last_in_period.values()],
        empty="There are no figures yet.",
    )
    recent = Table(
        key="trend",
        title="Changes and re-scores",
        columns=[
            Column("day", "Date", "date", header=True),
            Column("period", "Academic year"),
            Column("label", "What happened"),
            Column("declared_pct", "% declared for the year", "pct"),
            Column("results", "With a result", "count"),
            Column("musts_met_pct", "% meeting every must requirement", "pct", "No results"),
            Column("average", "Average score", "average", "No results"),
        ],
        rows=[_point_row(p) for p in points[-TREND_POINTS:]],
        empty="There are no figures yet.",
    )
    return periods, recent


def context_table(area: Area) -> tuple[Table, list[StatisticsDataset], Statistics]:
    """The official statistics table, the datasets it uses, and the statistics read."""
    measures = [m for m, _ in CONTEXT_MEASURES]
    stats = latest_statistics(measures=measures, geo_codes=[area.code, ENGLAND_CODE], previous=True)
    rows = []
    used: dict[str, StatisticsDataset] = {}
    for measure, label in CONTEXT_MEASURES:
        entries: list[tuple[str, str]] = [(measure, stats.reference(measure))]
        previous_period = stats.periods.get(f"{measure}:previous")
        if measure == Measure.EHC_PLANS and previous_period:
            entries.append((f"{measure}:previous", reference_label(previous_period, census=True)))
        for key, reference in entries:
            area_figure = stats.get(key, area.code)
            england = stats.get(key, ENGLAND_CODE)
            if area_figure is None and england is None:
                continue
            dataset = stats.datasets.get(DATASET_FOR_MEASURE[measure])
            if dataset is not None:
                used[dataset.key] = dataset
            rows.append(
                {
                    "label": f"{label}, {reference}" if reference else label,
                    "area": area_figure,
                    "england": england,
                    "source": _source_text(dataset),
                }
            )
    table = Table(
        key="context",
        title="Official statistics for the area",
        columns=[
            Column("label", "Measure", header=True),
            Column("area", area.name, "figure", empty="No data"),
            Column("england", "England", "figure", empty="No data"),
            Column("source", "Source"),
        ],
        rows=rows,
        empty="The official statistics have not been loaded: run python manage.py import_statistics.",
        note=(
            "Percentages of pupils count pupils in state-funded and independent schools in the "
            "January school census. England's figures for pupils are added up from the areas'."
        ),
    )
    return table, list(used.values()), stats

"""Reads for the dashboards. Every read takes the user and returns only what they may see;
anything else raises NotFound, and pages answer 404.

- Area dashboards: the area's officers, national analysts and site admins. They show every
  requirement, so an ICB officer sees areas through the ICB view instead, where only
  health-related requirements are added up.
- ICB dashboards: the ICB's officers, national analysts and site admins.
- The national view and comparisons: national analysts and site admins.

Everything is read from the aggregates (`ProviderSnapshot`, `AreaSnapshot`, `AreaTrendPoint`),
the official statistics and, for the list of overdue actions, the gaps. Never from answers.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.access import access_for
from audits.periods import period_for
from dashboards.charts import BLACK, GREY, Bar, Chart, Series, bar_chart, line_chart, short_date
from dashboards.models import (
    AreaSnapshot,
    AreaTrendPoint,
    DeclarationState,
    Measure,
    OfficialStatistic,
    ProviderSnapshot,
    ScoreBand,
    StatisticsDataset,
    TrendLabel,
)
from dashboards.official import DATASET_BY_KEY, ENGLAND_CODE, reference_label
from dashboards.services import (
    DEFAULT_STANDARD,
    VersionFacts,
    reporting,
    score_band,
    version_facts,
)
from dashboards.tables import Column, Figure, Table, display, percentage, sort_rows
from providers.models import Area, IcbAreaCoverage, IntegratedCareBoard, Phase
from scoring.engine import OUTCOME_BY_CODE, counts_as_failure
from scoring.models import Gap, GapStatus
from standards.models import Standard, StandardVersion
from standards.vocabulary import PROVIDER_TYPE_ORDER, ProviderType, Strength

PAGE_SIZE = 50
TOP_FAILED = 10
TOP_OVERDUE = 10
TREND_POINTS = 12
COMPARE_LIMIT = 10
TYPE_LABELS = dict(ProviderType.choices)
BOARDS_ONLY = frozenset({ProviderType.INTEGRATED_CARE_BOARD.value})
PHASE_LABELS = {**dict(Phase.choices), Phase.NOT_APPLICABLE: "No phase (not a school)"}
STRENGTH_LABELS = dict(Strength.choices)
STATE_LABELS = dict(DeclarationState.choices)
BAND_LABELS = dict(ScoreBand.choices)
PERCENT_MEASURES = frozenset(
    {
        Measure.PCT_20_WEEKS,
        Measure.PCT_20_WEEKS_EX,
        Measure.PCT_SEN_SUPPORT,
        Measure.PCT_EHC_PLAN,
    }
)
DATASET_FOR_MEASURE: dict[str, str] = {
    Measure.EHC_PLANS: "ehcp_caseload",
    Measure.NEW_PLANS: "ehcp_timeliness",
    Measure.NEW_PLANS_EX: "ehcp_timeliness",
    Measure.PCT_20_WEEKS: "ehcp_timeliness",
    Measure.PCT_20_WEEKS_EX: "ehcp_timeliness",
    Measure.PUPILS: "sen_in_england",
    Measure.SEN_SUPPORT: "sen_in_england",
    Measure.SEN_EHC_PLAN: "sen_in_england",
    Measure.PCT_SEN_SUPPORT: "sen_in_england",
    Measure.PCT_EHC_PLAN: "sen_in_england",
}
# The official figures beside every area: (measure, column heading).
CONTEXT_MEASURES = (
    (Measure.EHC_PLANS, "EHC plans"),
    (Measure.PCT_20_WEEKS_EX, "% of new EHC plans issued within 20 weeks, excluding exceptions"),
    (Measure.PCT_SEN_SUPPORT, "% of pupils on SEN support"),
    (Measure.PCT_EHC_PLAN, "% of pupils with an EHC plan"),
)


class NotFound(Exception):
    """Nothing here that this person may see."""


@lru_cache(maxsize=64)
def _url_pattern(name: str, count: int) -> str:
    marks = [str(9_000_000_001 + n) for n in range(count)]
    url = reverse(name, args=marks)
    for n, mark in enumerate(marks):
        url = url.replace(mark, "{" + str(n) + "}")
    return url


def url_for(name: str, *args: Any) -> str:
    """reverse(), once per URL name: a link in every row of a long table stays cheap."""
    return _url_pattern(name, len(args)).format(*args)


# ---- who sees what ----------------------------------------------------------------------


def dashboard_areas(*, user: Any) -> QuerySet[Area]:
    """Areas whose dashboards the person may open: their own, or all for national roles."""
    access = access_for(user)
    if access.reads_everything:
        return Area.objects.all()
    return Area.objects.filter(pk__in=access.area_ids)


def dashboard_icbs(*, user: Any) -> QuerySet[IntegratedCareBoard]:
    access = access_for(user)
    if access.reads_everything:
        return IntegratedCareBoard.objects.all()
    return IntegratedCareBoard.objects.filter(pk__in=access.icb_ids)


def sees_national(*, user: Any) -> bool:
    return access_for(user).reads_everything


def area_for(*, user: Any, code: str) -> Area:
    area = dashboard_areas(user=user).filter(code=code).first()
    if area is None:
        raise NotFound(code)
    return area


def icb_for(*, user: Any, code: str) -> IntegratedCareBoard:
    icb = dashboard_icbs(user=user).filter(code=code).first()
    if icb is None:
        raise NotFound(code)
    return icb


@dataclass
class Index:
    areas: list[Area]
    icbs: list[IntegratedCareBoard]
    national: bool
    area_count: int = 0

    @property
    def empty(self) -> bool:
        return not (self.areas or self.icbs or self.national)


def dashboard_index(*, user: Any) -> Index:
    access = access_for(user)
    national = access.reads_everything
    return Index(
        areas=[] if national else list(dashboard_areas(user=user).order_by("name")),
        icbs=list(dashboard_icbs(user=user).order_by("name")),
        national=national,
        area_count=Area.objects.count() if national else 0,
    )


# ---- shared -----------------------------------------------------------------------------


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


def _context(standard_slug: str | None, as_at: dt.datetime | None = None) -> Context:
    standard, version = reporting(slug=standard_slug or DEFAULT_STANDARD)
    return Context(
        standard=standard,
        version=version,
        facts=version_facts(version) if version else None,
        period=period_for(timezone.localdate()),
        as_at=as_at,
    )


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


# ---- official statistics ----------------------------------------------------------------


@dataclass
class Statistics:
    """The latest official figures for some places: (measure, geo code) → Figure."""

    figures: dict[tuple[str, str], Figure]
    periods: dict[str, str]
    datasets: dict[str, StatisticsDataset]

    def get(self, measure: str, geo: str) -> Figure | None:
        return self.figures.get((measure, geo))

    def reference(self, measure: str) -> str:
        period = self.periods.get(measure, "")
        spec = DATASET_BY_KEY.get(DATASET_FOR_MEASURE.get(measure, ""))
        return reference_label(period, census=spec.census if spec else True)

    @property
    def loaded(self) -> bool:
        return bool(self.figures)


# The latest periods of each measure and the datasets, read at most every STATISTICS_TTL
# seconds per process (statistics change only when `import_statistics` runs).
STATISTICS_TTL = 300.0
_statistics_meta: dict[str, Any] = {}


def clear_caches() -> None:
    _statistics_meta.clear()


def _meta() -> dict[str, Any]:
    if _statistics_meta and time.monotonic() - _statistics_meta["at"] < STATISTICS_TTL:
        return _statistics_meta
    periods: dict[str, list[str]] = defaultdict(list)
    for measure, period in (
        OfficialStatistic.objects.values_list("measure", "time_period")
        .distinct()
        .order_by("measure", "-time_period")
    ):
        periods[measure].append(period)
    _statistics_meta.clear()
    _statistics_meta.update(
        at=time.monotonic(),
        periods=dict(periods),
        datasets={d.key: d for d in StatisticsDataset.objects.all()},
    )
    return _statistics_meta


def latest_statistics(
    *,
    measures: Iterable[str],
    geo_codes: Iterable[str] | None = None,
    previous: bool = False,
) -> Statistics:
    """The latest period's figures of each measure (and the one before, if asked)."""
    meta = _meta()
    latest: dict[str, str] = {}
    periods: dict[str, str] = {}
    condition = Q()
    for measure in sorted(set(measures)):
        known = meta["periods"].get(measure, [])
        if not known:
            continue
        latest[measure] = periods[measure] = known[0]
        condition |= Q(measure=measure, time_period=known[0])
        if previous and len(known) > 1:
            periods[f"{measure}:previous"] = known[1]
            condition |= Q(measure=measure, time_period=known[1])
    figures: dict[tuple[str, str], Figure] = {}
    if latest:
        rows = OfficialStatistic.objects.filter(condition)
        if geo_codes is not None:
            rows = rows.filter(geo_code__in=sorted(set(geo_codes)))
        for measure, period, geo, value, suppression in rows.values_list(
            "measure", "time_period", "geo_code", "value", "suppression"
        ):
            key = measure if period == latest[measure] else f"{measure}:previous"
            figures[(key, geo)] = Figure(value, suppression, measure in PERCENT_MEASURES)
    return Statistics(figures=figures, periods=periods, datasets=meta["datasets"])


def _stat_heading(stats: Statistics, measure: str, label: str) -> str:
    reference = stats.reference(measure)
    return f"{label}, {reference}" if reference else label


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


def _area_snapshot(area: Area, context: Context) -> AreaSnapshot | None:
    if context.standard is None:
        return None
    return AreaSnapshot.objects.filter(area=area, standard=context.standard).first()


def area_dashboard(
    *,
    user: Any,
    code: str,
    standard_slug: str | None = None,
    all_failed: bool = False,
    on: dt.date | None = None,
) -> AreaDashboard:
    area = area_for(user=user, code=code)
    context = _context(standard_slug)
    snapshot = _area_snapshot(area, context)
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
    board.tables["context"], board.sources = context_table(area)
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
        gaps.select_related("provider").order_by("due_date", "provider__name", "pk")[
            : None if limit is None else limit + 1
        ]
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


def context_table(area: Area) -> tuple[Table, list[StatisticsDataset]]:
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
    return table, list(used.values())


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


# ---- providers, heatmap -----------------------------------------------------------------


@dataclass(frozen=True)
class ProviderFilters:
    provider_types: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    must_gaps: str = ""  # "", "yes" or "no"
    query: str = ""

    def describe(self) -> list[tuple[str, str]]:
        """(filter name, chosen values) for each filter in use."""
        chosen = []
        if self.query:
            chosen.append(("Name or URN", self.query))
        if self.provider_types:
            chosen.append(("Type", ", ".join(TYPE_LABELS.get(t, t) for t in self.provider_types)))
        if self.phases:
            chosen.append(("Phase", ", ".join(PHASE_LABELS.get(p, p) for p in self.phases)))
        if self.statuses:
            chosen.append(
                ("Declaration status", ", ".join(STATE_LABELS.get(s, s) for s in self.statuses))
            )
        if self.bands:
            chosen.append(("Score", ", ".join(BAND_LABELS.get(b, b) for b in self.bands)))
        if self.must_gaps:
            chosen.append(
                (
                    "Open must gaps",
                    "Has open must gaps" if self.must_gaps == "yes" else "No open must gaps",
                )
            )
        return chosen


SORTS = {
    "name": ("name",),
    "type": ("provider_type", "name"),
    "phase": ("phase", "name"),
    "status": ("declaration_status", "name"),
    "score": ("score", "name"),
    "must_gaps": ("open_must_gaps", "name"),
    "submitted": ("last_submitted_at", "name"),
}
NULLABLE = {"score", "last_submitted_at"}


def _by_label(name: str) -> Any:
    """Codes sort by the label people read ("16 plus" before "Primary"), other fields as they
    are."""
    labels = {"provider_type": TYPE_LABELS, "phase": PHASE_LABELS}.get(name)
    if labels is None:
        return F(name)
    return Case(
        *(When(**{name: code}, then=Value(label)) for code, label in labels.items()),
        default=F(name),
        output_field=CharField(),
    )


def filtered_snapshots(
    *,
    area: Area,
    context: Context,
    filters: ProviderFilters,
    sort: str = "name",
    descending: bool = False,
) -> QuerySet[ProviderSnapshot]:
    if context.standard is None:
        return ProviderSnapshot.objects.none()
    rows = ProviderSnapshot.objects.filter(standard=context.standard, area=area)
    if filters.query:
        text = filters.query.strip()
        rows = rows.filter(Q(name__icontains=text) | Q(urn=text))
    if filters.provider_types:
        rows = rows.filter(provider_type__in=filters.provider_types)
    if filters.phases:
        rows = rows.filter(phase__in=filters.phases)
    if filters.statuses:
        condition = Q()
        current = Q(period=context.period)
        for status in filters.statuses:
            if status == DeclarationState.NOT_STARTED:
                condition |= Q(declaration_status=status) | ~current
            else:
                condition |= Q(declaration_status=status) & current
        rows = rows.filter(condition)
    if filters.bands:
        rows = rows.filter(score_band__in=filters.bands)
    if filters.must_gaps == "yes":
        rows = rows.filter(open_must_gaps__gt=0)
    elif filters.must_gaps == "no":
        rows = rows.filter(open_must_gaps=0)
    fields = SORTS.get(sort, SORTS["name"])
    ordering = []
    for index, name in enumerate(fields):
        expression = _by_label(name)
        first = index == 0
        if first and descending:
            ordering.append(expression.desc(nulls_last=True))
        elif name in NULLABLE:
            ordering.append(expression.asc(nulls_last=True))
        else:
            ordering.append(expression.asc())
    ordering.append(F("pk").asc())
    return rows.order_by(*ordering)


@dataclass
class ProvidersPage:
    area: Area
    context: Context
    filters: ProviderFilters
    page: Page[ProviderSnapshot]
    table: Table
    total: int
    sort: str
    descending: bool


def _status_of(row: ProviderSnapshot, period: str) -> str:
    if row.period != period:
        return STATE_LABELS[DeclarationState.NOT_STARTED]
    return STATE_LABELS.get(row.declaration_status, row.declaration_status)


def providers_table(
    rows: Iterable[ProviderSnapshot], context: Context, *, title: str = "Providers"
) -> Table:
    table = Table(
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
    for index, row in enumerate(rows):
        table.rows.append(
            {
                "name": row.name,
                "urn": row.urn,
                "type": TYPE_LABELS.get(row.provider_type, row.provider_type),
                "phase": PHASE_LABELS.get(row.phase, row.phase),
                "status": _status_of(row, context.period),
                "score": row.score,
                "must_gaps": row.open_must_gaps,
                "submitted": row.last_submitted_at,
            }
        )
        table.link(index, "name", url_for("scoring:result", row.provider_id))
    return table


def area_providers(
    *,
    user: Any,
    code: str,
    filters: ProviderFilters,
    sort: str = "name",
    descending: bool = False,
    page_number: str | int | None = 1,
    standard_slug: str | None = None,
) -> ProvidersPage:
    return _providers_page(
        user=user,
        code=code,
        filters=filters,
        sort=sort,
        descending=descending,
        page_number=page_number,
        standard_slug=standard_slug,
        narrow=lambda rows: rows.defer("outcomes", "section_scores"),
        build=providers_table,
    )


def _providers_page(
    *,
    user: Any,
    code: str,
    filters: ProviderFilters,
    sort: str,
    descending: bool,
    page_number: str | int | None,
    standard_slug: str | None,
    narrow: Callable[[QuerySet[ProviderSnapshot]], QuerySet[ProviderSnapshot]],
    build: Callable[[Iterable[ProviderSnapshot], Context], Table],
) -> ProvidersPage:
    """One page of an area's providers, filtered and sorted, as the table `build` makes."""
    area = area_for(user=user, code=code)
    context = _context(standard_slug)
    snapshot = _area_snapshot(area, context)
    context.as_at = snapshot.refreshed_at if snapshot else None
    rows = narrow(
        filtered_snapshots(
            area=area, context=context, filters=filters, sort=sort, descending=descending
        )
    )
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    table = build(page.object_list, context)
    table.sort, table.descending = sort, descending
    return ProvidersPage(
        area=area,
        context=context,
        filters=filters,
        page=page,
        table=table,
        total=page.paginator.count,
        sort=sort,
        descending=descending,
    )


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


def area_heatmap(
    *,
    user: Any,
    code: str,
    filters: ProviderFilters,
    sort: str = "name",
    descending: bool = False,
    page_number: str | int | None = 1,
    standard_slug: str | None = None,
) -> ProvidersPage:
    return _providers_page(
        user=user,
        code=code,
        filters=filters,
        sort=sort if sort in ("name", "score") else "name",
        descending=descending,
        page_number=page_number,
        standard_slug=standard_slug,
        narrow=lambda rows: rows.only("provider_id", "name", "score", "section_scores"),
        build=heatmap_table,
    )


def area_export(
    *,
    user: Any,
    code: str,
    table_key: str,
    filters: ProviderFilters,
    sort: str = "name",
    descending: bool = False,
    all_failed: bool = False,
    standard_slug: str | None = None,
) -> tuple[Area, Context, Table]:
    """A whole table of the area dashboard (every row, with the page's filters and order)."""
    if table_key in ("providers", "heatmap"):
        area = area_for(user=user, code=code)
        context = _context(standard_slug)
        snapshot = _area_snapshot(area, context)
        context.as_at = snapshot.refreshed_at if snapshot else None
        rows = filtered_snapshots(
            area=area, context=context, filters=filters, sort=sort, descending=descending
        )
        if table_key == "providers":
            table = providers_table(rows.defer("outcomes", "section_scores").iterator(), context)
        else:
            table = heatmap_table(
                rows.only("provider_id", "name", "score", "section_scores").iterator(), context
            )
        return area, context, table
    board = area_dashboard(user=user, code=code, standard_slug=standard_slug, all_failed=all_failed)
    if table_key == "overdue":
        board.tables["overdue"], _ = overdue_table(board.area, board.context, limit=None)
    if table_key not in board.tables:
        raise NotFound(table_key)
    return board.area, board.context, board.tables[table_key]


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


def _snapshot_values(standard: Standard | None) -> dict[int, dict[str, Any]]:
    if standard is None:
        return {}
    return {
        row["area_id"]: dict(row)
        for row in AreaSnapshot.objects.filter(standard=standard).values(
            "area_id",
            "provider_count",
            "declared_count",
            "result_count",
            "musts_met_count",
            "score_sum",
            "open_must_gaps",
            "refreshed_at",
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
    for name in (
        "provider_count",
        "declared_count",
        "result_count",
        "musts_met_count",
        "score_sum",
        "open_must_gaps",
    ):
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
    choices: list[tuple[str, list[Area]]]
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
    by_region: dict[str, list[Area]] = defaultdict(list)
    for area in Area.objects.order_by("region_name", "name"):
        by_region[area.region_name].append(area)
    return Comparison(
        context=context,
        areas=areas,
        choices=sorted(by_region.items()),
        table=table,
        charts=charts,
        too_many=too_many,
        stats=stats,
    )


# ---- ICB view ---------------------------------------------------------------------------


@dataclass
class IcbDashboard:
    icb: IntegratedCareBoard
    context: Context
    areas_table: Table
    health_table: Table
    own_table: Table
    chart: Chart


def _health_pct(health: dict[str, Any]) -> float | None:
    met, failed = int(health.get("met", 0)), int(health.get("failed", 0))
    return percentage(met, met + failed)


def icb_dashboard(*, user: Any, code: str, standard_slug: str | None = None) -> IcbDashboard:
    icb = icb_for(user=user, code=code)
    context = _context(standard_slug)
    coverage = list(
        IcbAreaCoverage.objects.filter(icb=icb).select_related("area").order_by("area__name")
    )
    snapshots = (
        {
            s.area_id: s
            for s in AreaSnapshot.objects.filter(
                standard=context.standard, area_id__in=[c.area_id for c in coverage]
            ).only(
                "area_id",
                "provider_count",
                "result_count",
                "health",
                "requirements",
                "refreshed_at",
            )
        }
        if context.standard
        else {}
    )
    context.as_at = max((s.refreshed_at for s in snapshots.values()), default=None)
    areas_table = Table(
        key="areas",
        title="Areas the board covers",
        columns=[
            Column("name", "Area", header=True),
            Column("share", "Share of the area in the board", "pct"),
            Column("providers", "Providers", "count"),
            Column("with_health", "With a health result", "count"),
            Column("health_pct", "Health requirements met", "pct", "No results"),
            Column("health_musts_pct", "% meeting every health must", "pct", "No results"),
            Column("open_gaps", "Open health gaps", "count"),
        ],
        rows=[],
        empty="The board covers no areas.",
    )
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for index, cover in enumerate(coverage):
        snapshot = snapshots.get(cover.area_id)
        health = (snapshot.health if snapshot else {}) or {}
        with_health = int(health.get("providers", 0))
        areas_table.rows.append(
            {
                "name": cover.area.name,
                "share": float(cover.share) * 100,
                "providers": snapshot.provider_count if snapshot else 0,
                "with_health": with_health,
                "health_pct": _health_pct(health),
                "health_musts_pct": percentage(int(health.get("all_musts_met", 0)), with_health),
                "open_gaps": int(health.get("open_gaps", 0)),
            }
        )
        areas_table.link(index, "name", url_for("dashboards:icb_area", icb.code, cover.area.code))
        for key, counts in ((snapshot.requirements if snapshot else {}) or {}).items():
            for letter, n in counts.items():
                totals[key][letter] += n
    health_table = Table(
        key="health",
        title="Health-related requirements across the providers of these areas",
        columns=[
            Column("title", "Requirement", header=True),
            Column("key", "Reference", small=True),
            Column("strength", "Strength"),
            Column("assessed", "Providers assessed", "count"),
            Column("met", "Meeting it", "count"),
            Column("failed", "Not meeting it", "count"),
            Column("share", "Share not meeting it", "pct", "No results"),
        ],
        rows=[],
        empty="The standard has no health-related requirements.",
    )
    facts = context.facts
    if facts is not None:
        for requirement in sorted(facts.requirements.values(), key=lambda r: r.order):
            if requirement.key not in facts.health_keys or requirement.applies_to <= BOARDS_ONLY:
                continue  # the board's own duties are in its own declaration, below
            counts = totals.get(requirement.key, {})
            failed, assessed = failures(dict(counts), requirement.strength)
            health_table.rows.append(
                {
                    "title": requirement.title,
                    "key": requirement.key,
                    "strength": STRENGTH_LABELS.get(requirement.strength, requirement.strength),
                    "assessed": assessed,
                    "met": assessed - failed,
                    "failed": failed,
                    "share": percentage(failed, assessed),
                }
            )
    own = (
        ProviderSnapshot.objects.filter(standard=context.standard, icb=icb).order_by("name")
        if context.standard
        else ProviderSnapshot.objects.none()
    )
    own_table = Table(
        key="own",
        title="The board's own declaration",
        columns=[
            Column("name", "Provider", header=True),
            Column("status", f"Declaration for {context.period}"),
            Column("submitted", "Last submitted", "date", "Never"),
            Column("score", "Score", "score", "No result"),
            Column("musts", "Every must requirement met", empty="No result"),
            Column("must_gaps", "Open must gaps", "count"),
        ],
        rows=[],
        empty="The board has no declaration yet.",
    )
    for index, row in enumerate(own):
        own_table.rows.append(
            {
                "name": row.name,
                "status": _status_of(row, context.period),
                "submitted": row.last_submitted_at,
                "score": row.score,
                "musts": row.all_musts_met,
                "must_gaps": row.open_must_gaps,
            }
        )
        own_table.link(index, "name", url_for("scoring:result", row.provider_id))
    chart = bar_chart(
        chart_id="chart-icb-areas",
        title="Health requirements met, by area",
        bars=[
            Bar(
                r["name"],
                r["health_pct"],
                "No results" if r["health_pct"] is None else f"{r['health_pct']:.1f}%",
            )
            for r in areas_table.rows
        ],
        subject="Percentage of health-related requirement results that are met, in each area",
    )
    return IcbDashboard(
        icb=icb,
        context=context,
        areas_table=areas_table,
        health_table=health_table,
        own_table=own_table,
        chart=chart,
    )


@dataclass
class IcbAreaPage:
    icb: IntegratedCareBoard
    area: Area
    context: Context
    page: Page[ProviderSnapshot]
    table: Table
    provider_type: str
    sort: str
    descending: bool


ICB_SORTS = {"name": ("name",), "failed": ("health_failed", "name")}


def _icb_area_rows(
    icb: IntegratedCareBoard,
    area: Area,
    context: Context,
    provider_type: str,
    sort: str,
    descending: bool,
) -> QuerySet[ProviderSnapshot]:
    if context.standard is None:
        return ProviderSnapshot.objects.none()
    rows = ProviderSnapshot.objects.filter(standard=context.standard, area=area)
    if provider_type:
        rows = rows.filter(provider_type=provider_type)
    first, *rest = ICB_SORTS.get(sort, ICB_SORTS["name"])
    return rows.order_by(F(first).desc() if descending else F(first).asc(), *rest, "pk").only(
        "provider_id",
        "name",
        "provider_type",
        "health_met",
        "health_failed",
        "health_must_failed",
        "health_open_gaps",
    )


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


def icb_area(
    *,
    user: Any,
    icb_code: str,
    area_code: str,
    provider_type: str = "",
    sort: str = "name",
    descending: bool = False,
    page_number: str | int | None = 1,
    everything: bool = False,
    standard_slug: str | None = None,
) -> IcbAreaPage:
    icb = icb_for(user=user, code=icb_code)
    area = Area.objects.filter(code=area_code, icb_coverage__icb=icb).first()
    if area is None:
        raise NotFound(area_code)
    context = _context(standard_slug)
    snapshot = _area_snapshot(area, context)
    context.as_at = snapshot.refreshed_at if snapshot else None
    if provider_type not in TYPE_LABELS:
        provider_type = ""
    rows = _icb_area_rows(icb, area, context, provider_type, sort, descending)
    paginator = Paginator(rows, 10**9 if everything else PAGE_SIZE)
    page = paginator.get_page(page_number)
    table = icb_area_table(page.object_list, area)
    table.sort, table.descending = (sort if sort in ICB_SORTS else "name"), descending
    return IcbAreaPage(
        icb=icb,
        area=area,
        context=context,
        page=page,
        table=table,
        provider_type=provider_type,
        sort=table.sort,
        descending=descending,
    )


def icb_export(
    *, user: Any, code: str, table_key: str, standard_slug: str | None = None
) -> tuple[IntegratedCareBoard, Context, Table]:
    board = icb_dashboard(user=user, code=code, standard_slug=standard_slug)
    tables = {"areas": board.areas_table, "health": board.health_table, "own": board.own_table}
    if table_key not in tables:
        raise NotFound(table_key)
    return board.icb, board.context, tables[table_key]


__all__ = [
    "BAND_LABELS",
    "COMPARE_LIMIT",
    "HEATMAP_BANDS",
    "NotFound",
    "ProviderFilters",
    "area_dashboard",
    "area_export",
    "area_heatmap",
    "area_providers",
    "compare_areas",
    "dashboard_index",
    "icb_area",
    "icb_dashboard",
    "icb_export",
    "national_dashboard",
    "score_band",
]

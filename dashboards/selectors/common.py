"""What every dashboard reads: who sees what, the standard reported on, official statistics."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.access import access_for
from audits.periods import period_for
from dashboards.models import AreaSnapshot, Measure, OfficialStatistic, StatisticsDataset
from dashboards.official import DATASET_BY_KEY, reference_label
from dashboards.presenters import Context
from dashboards.selectors.versions import DEFAULT_STANDARD, reporting, version_facts
from dashboards.tables import Figure
from providers.models import Area, IcbAreaCoverage, IntegratedCareBoard

PAGE_SIZE = 50
TOP_FAILED = 10
TOP_OVERDUE = 10
TREND_POINTS = 12
COMPARE_LIMIT = 10


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


def icb_with_coverage(*, user: Any, code: str) -> tuple[IntegratedCareBoard, list[IcbAreaCoverage]]:
    """`icb_for` and the areas the board covers, by name: one query when it covers any."""
    rows = (
        IcbAreaCoverage.objects.select_related("icb", "area")
        .filter(icb__code=code)
        .order_by("area__name")
    )
    access = access_for(user)
    if not access.reads_everything:
        rows = rows.filter(icb_id__in=access.icb_ids)
    coverage = list(rows)
    if coverage:
        return coverage[0].icb, coverage
    return icb_for(user=user, code=code), []


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


def _context(standard_slug: str | None, as_at: dt.datetime | None = None) -> Context:
    standard, version = reporting(slug=standard_slug or DEFAULT_STANDARD)
    return Context(
        standard=standard,
        version=version,
        facts=version_facts(version) if version else None,
        period=period_for(timezone.localdate()),
        as_at=as_at,
    )


# ---- official statistics ----------------------------------------------------------------


@dataclass
class Statistics:
    """The latest official figures for some places: (measure, geo code) → Figure."""

    figures: dict[tuple[str, str], Figure]
    periods: dict[str, str]
    datasets: dict[str, StatisticsDataset]
    generation: str = ""  # statistics_generation() when these were read

    def get(self, measure: str, geo: str) -> Figure | None:
        return self.figures.get((measure, geo))

    def reference(self, measure: str) -> str:
        period = self.periods.get(measure, "")
        spec = DATASET_BY_KEY.get(DATASET_FOR_MEASURE.get(measure, ""))
        return reference_label(period, census=spec.census if spec else True)

    @property
    def loaded(self) -> bool:
        return bool(self.figures)


# The latest periods of each measure and the datasets, kept in the cache for at most
# STATISTICS_TIMEOUT seconds (statistics change only when `import_statistics` runs, which
# forgets them).
STATISTICS_TIMEOUT = 300
STATISTICS_KEY = "dashboards:statistics-meta"


def forget_statistics() -> None:
    cache.delete(STATISTICS_KEY)


def _meta() -> dict[str, Any]:
    meta = cache.get(STATISTICS_KEY)
    if meta is not None:
        return meta
    periods: dict[str, list[str]] = defaultdict(list)
    for measure, period in (
        OfficialStatistic.objects.values_list("measure", "time_period")
        .distinct()
        .order_by("measure", "-time_period")
    ):
        periods[measure].append(period)
    meta = {
        "periods": dict(periods),
        "datasets": {d.key: d for d in StatisticsDataset.objects.all()},
        # Changes whenever the statistics are read again, after a load forgot them: what was
        # kept from the statistics before (the plan coverage) is worked out again.
        "generation": uuid.uuid4().hex,
    }
    cache.set(STATISTICS_KEY, meta, STATISTICS_TIMEOUT)
    return meta


def statistics_generation() -> str:
    """A mark that changes each time the statistics kept in the cache are read afresh."""
    return str(_meta()["generation"])


def statistics_dataset(key: str) -> StatisticsDataset | None:
    """An official dataset's description, from the statistics kept in the cache."""
    return _meta()["datasets"].get(key)


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
    return Statistics(
        figures=figures,
        periods=periods,
        datasets=meta["datasets"],
        generation=str(meta["generation"]),
    )


def _stat_heading(stats: Statistics, measure: str, label: str) -> str:
    reference = stats.reference(measure)
    return f"{label}, {reference}" if reference else label


def area_with_snapshot(
    *, user: Any, code: str, context: Context
) -> tuple[Area, AreaSnapshot | None]:
    """`area_for` and the area's aggregate row for the context's standard: one query when the
    row exists, as it does for every area once the dashboards have been refreshed."""
    if context.standard is not None:
        rows = AreaSnapshot.objects.select_related("area").filter(
            area__code=code, standard=context.standard
        )
        access = access_for(user)
        if not access.reads_everything:
            rows = rows.filter(area_id__in=access.area_ids)
        snapshot = rows.first()
        if snapshot is not None:
            return snapshot.area, snapshot
    return area_for(user=user, code=code), None


def _area_snapshot(area: Area, context: Context) -> AreaSnapshot | None:
    if context.standard is None:
        return None
    return AreaSnapshot.objects.filter(area=area, standard=context.standard).first()

"""The local inclusion plan's coverage on the area dashboard: the specialist places in the
area's latest published plan, by kind, beside the area's EHC plans by placement (the
placement columns of DfE's caseload.csv, January of the latest year loaded).

Two queries at most: the latest published plan with its places, and the area's placement
figures; the datasets come from the statistics already in the cache and whether the person may
open the plan pages from their roles.

The figures change only when a plan is published (or a draft removed) and when statistics are
loaded, and the dashboard is opened far more often than either, so where the cache is shared by
every process they are kept there by area (common.shared_cache): a plan saved or deleted
forgets its area's entry (dashboards.receivers), and an entry made before the statistics were
last loaded is not used. With a process-local cache they are worked out on every view."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from common.shared_cache import forget, kept
from dashboards.charts import Bar, Chart, bar_chart
from dashboards.models import Measure, OfficialStatistic, StatisticsDataset
from dashboards.official import reference_label
from dashboards.selectors.common import (
    Statistics,
    statistics_dataset,
    statistics_generation,
)
from dashboards.tables import Column, Table
from inclusion.models import InclusionPlan, PlaceKind, PlanStatus, SpecialistPlace
from inclusion.selectors.plans import can_read_plans
from providers.models import Area

# Which placement measures make up each kind of specialist place.
MEASURES_BY_KIND: dict[str, tuple[str, ...]] = {
    PlaceKind.RESOURCED_PROVISION: (
        Measure.PLACED_RP_LA,
        Measure.PLACED_RP_ACADEMY,
        Measure.PLACED_RP_FREE,
    ),
    PlaceKind.SEN_UNIT: (
        Measure.PLACED_UNIT_LA,
        Measure.PLACED_UNIT_ACADEMY,
        Measure.PLACED_UNIT_FREE,
    ),
    PlaceKind.SPECIAL_SCHOOL: (Measure.PLACED_SPECIAL,),
    PlaceKind.ALTERNATIVE_PROVISION: (Measure.PLACED_AP,),
    PlaceKind.SPECIALIST_POST16: (Measure.PLACED_POST16,),
}
PLAIN_LABELS: dict[str, str] = {
    PlaceKind.RESOURCED_PROVISION: "Resourced provision",
    PlaceKind.SEN_UNIT: "SEN units",
    PlaceKind.SPECIAL_SCHOOL: "Special schools",
    PlaceKind.ALTERNATIVE_PROVISION: "Alternative provision",
    PlaceKind.SPECIALIST_POST16: "Specialist post-16",
}


@dataclass(frozen=True)
class CoverageRow:
    kind: str
    label: str
    settings: int
    places: int | None  # places commissioned, added up over entries that give a number
    places_unknown: int  # entries that give no number of places
    ehc_plans: int | None  # None: not published (suppressed) or not loaded
    ehc_loaded: bool = True  # False when no placement figures are loaded for the area

    @property
    def places_text(self) -> str:
        if self.places is None:
            return "not known"
        return f"{self.places:,}" + (
            f" (and {self.places_unknown} not known)" if self.places_unknown else ""
        )

    @property
    def ehc_text(self) -> str:
        if not self.ehc_loaded:
            return "no figures"
        return "not published" if self.ehc_plans is None else f"{self.ehc_plans:,}"


@dataclass(frozen=True)
class Coverage:
    area: Area
    plan: InclusionPlan | None
    reference: str  # e.g. "January 2025"; empty when no placement figures are loaded
    rows: list[CoverageRow]
    chart: Chart | None
    source: StatisticsDataset | None
    can_open_plans: bool  # whether the person may open the area's plan pages

    @property
    def table(self) -> Table:
        placed = "EHC plans placed" + (f" ({self.reference})" if self.reference else "")
        return Table(
            key="coverage",
            title="Specialist places and EHC plans by placement",
            columns=[
                Column("label", "Kind of place", header=True),
                Column("settings", "Settings in the plan", "count"),
                Column("places", "Places in the plan", "count"),
                Column("ehc", placed, "count"),
            ],
            rows=[
                {
                    "label": r.label,
                    "settings": r.settings,
                    "places": r.places_text,
                    "ehc": r.ehc_text,
                }
                for r in self.rows
            ],
        )


PLACEMENT_MEASURES = tuple(m for group in MEASURES_BY_KIND.values() for m in group)
COVERAGE_TIMEOUT = 300


@dataclass(frozen=True)
class _Figures:
    plan: InclusionPlan | None
    reference: str
    rows: list[CoverageRow]
    chart: Chart | None


# The shape of what is kept: an entry kept by code whose classes had other fields (before a
# deployment) is never read back.
_SHAPE = hashlib.sha256(
    repr([[f.name for f in fields(c)] for c in (_Figures, CoverageRow, Chart, Bar)]).encode()
).hexdigest()[:8]


def _key(area_id: int) -> str:
    return f"dashboards:coverage:{_SHAPE}:{area_id}"


def forget_coverage(*, area_id: int) -> None:
    """The area's plan changed: its coverage is worked out again on the next view."""
    forget(_key(area_id))


def _ehc_plans_by_kind(area: Area) -> tuple[str, dict[str, int | None]]:
    # One query: the area's placement figures, latest period first (a few periods of nine
    # measures); those of the latest period are used.
    rows = (
        OfficialStatistic.objects.filter(area=area, measure__in=PLACEMENT_MEASURES)
        .order_by("-time_period")
        .values_list("time_period", "measure", "value", "suppression")
    )
    latest: str | None = None
    values: dict[str, tuple[Decimal | None, str]] = {}
    for period, measure, value, suppression in rows:
        if latest is None:
            latest = period
        elif period != latest:
            break
        values[measure] = (value, suppression)
    if latest is None:
        return "", {}
    totals: dict[str, int | None] = {}
    for kind, group in MEASURES_BY_KIND.items():
        found = [values.get(m) for m in group]
        if all(f is None for f in found):
            continue  # not loaded
        # A total over any figure DfE does not publish is itself not published.
        if any(f is None or f[0] is None for f in found):
            totals[kind] = None
        else:
            totals[kind] = int(sum(f[0] for f in found if f is not None and f[0] is not None))
    return reference_label(latest), totals


def area_coverage(*, area: Area, user: Any, statistics: Statistics | None = None) -> Coverage:
    """The area's coverage (the area comes from the caller's scoped dashboard; published plans
    are public). `statistics`: the official statistics, when the caller has read them."""
    generation = statistics.generation if statistics is not None else statistics_generation()
    _, figures = kept(
        _key(area.pk),
        lambda: (generation, _figures(area)),
        COVERAGE_TIMEOUT,
        usable=lambda entry: entry[0] == generation,
    )
    source = None
    if figures.reference:
        source = (
            statistics.datasets.get("ehcp_caseload")
            if statistics is not None
            else statistics_dataset("ehcp_caseload")
        )
    return Coverage(
        area=area,
        plan=figures.plan,
        reference=figures.reference,
        rows=figures.rows,
        chart=figures.chart,
        source=source,
        can_open_plans=can_read_plans(user=user, area=area),
    )


def _figures(area: Area) -> _Figures:
    plan = (
        InclusionPlan.objects.filter(area=area, status=PlanStatus.PUBLISHED)
        .order_by("-academic_year", "-version")
        .first()
    )
    entries = (
        list(SpecialistPlace.objects.filter(plan=plan).values_list("kind", "places"))
        if plan is not None
        else []
    )
    reference, ehc = _ehc_plans_by_kind(area)
    rows = []
    for kind in MEASURES_BY_KIND:
        mine = [places for k, places in entries if k == kind]
        known = [p for p in mine if p is not None]
        rows.append(
            CoverageRow(
                kind=str(kind),
                label=PLAIN_LABELS[kind],
                settings=len(mine),
                places=sum(known) if known or not mine else None,
                places_unknown=len(mine) - len(known),
                ehc_plans=ehc.get(kind),
                ehc_loaded=kind in ehc,
            )
        )
    chart = None
    if plan is not None or reference:
        bars = []
        for row in rows:
            bars.append(
                Bar(
                    f"{row.label}: places in the plan",
                    None if row.places is None else float(row.places),
                    row.places_text,
                )
            )
            bars.append(
                Bar(
                    f"{row.label}: EHC plans placed",
                    None if row.ehc_plans is None else float(row.ehc_plans),
                    row.ehc_text,
                )
            )
        top = max([b.value for b in bars if b.value is not None] or [1.0])
        chart = bar_chart(
            chart_id="coverage-chart",
            title=f"Specialist places in the plan and EHC plans by placement, {area.name}",
            bars=bars,
            subject="Specialist places in the local inclusion plan, and EHC plans by placement"
            + (f" in {reference}" if reference else ""),
            maximum=top * 1.15,
            unit="",
        )
    return _Figures(
        plan=plan,
        reference=reference,
        rows=rows,
        chart=chart,
    )

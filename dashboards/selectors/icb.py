"""Integrated care boards' dashboards: the board's areas and an area's providers, health only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet

from common.expressions import JsonKeys
from dashboards.charts import Bar, Chart, bar_chart
from dashboards.models import AreaSnapshot, ProviderSnapshot
from dashboards.presenters import (
    BOARDS_ONLY,
    STRENGTH_LABELS,
    TYPE_LABELS,
    Context,
    _status_of,
    failures,
    icb_area_table,
    url_for,
)
from dashboards.selectors.common import (
    PAGE_SIZE,
    NotFound,
    _area_snapshot,
    _context,
    icb_for,
    icb_with_coverage,
)
from dashboards.tables import Column, Table, percentage
from providers.models import Area, IntegratedCareBoard

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
    context = _context(standard_slug)
    icb, coverage = icb_with_coverage(user=user, code=code)
    facts = context.facts
    # The board's table needs the counts of the health requirements its areas' providers
    # answer, not the board's own duties (in its own declaration, below).
    shown = (
        [
            r
            for r in facts.requirements.values()
            if r.key in facts.health_keys and not r.applies_to <= BOARDS_ONLY
        ]
        if facts is not None
        else []
    )
    snapshots = (
        {
            s.area_id: s
            for s in AreaSnapshot.objects.filter(
                standard=context.standard, area_id__in=[c.area_id for c in coverage]
            )
            .only("area_id", "provider_count", "result_count", "health", "refreshed_at")
            .annotate(counts=JsonKeys("requirements", [r.key for r in shown]))
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
        for key, counts in ((snapshot.counts if snapshot else {}) or {}).items():
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
    for requirement in sorted(shown, key=lambda r: r.order):
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

"""An area's providers: the filtered list, the heatmap and the export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from dashboards.models import DeclarationState, ProviderSnapshot
from dashboards.presenters import (
    BAND_LABELS,
    PHASE_LABELS,
    PROVIDER_VALUES,
    STATE_LABELS,
    TYPE_LABELS,
    Context,
    heatmap_table,
    providers_download_table,
    providers_table,
)
from dashboards.selectors.area import area_dashboard, overdue_table
from dashboards.selectors.common import PAGE_SIZE, NotFound, _context, area_with_snapshot
from dashboards.tables import Table
from providers.models import Area

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
    context = _context(standard_slug)
    area, snapshot = area_with_snapshot(user=user, code=code, context=context)
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
        context = _context(standard_slug)
        area, snapshot = area_with_snapshot(user=user, code=code, context=context)
        context.as_at = snapshot.refreshed_at if snapshot else None
        rows = filtered_snapshots(
            area=area, context=context, filters=filters, sort=sort, descending=descending
        )
        if table_key == "providers":
            # Plain values in one round trip: a few hundred rows an area, no model instances.
            table = providers_download_table(rows.values_list(*PROVIDER_VALUES), context)
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

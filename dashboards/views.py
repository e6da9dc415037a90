"""Dashboard pages and downloads. Thin: parse the query string, call a selector, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboards import selectors
from dashboards.coverage import area_coverage
from dashboards.exports import Heading, download
from dashboards.forms import (
    MUST_GAPS_CHOICES,
    provider_filters,
    query_without,
    sorting,
)
from dashboards.models import DeclarationState, ScoreBand
from dashboards.selectors import NotFound
from dashboards.selectors.providers import ProvidersPage
from providers.models import Phase
from standards.vocabulary import ProviderType

FORMATS = ("csv", "xlsx")
AREA_TABLES = (
    "types",
    "phases",
    "sections",
    "failed",
    "gaps",
    "overdue",
    "trend_periods",
    "trend",
    "context",
    "providers",
    "heatmap",
)
NATIONAL_TABLES = ("areas", "regions", "compare")
ICB_TABLES = ("areas", "health", "own")
HEATMAP_SORTS = {"name": ("name",), "score": ("score",)}


def dashboard_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, GET only, and anything outside the person's scope is a 404."""

    @login_required
    @require_GET
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404("Not found") from exc

    return wrapped


def _as_at(when: dt.datetime | None) -> str:
    if when is None:
        return "not yet calculated"
    local = timezone.localtime(when)
    return f"{local.day} {local:%B %Y %H:%M}"


def _sorted_by(table: Any, sort: str, descending: bool) -> str:
    label = next((c.label for c in table.columns if c.key == sort), sort)
    return f"{label}, {'descending' if descending else 'ascending'}"


def _trail(request: HttpRequest) -> list[tuple[str, str]]:
    """Breadcrumbs above an area's pages: national roles came from England's table."""
    if selectors.sees_national(user=request.user):
        return [("England", reverse("dashboards:national"))]
    return []


def _filter_options(data: QueryDict) -> dict[str, Any]:

    def options(name: str, choices: Any) -> list[dict[str, Any]]:
        chosen = set(data.getlist(name))
        return [
            {"value": value, "label": label, "checked": value in chosen} for value, label in choices
        ]

    return {
        "types": options("type", ProviderType.choices),
        "phases": options("phase", [(p, selectors.PHASE_LABELS[p]) for p in Phase.values]),
        "statuses": options("status", DeclarationState.choices),
        "bands": options("band", ScoreBand.choices),
        "must_gaps": [
            {"value": v, "label": label, "checked": data.get("must_gaps", "") == v}
            for v, label in MUST_GAPS_CHOICES
        ],
        "q": data.get("q", ""),
    }


# ---- index ------------------------------------------------------------------------------


@dashboard_view
def index(request: HttpRequest) -> HttpResponse:
    found = selectors.dashboard_index(user=request.user)
    if found.empty:
        raise Http404("No dashboards")
    return render(request, "dashboards/index.html", {"index": found})


# ---- area -------------------------------------------------------------------------------


@dashboard_view
def area(request: HttpRequest, code: str) -> HttpResponse:
    all_failed = request.GET.get("failed") == "all"
    # The area's own local standard, when asked for; the national standard otherwise.
    local = selectors.area_local_standard(code=code)
    showing_local = local is not None and request.GET.get("standard") == local.standard.slug
    board = selectors.area_dashboard(
        user=request.user,
        code=code,
        all_failed=all_failed,
        standard_slug=local.standard.slug if showing_local and local else None,
    )
    return render(
        request,
        "dashboards/area.html",
        {
            "board": board,
            "local_version": local,
            "showing_local": showing_local,
            "area": board.area,
            "coverage": area_coverage(
                area=board.area, user=request.user, statistics=board.statistics
            ),
            "context": board.context,
            "as_at": _as_at(board.context.as_at),
            "all_failed": all_failed,
            "failed_query": "failed=all" if all_failed else "",
            "tab": "overview",
            "trail": _trail(request),
        },
    )


@dashboard_view
def area_providers(request: HttpRequest, code: str) -> HttpResponse:
    return _area_table_page(
        request,
        code,
        find=selectors.area_providers,
        sorts=selectors.SORTS,
        template="dashboards/area_providers.html",
        tab="providers",
    )


@dashboard_view
def area_heatmap(request: HttpRequest, code: str) -> HttpResponse:
    return _area_table_page(
        request,
        code,
        find=selectors.area_heatmap,
        sorts=HEATMAP_SORTS,
        template="dashboards/area_heatmap.html",
        tab="heatmap",
        extra={"bands": selectors.HEATMAP_BANDS},
    )


def _area_table_page(
    request: HttpRequest,
    code: str,
    *,
    find: Callable[..., ProvidersPage],
    sorts: Any,
    template: str,
    tab: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """An area's providers as a filtered, sorted, paged table: the providers list or the
    heatmap, which differ only in the table the selector builds."""
    filters = provider_filters(request.GET)
    sort, descending = sorting(request.GET, sorts)
    found = find(
        user=request.user,
        code=code,
        filters=filters,
        sort=sort,
        descending=descending,
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        template,
        {
            "found": found,
            "area": found.area,
            "context": found.context,
            "as_at": _as_at(found.context.as_at),
            "options": _filter_options(request.GET),
            "chosen": filters.describe(),
            "query": query_without(request.GET, "page"),
            "sort_query": query_without(request.GET, "page", "sort", "order"),
            "download_query": query_without(request.GET, "page"),
            "tab": tab,
            "trail": [
                *_trail(request),
                (found.area.name, reverse("dashboards:area", args=[found.area.code])),
            ],
            **(extra or {}),
        },
    )


@dashboard_view
def area_download(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
    if table not in AREA_TABLES or fmt not in FORMATS:
        raise Http404("No such download")
    filters = provider_filters(request.GET)
    sort, descending = sorting(
        request.GET, HEATMAP_SORTS if table == "heatmap" else selectors.SORTS
    )
    place, context, found = selectors.area_export(
        user=request.user,
        code=code,
        table_key=table,
        filters=filters,
        sort=sort,
        descending=descending,
        all_failed=request.GET.get("failed") == "all",
    )
    shown_filters = list(filters.describe()) if table in ("providers", "heatmap") else []
    if table in ("providers", "heatmap") and (sort != "name" or descending):
        shown_filters.append(("Sorted by", _sorted_by(found, sort, descending)))
    heading = Heading(
        title=found.title,
        place=f"Area: {place.name} (LA code {place.code})",
        version=context.version_label,
        as_at=_as_at(context.as_at),
        filters=shown_filters,
        sources=[row["source"] for row in found.rows if row.get("source")]
        if table == "context"
        else (),
    )
    today = timezone.localdate().isoformat()
    return download(found, heading, fmt=fmt, name=f"{place.code}-{table}-{today}")


# ---- national ---------------------------------------------------------------------------


@dashboard_view
def national(request: HttpRequest) -> HttpResponse:
    sort, descending = sorting(request.GET, selectors.NATIONAL_SORTS)
    found = selectors.national_dashboard(
        user=request.user, region=request.GET.get("region", ""), sort=sort, descending=descending
    )
    return render(
        request,
        "dashboards/national.html",
        {
            "found": found,
            "context": found.context,
            "as_at": _as_at(found.context.as_at),
            "sort_query": query_without(request.GET, "sort", "order"),
            "download_query": request.GET.urlencode(),
        },
    )


@dashboard_view
def compare(request: HttpRequest) -> HttpResponse:
    codes = request.GET.getlist("area")
    found = selectors.compare_areas(user=request.user, codes=codes)
    chosen = {a.code for a in found.areas}
    return render(
        request,
        "dashboards/compare.html",
        {
            "found": found,
            "context": found.context,
            "as_at": _as_at(found.context.as_at),
            "chosen": chosen,
            "open_regions": {a.region_name for a in found.areas},
            "limit": selectors.COMPARE_LIMIT,
            "download_query": request.GET.urlencode(),
            "trail": [("England", reverse("dashboards:national"))],
        },
    )


@dashboard_view
def national_download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in NATIONAL_TABLES or fmt not in FORMATS:
        raise Http404("No such download")
    filters: list[tuple[str, str]] = []
    if table == "compare":
        found = selectors.compare_areas(user=request.user, codes=request.GET.getlist("area"))
        context, result = found.context, found.table
        filters.append(("Areas", ", ".join(a.name for a in found.areas) or "none"))
    else:
        sort, descending = sorting(request.GET, selectors.NATIONAL_SORTS)
        board = selectors.national_dashboard(
            user=request.user,
            region=request.GET.get("region", ""),
            sort=sort,
            descending=descending,
        )
        context = board.context
        result = board.table if table == "areas" else board.regions_table
        if table == "areas" and board.region:
            filters.append(
                ("Region", next(r.name for r in board.regions if r.code == board.region))
            )
        if table == "areas" and (sort != "name" or descending):
            filters.append(("Sorted by", _sorted_by(result, sort, descending)))
    heading = Heading(
        title=result.title,
        place="England: the local authority areas chosen"
        if table == "compare"
        else "England: every local authority area",
        version=context.version_label,
        as_at=_as_at(context.as_at),
        filters=filters,
        sources=[
            "Department for Education, Education, health and care plans (reporting year 2025)",
            "Department for Education, Special educational needs in England (January 2024)",
        ],
    )
    today = timezone.localdate().isoformat()
    return download(result, heading, fmt=fmt, name=f"england-{table}-{today}")


# ---- ICBs -------------------------------------------------------------------------------


@dashboard_view
def icb_list(request: HttpRequest) -> HttpResponse:
    icbs = list(selectors.dashboard_icbs(user=request.user).order_by("name"))
    if not icbs:
        raise Http404("No ICBs")
    return render(request, "dashboards/icb_list.html", {"icbs": icbs})


@dashboard_view
def icb(request: HttpRequest, code: str) -> HttpResponse:
    board = selectors.icb_dashboard(user=request.user, code=code)
    return render(
        request,
        "dashboards/icb.html",
        {
            "board": board,
            "icb": board.icb,
            "context": board.context,
            "as_at": _as_at(board.context.as_at),
            "trail": [("Integrated care boards", reverse("dashboards:icbs"))]
            if selectors.sees_national(user=request.user)
            else [],
        },
    )


@dashboard_view
def icb_area(request: HttpRequest, code: str, area_code: str) -> HttpResponse:
    sort, descending = sorting(request.GET, selectors.ICB_SORTS)
    found = selectors.icb_area(
        user=request.user,
        icb_code=code,
        area_code=area_code,
        provider_type=request.GET.get("type", ""),
        sort=sort,
        descending=descending,
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        "dashboards/icb_area.html",
        {
            "found": found,
            "icb": found.icb,
            "area": found.area,
            "context": found.context,
            "as_at": _as_at(found.context.as_at),
            "types": ProviderType.choices,
            "query": query_without(request.GET, "page"),
            "sort_query": query_without(request.GET, "page", "sort", "order"),
            "download_query": query_without(request.GET, "page"),
            "trail": [(found.icb.name, reverse("dashboards:icb", args=[found.icb.code]))],
        },
    )


@dashboard_view
def icb_download(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
    if table not in ICB_TABLES or fmt not in FORMATS:
        raise Http404("No such download")
    place, context, found = selectors.icb_export(user=request.user, code=code, table_key=table)
    heading = Heading(
        title=found.title,
        place=f"Integrated care board: {place.name} ({place.code})",
        version=context.version_label,
        as_at=_as_at(context.as_at),
    )
    today = timezone.localdate().isoformat()
    return download(found, heading, fmt=fmt, name=f"{place.code}-{table}-{today}")


@dashboard_view
def icb_area_download(request: HttpRequest, code: str, area_code: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such download")
    sort, descending = sorting(request.GET, selectors.ICB_SORTS)
    found = selectors.icb_area(
        user=request.user,
        icb_code=code,
        area_code=area_code,
        provider_type=request.GET.get("type", ""),
        sort=sort,
        descending=descending,
        everything=True,
    )
    filters = []
    if found.provider_type:
        filters.append(("Type", dict(ProviderType.choices)[found.provider_type]))
    if sort != "name" or descending:
        filters.append(("Sorted by", _sorted_by(found.table, sort, descending)))
    heading = Heading(
        title=found.table.title,
        place=f"Integrated care board: {found.icb.name} ({found.icb.code}); area: {found.area.name} (LA code {found.area.code})",
        version=found.context.version_label,
        as_at=_as_at(found.context.as_at),
        filters=filters,
    )
    today = timezone.localdate().isoformat()
    return download(
        found.table, heading, fmt=fmt, name=f"{found.icb.code}-{found.area.code}-providers-{today}"
    )

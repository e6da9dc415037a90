"""Reads for the dashboards, one module per page. Every read takes the user and returns only
what they may see; anything else raises NotFound, and pages answer 404.

- `area`: the area dashboard (the area's officers, national analysts and site admins). It shows
  every requirement, so an ICB officer sees areas through the ICB view instead, where only
  health-related requirements are added up.
- `providers`: an area's providers, its heatmap and its exports.
- `icb`: ICB dashboards (the ICB's officers, national analysts and site admins).
- `national`: the national view and comparisons (national analysts and site admins).
- `common`: who sees what, the reporting context, official statistics.
- `versions`: the standard version reported against, and what the dashboards need of it.

Everything is read from the aggregates (`ProviderSnapshot`, `AreaSnapshot`, `AreaTrendPoint`),
the official statistics and, for the list of overdue actions, the gaps. Never from answers.
Tables, charts and links are built by `dashboards.presenters`.
"""

from dashboards.presenters import BAND_LABELS, HEATMAP_BANDS, PHASE_LABELS
from dashboards.selectors.area import AreaDashboard, area_dashboard, area_local_standard
from dashboards.selectors.common import (
    COMPARE_LIMIT,
    PAGE_SIZE,
    NotFound,
    area_for,
    dashboard_icbs,
    dashboard_index,
    sees_national,
)
from dashboards.selectors.icb import ICB_SORTS, icb_area, icb_dashboard, icb_export
from dashboards.selectors.national import NATIONAL_SORTS, compare_areas, national_dashboard
from dashboards.selectors.providers import (
    SORTS,
    ProviderFilters,
    area_export,
    area_heatmap,
    area_providers,
)
from dashboards.selectors.versions import clear_caches, score_band

__all__ = [
    "BAND_LABELS",
    "COMPARE_LIMIT",
    "HEATMAP_BANDS",
    "ICB_SORTS",
    "NATIONAL_SORTS",
    "PAGE_SIZE",
    "PHASE_LABELS",
    "SORTS",
    "AreaDashboard",
    "NotFound",
    "ProviderFilters",
    "area_dashboard",
    "area_export",
    "area_for",
    "area_heatmap",
    "area_local_standard",
    "area_providers",
    "clear_caches",
    "compare_areas",
    "dashboard_icbs",
    "dashboard_index",
    "icb_area",
    "icb_dashboard",
    "icb_export",
    "national_dashboard",
    "score_band",
    "sees_national",
]

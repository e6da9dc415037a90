"""Writes for the dashboards: keep the aggregates up to date, and load official statistics.

Scoring announces which providers' results or gaps changed (`scoring.signals`); the receivers
(`dashboards.receivers`) record them (`note_changes`, one INSERT in the scoring transaction)
and queue the refresh task, whose work is `refresh_requested`: recalculate those providers'
rows (`snapshots.refresh_provider_snapshots`, set-based reads and one COPY per batch), then add
up their areas (`areas.refresh_area`). `refresh_all` rebuilds everything (`manage.py
refresh_dashboards`). `statistics` loads the official datasets. Nothing here reads answers:
only providers, declarations' status, current results and gaps.
"""

from dashboards.selectors.versions import clear_caches
from dashboards.services.areas import refresh_area, refresh_requested_areas
from dashboards.services.refresh import (
    QUEUED_KEY,
    RESCORE_DELAY,
    SUBMISSION_DELAY,
    note_changes,
    queue_refresh,
    refresh_all,
    refresh_requested,
)
from dashboards.services.snapshots import refresh_provider_snapshots
from dashboards.services.statistics import import_statistics

__all__ = [
    "QUEUED_KEY",
    "RESCORE_DELAY",
    "SUBMISSION_DELAY",
    "clear_caches",
    "import_statistics",
    "note_changes",
    "queue_refresh",
    "refresh_all",
    "refresh_area",
    "refresh_provider_snapshots",
    "refresh_requested",
    "refresh_requested_areas",
]

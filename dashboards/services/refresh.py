"""Refreshing the dashboards: what scoring asks for, and rebuilding everything."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from audits.periods import period_for
from common import tasks as celery_policy
from dashboards.models import (
    AreaRefreshRequest,
    AreaTrendPoint,
    ProviderRefreshRequest,
    ProviderSnapshot,
)
from dashboards.selectors.versions import published_version, standard_by_slug, today, version_facts
from dashboards.services.areas import refresh_area, refresh_requested_areas
from dashboards.services.snapshots import _chunks, _refresh_batch, refresh_provider_snapshots
from providers.models import Area, Provider
from scoring.models import JobStatus, RescoreJob

logger = logging.getLogger(__name__)


# ---- everything -------------------------------------------------------------------------


@dataclass
class RefreshReport:
    providers: int = 0
    areas: int = 0
    trend_points: int = 0


def refresh_all(
    *,
    standard_slug: str | None = None,
    area_codes: Sequence[str] | None = None,
    rebuild_trend: bool = False,
    on: dt.date | None = None,
) -> RefreshReport:
    """Recalculate every provider and area (or only some areas'), from scratch."""
    report = RefreshReport()
    standard = standard_by_slug(standard_slug)
    if standard is None:
        return report
    providers = Provider.objects.all()
    areas = Area.objects.all()
    if area_codes:
        areas = areas.filter(code__in=list(area_codes))
        providers = providers.filter(area__in=areas)
    ids = list(providers.order_by("pk").values_list("pk", flat=True))
    if not area_codes:
        # Rows of providers that no longer exist or moved out of every area.
        ProviderSnapshot.objects.filter(standard=standard).exclude(provider_id__in=ids).delete()
    version = published_version(standard.pk)
    if version is None:
        return report
    facts = version_facts(version)
    period = period_for(on or today())
    for batch in _chunks(ids):
        _refresh_batch(batch, standard_id=standard.pk, facts=facts, period=period)
        report.providers += len(batch)
    for area_id in areas.order_by("pk").values_list("pk", flat=True):
        if rebuild_trend:
            AreaTrendPoint.objects.filter(area_id=area_id, standard=standard).delete()
        refresh_area(area_id=area_id, standard_id=standard.pk, reasons={"other"}, on=on)
        report.areas += 1
    report.trend_points = AreaTrendPoint.objects.filter(standard=standard).count()
    return report


# ---- requests from the scoring jobs ------------------------------------------------------

# Seconds between the first request and the task that handles it.
SUBMISSION_DELAY = 3
RESCORE_DELAY = 60
QUEUED_KEY = "dashboards:refresh-queued"
# The name the refresh task is registered under (queued by name).
REFRESH_TASK = "dashboards.refresh"


def note_changes(
    *, provider_ids: Iterable[int], standard_id: int | None = None, reason: str = "other"
) -> int:
    """Record that these providers' results, gaps or declarations changed: one INSERT, so that
    it costs the caller's transaction next to nothing. The refresh task does the work."""
    ids = sorted(set(provider_ids))
    ProviderRefreshRequest.objects.bulk_create(
        [
            ProviderRefreshRequest(provider_id=i, standard_id=standard_id, reason=reason)
            for i in ids
        ],
        batch_size=5000,
    )
    return len(ids)


def queue_refresh(*, rescore: bool = False) -> bool:
    """Queue the refresh task, unless this process queued it a moment ago. Never raises: the
    requests stay in their tables for the next task (or `refresh_dashboards --pending`)."""
    delay = RESCORE_DELAY if rescore else SUBMISSION_DELAY
    if not cache.add(QUEUED_KEY, True, timeout=delay):
        return False
    try:
        celery_policy.send(REFRESH_TASK, queue="default", countdown=delay, retry=False)
    except Exception:
        cache.delete(QUEUED_KEY)
        logger.warning("Could not queue the dashboards' refresh", exc_info=True)
        return False
    return True


def rescore_running() -> bool:
    recent = timezone.now() - dt.timedelta(hours=6)
    return RescoreJob.objects.filter(status=JobStatus.RUNNING, created_at__gte=recent).exists()


@dataclass
class Pending:
    providers: int = 0
    areas: int = 0
    waiting: bool = False


def refresh_requested(*, hold_rescore: bool | None = None) -> Pending:
    """The refresh task's work: recalculate the providers asked for, then add up their areas.
    While a re-score runs, what it asked for waits until it has finished, so that each area is
    added up once rather than once per chunk; everything else goes ahead."""
    if hold_rescore is None:
        hold_rescore = rescore_running()
    done = Pending()
    requests = ProviderRefreshRequest.objects.all()
    if hold_rescore:
        requests = requests.exclude(reason="rescore")
    wanted: dict[tuple[int | None, str], set[int]] = defaultdict(set)
    last = 0
    for pk, provider_id, standard_id, reason in requests.order_by("pk").values_list(
        "pk", "provider_id", "standard_id", "reason"
    ):
        wanted[(standard_id, reason)].add(provider_id)
        last = pk
    for (standard_id, reason), ids in wanted.items():
        refresh_provider_snapshots(provider_ids=ids, standard_id=standard_id, reason=reason)
        done.providers += len(ids)
    if last:
        requests.filter(pk__lte=last).delete()
    if hold_rescore:
        others = set(
            AreaRefreshRequest.objects.exclude(reason="rescore").values_list("area_id", flat=True)
        )
        done.areas = refresh_requested_areas(area_ids=others) if others else 0
        done.waiting = (
            ProviderRefreshRequest.objects.filter(reason="rescore").exists()
            or AreaRefreshRequest.objects.filter(reason="rescore").exists()
        )
    else:
        done.areas = refresh_requested_areas()
    return done

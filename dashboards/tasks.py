"""Celery tasks: thin wrappers around the dashboards' services. Safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from common.tasks import RETRY_POLICY
from dashboards.services.refresh import REFRESH_TASK

logger = logging.getLogger(__name__)


@shared_task(
    name=REFRESH_TASK,
    ignore_result=True,
    soft_time_limit=1800,
    time_limit=1900,
    **RETRY_POLICY,
)
def refresh_areas_task() -> dict[str, int]:
    """Recalculate the providers whose results, gaps or declarations changed and add up their
    areas; while a re-score runs, come back for what it changed once it has finished."""
    from django.core.cache import cache

    from dashboards.services import QUEUED_KEY, RESCORE_DELAY, refresh_requested

    cache.delete(QUEUED_KEY)
    done = refresh_requested()
    if done.waiting:
        refresh_areas_task.apply_async(queue="default", countdown=RESCORE_DELAY)
    return {"providers": done.providers, "areas": done.areas}


@shared_task(
    name="dashboards.refresh_all",
    ignore_result=True,
    # Ends before the broker's visibility timeout (an hour by default), so that Redis never
    # hands the task to a second worker while it still runs (core.checks checks every task).
    soft_time_limit=3000,
    time_limit=3300,
    **RETRY_POLICY,
)
def refresh_all_task() -> dict[str, int]:
    """Recalculate every dashboard row: nightly, so that the academic year's declaration
    status turns over on 1 September and anything a hook missed is put right."""
    from dashboards.services import refresh_all

    report = refresh_all()
    logger.info("Dashboards refreshed: %s", report)
    return {"providers": report.providers, "areas": report.areas}

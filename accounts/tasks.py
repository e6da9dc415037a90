"""Celery tasks for people: thin, idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

from common.tasks import RETRY_POLICY

logger = logging.getLogger(__name__)


@shared_task(
    name="accounts.prune_personal_data",
    ignore_result=True,
    soft_time_limit=1200,
    time_limit=1300,
    **RETRY_POLICY,
)
def prune_personal_data_task() -> dict[str, int]:
    """Nightly: remove personal data past its retention period (settings.RETENTION_DAYS)."""
    from accounts.services import prune_personal_data

    removed = prune_personal_data()
    logger.info("Personal data past its retention period removed: %s", removed)
    return removed

"""Celery tasks: thin, idempotent wrappers around the preview services."""

from __future__ import annotations

from celery import shared_task

from common.tasks import RETRY_POLICY
from impact.services import PREVIEW_CHUNK_TASK


@shared_task(
    name=PREVIEW_CHUNK_TASK, ignore_result=True, soft_time_limit=600, time_limit=660, **RETRY_POLICY
)
def preview_chunk_task(*, chunk_id: int) -> int | None:
    from impact.services import run_chunk

    return run_chunk(chunk_id=chunk_id)


@shared_task(name="impact.requeue_stale_chunks", ignore_result=True, time_limit=300, **RETRY_POLICY)
def requeue_stale_chunks_task() -> int:
    from impact.services import requeue_stale_chunks

    return requeue_stale_chunks()

"""Celery tasks: thin, idempotent wrappers around services.

Every task can run twice (a redelivery after a lost worker, a sweep) without doing anything
twice: scoring the same inputs writes nothing new, and a finished chunk returns at once.
They follow the one task policy (`common.tasks.RETRY_POLICY`): acknowledged late, retried only
for errors that pass.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task

from common.tasks import RETRY_POLICY, TRANSIENT
from scoring.services.common import RESCORE_CHUNK_TASK, SCORE_TASK

logger = logging.getLogger(__name__)


@shared_task(name=SCORE_TASK, ignore_result=True, **RETRY_POLICY)
def score_declaration_task(*, declaration_id: int, trigger: str = "submission") -> dict[str, Any]:
    from scoring.services import score_declaration

    result = score_declaration(declaration_id=declaration_id, trigger=trigger)
    return {"runs_written": result.runs_written, "unchanged": result.unchanged}


@shared_task(
    name=RESCORE_CHUNK_TASK,
    bind=True,
    ignore_result=True,
    soft_time_limit=600,
    time_limit=660,
    **RETRY_POLICY,
)
def rescore_chunk_task(self: Task, *, chunk_id: int) -> dict[str, Any] | None:
    """Score one chunk. An error before its last attempt is retried soon (each delivery counts
    as an attempt); on its last attempt the service marks the chunk failed instead."""
    from scoring.services import run_chunk

    try:
        result = run_chunk(chunk_id=chunk_id)
    except TRANSIENT:
        raise  # the policy's own retries
    except Exception as exc:
        logger.warning("Re-score chunk %s failed; trying it again", chunk_id, exc_info=True)
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
    if result is None:
        return None
    return {"scored": result.scored, "changed": len(result.made_current)}


@shared_task(name="scoring.nightly_rescore", ignore_result=True, **RETRY_POLICY)
def nightly_rescore_task() -> list[int]:
    from scoring.services import nightly_rescore

    return [job.pk for job in nightly_rescore()]


@shared_task(name="scoring.sweep", ignore_result=True, **RETRY_POLICY)
def sweep_task() -> dict[str, int]:
    from scoring.services import sweep

    done = sweep()
    if any(done.values()):
        logger.info("Scoring sweep: %s", done)
    return done

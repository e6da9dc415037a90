"""Celery tasks: thin, idempotent wrappers around services.

Every task can run twice (a redelivery after a lost worker, a sweep) without doing anything
twice: scoring the same inputs writes nothing new, and a finished chunk returns at once.
They acknowledge late (`acks_late`), so a worker killed mid-task leaves the message to be
delivered again, and retry only for errors that pass (the database connection going away).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="scoring.score_declaration", acks_late=True, ignore_result=True, **RETRY)
def score_declaration_task(*, declaration_id: int, trigger: str = "submission") -> dict[str, Any]:
    from scoring.services import score_declaration

    result = score_declaration(declaration_id=declaration_id, trigger=trigger)
    return {"runs_written": result.runs_written, "unchanged": result.unchanged}


@shared_task(
    name="scoring.rescore_chunk",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=600,
    time_limit=660,
    **RETRY,
)
def rescore_chunk_task(*, chunk_id: int) -> dict[str, Any] | None:
    from scoring.services import run_chunk

    result = run_chunk(chunk_id=chunk_id)
    if result is None:
        return None
    return {"scored": result.scored, "changed": len(result.made_current)}


@shared_task(name="scoring.nightly_rescore", acks_late=True, ignore_result=True, **RETRY)
def nightly_rescore_task() -> list[int]:
    from scoring.services import nightly_rescore

    return [job.pk for job in nightly_rescore()]


@shared_task(name="scoring.sweep", acks_late=True, ignore_result=True, **RETRY)
def sweep_task() -> dict[str, int]:
    from scoring.services import sweep

    done = sweep()
    if any(done.values()):
        logger.info("Scoring sweep: %s", done)
    return done

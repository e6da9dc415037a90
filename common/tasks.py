"""The one Celery policy for every task, and how services queue a task without importing it.

Tasks acknowledge late (`acks_late`), so a worker killed mid-task leaves the message to be
delivered again, and retry only for errors that pass: the database connection going away.
Services queue tasks by name (`send`), so that they never import the tasks that call them.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError)

# Keyword arguments for `shared_task`: every task is idempotent and retried narrowly.
RETRY_POLICY: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}

# How long the producer keeps trying to reach the broker when queueing from a request.
PUBLISH_RETRY: dict[str, Any] = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


def send(name: str, *, kwargs: dict[str, Any] | None = None, queue: str, **options: Any) -> None:
    """Queue the task registered as `name`. Raises if the broker cannot be reached."""
    current_app.send_task(name, kwargs=kwargs or {}, queue=queue, **options)

"""Celery tasks: thin, idempotent wrappers around the services.

Finding an event's recipients can run any number of times and writes each notification once
(the database's unique key on event and recipient); sending locks the row and sends only a
waiting one. Sending retries with back-off when the mail server or the database fails for a
while, and records the notification as failed after the last try.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import shared_task

from common.tasks import RETRY_POLICY, TRANSIENT

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError, *TRANSIENT)
SEND_MAX_RETRIES = 6


@shared_task(
    name="notifications.send",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=SEND_MAX_RETRIES,
)
def send_notification_task(self: Any, *, notification_id: int) -> str:
    from notifications.services import mark_failed, send_notification

    try:
        return send_notification(notification_id=notification_id)
    except SEND_ERRORS as exc:
        if self.request.retries >= SEND_MAX_RETRIES:
            mark_failed(notification_id=notification_id, error=f"{type(exc).__name__}: {exc}")
            logger.warning("Notification %s failed after every retry", notification_id)
            return "failed"
        # 30 s, 1, 2, 4, 8, 16 minutes.
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(name="notifications.round_opened", ignore_result=True, **RETRY_POLICY)
def round_opened_task(*, round_id: int) -> int:
    from notifications.services import round_opened

    return round_opened(round_id=round_id)


@shared_task(name="notifications.declaration_reviewed", ignore_result=True, **RETRY_POLICY)
def declaration_reviewed_task(*, declaration_id: int) -> int:
    from notifications.services import declaration_reviewed

    return declaration_reviewed(declaration_id=declaration_id)


@shared_task(name="notifications.version_published", ignore_result=True, **RETRY_POLICY)
def version_published_task(*, version_id: int) -> int:
    from notifications.services import local_standards_outdated, version_published

    return version_published(version_id=version_id) + local_standards_outdated(
        version_id=version_id
    )


@shared_task(name="notifications.deadline_reminders", ignore_result=True, **RETRY_POLICY)
def deadline_reminders_task() -> int:
    from notifications.services import deadline_reminders

    return deadline_reminders()


@shared_task(name="notifications.overdue_gaps", ignore_result=True, **RETRY_POLICY)
def overdue_gaps_task() -> int:
    from notifications.services import overdue_gaps

    return overdue_gaps()


@shared_task(name="notifications.officer_digest", ignore_result=True, **RETRY_POLICY)
def officer_digest_task() -> int:
    from notifications.services import officer_digest

    return officer_digest()


@shared_task(name="notifications.sweep", ignore_result=True, **RETRY_POLICY)
def sweep_task() -> dict[str, int]:
    from notifications.services import sweep

    return sweep()


@shared_task(name="notifications.prune", ignore_result=True, **RETRY_POLICY)
def prune_task() -> int:
    from notifications.services import prune

    return prune()

"""Writes for notifications, by capability: `delivery` records and sends each email once and
keeps each person's choices; `events` works out who should hear of each event."""

from notifications.services.delivery import (
    Draft,
    absolute_url,
    mark_failed,
    prune,
    queue_sending,
    record_drafts,
    requeue_waiting,
    send_notification,
    set_preferences,
)
from notifications.services.events import (
    deadline_reminders,
    declaration_reviewed,
    officer_digest,
    overdue_gaps,
    round_opened,
    sweep,
    version_published,
)
from notifications.services.local_standards import local_standards_outdated

__all__ = [
    "Draft",
    "absolute_url",
    "deadline_reminders",
    "declaration_reviewed",
    "local_standards_outdated",
    "mark_failed",
    "officer_digest",
    "overdue_gaps",
    "prune",
    "queue_sending",
    "record_drafts",
    "requeue_waiting",
    "round_opened",
    "send_notification",
    "set_preferences",
    "sweep",
    "version_published",
]

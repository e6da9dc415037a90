"""Writes for notifications: record who should hear of an event, send each email once, and
keep each person's choices.

Finding an event's recipients writes one `Notification` row per event and recipient; the
database's unique constraint on the two makes a second run of the same finder write nothing.
Each row is then sent by its own task, which locks the row, sends only if it is still waiting
and marks it sent: a task delivered twice sends one email.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from common.tasks import send
from notifications.models import Kind, Notification, OptOut, Status
from notifications.selectors import kinds_for

logger = logging.getLogger(__name__)

BATCH = 1000
# A notification still waiting this long after it was written is queued again by the sweep
# (its first task was lost, for example while the broker was down).
REQUEUE_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Draft:
    """One email to write: the event, who gets it, and what it says (no personal data)."""

    kind: str
    event_key: str
    recipient_id: int
    subject: str
    body: str
    path: str


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def record_drafts(drafts: Sequence[Draft]) -> list[int]:
    """Write the notifications not written before, and queue every one still waiting.

    Returns the ids queued. Safe to call again with the same drafts: it writes nothing new and
    queues only what has not been sent yet.
    """
    if not drafts:
        return []
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    kind=d.kind,
                    event_key=d.event_key,
                    recipient_id=d.recipient_id,
                    subject=d.subject[:200],
                    body=d.body,
                    path=d.path,
                )
                for d in drafts
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        keys = sorted({d.event_key for d in drafts})
        ids: list[int] = []
        for start in range(0, len(keys), BATCH):
            ids += Notification.objects.filter(
                event_key__in=keys[start : start + BATCH], status=Status.PENDING
            ).values_list("pk", flat=True)
        queue_sending(ids)
    return ids


def queue_sending(ids: Iterable[int]) -> None:
    """Queue one send task per notification once the transaction commits."""
    chosen = list(ids)

    def send_all() -> None:
        for pk in chosen:
            try:
                send("notifications.send", kwargs={"notification_id": pk}, queue="default")
            except Exception:
                # The row stays waiting; the sweep queues it again.
                logger.exception("Could not queue notification %s", pk)

    if chosen:
        transaction.on_commit(send_all)


def requeue_waiting(*, now: dt.datetime | None = None) -> int:
    """Queue again the notifications still waiting long after they were written."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            status=Status.PENDING, created_at__lt=now - REQUEUE_AFTER
        ).values_list("pk", flat=True)[:10_000]
    )
    queue_sending(ids)
    return len(ids)


# What each email's link opens, as its words.
LINK_TEXT = {
    Kind.ROUND_OPENED: "Start or continue the declaration",
    Kind.DEADLINE: "Start or continue the declaration",
    Kind.REVIEWED: "Read the review",
    Kind.GAP_OVERDUE: "See the gap and its action plan",
    Kind.VERSION_PUBLISHED: "Compare the two versions",
    Kind.DIGEST: "See the declarations to review",
}


def render_email(notification: Notification) -> EmailMultiAlternatives:
    recipient = notification.recipient
    context = {
        "name": recipient.full_name.strip(),
        "body": notification.body,
        "link_text": LINK_TEXT.get(notification.kind, "Open the page"),  # type: ignore[call-overload]
        "url": absolute_url(notification.path),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "service_name": settings.SERVICE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_to_string("notifications/email/message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    message.attach_alternative(
        render_to_string("notifications/email/message.html", context), "text/html"
    )
    return message


def send_notification(*, notification_id: int) -> str:
    """Send one notification if it is still waiting; returns its status afterwards.

    The row is locked while the email is sent, so two deliveries of the task cannot both send.
    A failure to send leaves it waiting, with the error recorded, and raises for the task to
    retry.
    """
    failure: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "missing"
        if notification.status != Status.PENDING:
            return notification.status
        recipient = notification.recipient
        if (
            not recipient.is_active
            or notification.kind not in kinds_for(user=recipient)
            or OptOut.objects.filter(user=recipient, kind=notification.kind).exists()
        ):
            notification.status = Status.SKIPPED
            notification.save(update_fields=["status"])
            return notification.status
        notification.attempts += 1
        try:
            render_email(notification).send(fail_silently=False)
        except Exception as exc:
            failure = exc
            notification.last_error = f"{type(exc).__name__}: {exc}"[:300]
        else:
            notification.status = Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["status", "sent_at", "attempts", "last_error"])
    if failure is not None:
        raise failure
    return notification.status


def mark_failed(*, notification_id: int, error: str) -> None:
    Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(
        status=Status.FAILED, last_error=error[:300]
    )


def prune(*, older_than_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete notifications older than the retention period; returns how many."""
    days = older_than_days if older_than_days is not None else settings.NOTIFICATION_RETENTION_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = Notification.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# ---- each person's choices ----------------------------------------------------------------


@transaction.atomic
def set_preferences(*, user: User, enabled: Iterable[str]) -> set[str]:
    """Turn on exactly the given kinds among those the person can receive, the rest off.

    Returns the kinds now off. Raises ValidationError naming a kind they cannot choose.
    """
    available = {k.value for k in kinds_for(user=user)}
    chosen = set(enabled)
    unknown = chosen - available
    if unknown:
        raise ValidationError({"kinds": "Select only the emails listed"})
    off = available - chosen
    OptOut.objects.filter(user=user, kind__in=available - off).delete()
    OptOut.objects.bulk_create(
        [OptOut(user=user, kind=kind) for kind in sorted(off)], ignore_conflicts=True
    )
    return off


__all__ = [
    "Draft",
    "absolute_url",
    "mark_failed",
    "prune",
    "queue_sending",
    "record_drafts",
    "requeue_waiting",
    "send_notification",
    "set_preferences",
]

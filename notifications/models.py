"""Email notifications: one row per event and recipient, and each person's choices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    """The kinds of email a person can turn on or off."""

    ROUND_OPENED = "round_opened", "A declaration round opens in your area"
    DEADLINE = (
        "deadline",
        "A round’s deadline is 14 days and 3 days away, if you have not submitted",
    )
    REVIEWED = "reviewed", "Your declaration is reviewed, or answers are challenged or returned"
    GAP_OVERDUE = "gap_overdue", "An action on a gap is past its due date"
    VERSION_PUBLISHED = (
        "version_published",
        "A new version of a standard you declare against changes what you answer",
    )
    DIGEST = "digest", "A daily summary of the declarations submitted in your area"
    LOCAL_STANDARD_OUTDATED = (
        "local_outdated",
        "A new national version no longer matches your area's local standard",
    )


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent: turned off or no longer applies"
    FAILED = "failed", "Failed after every retry"


class Notification(models.Model):
    """One email about one event to one person.

    The event key names the event (for example `round:12:opened:provider:340`); the unique
    constraint on it and the recipient means an event never reaches anyone twice, however often
    the tasks that find events run. The body holds no personal data: the recipient's name is
    added only when the email is sent, and nothing here quotes a review comment.
    """

    kind = models.CharField(max_length=20, choices=Kind.choices)
    event_key = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text, without the greeting and the footer.")
    path = models.CharField(max_length=500, help_text="The page the email links to.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="notification_event_recipient_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="notification_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="sent_notification_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                name="notification_status_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to user {self.recipient_id} ({self.status})"


class OptOut(models.Model):
    """A kind of email a person has turned off. Every kind is on until they do."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="opt_out_unique"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="opt_out_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} turned off {self.kind}"

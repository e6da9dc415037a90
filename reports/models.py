"""Area reports (PDF) for a local partnership board, built in the background and kept until
the figures they show change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reports.storage import report_storage


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Could not be built"


class AreaReport(models.Model):
    """One PDF of an area's figures. Its digest identifies the figures it shows: a report with
    the same digest is the same report, so it is built once and kept until the figures change."""

    area = models.ForeignKey("providers.Area", on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey("standards.Standard", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    figures_digest = models.CharField(
        max_length=64, help_text="SHA-256 of the figures the report shows."
    )
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    step = models.CharField(max_length=200, blank=True)
    file = models.FileField(storage=report_storage, upload_to="area-reports/", blank=True)
    size = models.PositiveIntegerField(default=0)
    figures_as_at = models.DateTimeField(
        null=True, blank=True, help_text="When the area's figures were last added up."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "standard", "figures_digest"], name="area_report_figures_unique"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="area_report_progress_0_100"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="area_report_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="area_report_done_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"area report {self.pk} ({self.area_id}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

"""Impact previews: what publishing a draft version would do, worked out without doing it.

A preview writes only its own rows: never a scoring run, a current result, a gap or a
dashboard figure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class DraftEdit(models.Model):
    """When a draft version's content (its own fields, sections or requirements) last changed."""

    # No database constraint: a draft being deleted records its last change on the way out.
    version = models.OneToOneField(
        "standards.StandardVersion",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"version {self.version_id} changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"


class PreviewStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Finished"


class ImpactPreview(models.Model):
    """One preview of a draft version against every provider's latest submitted declaration."""

    version = models.ForeignKey(
        "standards.StandardVersion", on_delete=models.CASCADE, related_name="impact_previews"
    )
    baseline = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The published version the draft would supersede.",
    )
    status = models.CharField(
        max_length=10, choices=PreviewStatus.choices, default=PreviewStatus.RUNNING
    )
    assessed_on = models.DateField()
    draft_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the draft's canonical export when the preview began."
    )
    provider_count = models.PositiveIntegerField(default=0)
    chunk_count = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Active gaps of providers that are not scored (no declaration, closed) that publishing
    # would close as superseded: requirement key -> reason -> number.
    other_superseded = models.JSONField(default=dict)
    # What the draft was when the preview began: "layouts" (provider type -> requirement keys,
    # in scoring order), "requirements" (key -> [title, strength]), "questions" (key -> "new" or
    # "changed", against the baseline).
    draft = models.JSONField(default=dict)
    # The report, worked out once every chunk is done (impact.services.report).
    report = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "done"]), name="impact_preview_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="running") | Q(finished_at__isnull=False),
                name="impact_preview_done_has_finish",
            ),
        ]

    def __str__(self) -> str:
        return f"impact preview {self.pk} of version {self.version_id}"


class ChunkStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class PreviewChunk(models.Model):
    """A slice of a preview: some providers, worked out in one transaction by one task."""

    preview = models.ForeignKey(ImpactPreview, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    provider_ids = models.JSONField()
    size = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["preview", "number"]
        constraints = [
            models.UniqueConstraint(fields=["preview", "number"], name="preview_chunk_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done"]),
                name="preview_chunk_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"chunk {self.number} of impact preview {self.preview_id}"


class ProviderImpact(models.Model):
    """What publishing would do to one provider: its score before and after, and its gaps."""

    preview = models.ForeignKey(ImpactPreview, on_delete=models.CASCADE, related_name="rows")
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    provider_type = models.CharField(max_length=40)
    area = models.ForeignKey(
        "providers.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    declaration_id = models.BigIntegerField()
    old_score = models.FloatField(null=True, blank=True)
    old_all_musts_met = models.BooleanField(null=True, blank=True)
    new_score = models.FloatField()
    new_all_musts_met = models.BooleanField()
    outcomes = models.TextField(help_text="One letter per requirement the draft applies.")
    # Requirement keys; superseded is key -> the reason publishing would give.
    opened = models.JSONField(null=True, blank=True)
    reopened = models.JSONField(null=True, blank=True)
    resolved = models.JSONField(null=True, blank=True)
    superseded = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["preview", "provider"], name="provider_impact_unique"),
            models.CheckConstraint(
                condition=Q(new_score__gte=0) & Q(new_score__lte=100),
                name="provider_impact_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"provider {self.provider_id} in impact preview {self.preview_id}"

"""Scoring runs, current results, national re-scores and gaps.

Storage grows with change, not with how often the nation is re-scored:

- A `ScoringRun` is written only when something a result is pinned to (declaration revision,
  version hash, engine version) or any outcome differs from the provider's current result.
  It keeps its outcomes compactly, one letter per requirement in the order its `OutcomeLayout`
  names, and its scores and counts beside them.
- A `Gap` row changes only when its status does, and a `GapEvent` is written only then.
- A re-score in which nothing changes writes only its own progress rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from scoring.engine import OUTCOME_BY_CODE, Outcome


class Trigger(models.TextChoices):
    SUBMISSION = "submission", "Declaration submitted"
    SWEEP = "sweep", "Sweep for declarations without a result"
    COMMAND = "command", "Re-score command"
    PUBLISH = "publish", "Standard version published"
    NIGHTLY = "nightly", "Nightly re-score"
    MANUAL = "manual", "Started by hand"


# Triggers of runs that re-score many providers at once.
RESCORE_TRIGGERS = frozenset({Trigger.COMMAND, Trigger.PUBLISH, Trigger.NIGHTLY, Trigger.MANUAL})


class OutcomeLayout(models.Model):
    """The requirement keys, in order, that a run's outcome letters refer to."""

    version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    provider_type = models.CharField(max_length=40)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the keys, in order.")
    keys = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "provider_type", "digest"], name="outcome_layout_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.provider_type} ({len(self.keys)} requirements)"


class ScoringRun(models.Model):
    """One distinct result: a declaration's outcomes against a version, on an assessment date."""

    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        related_name="scoring_runs",
        db_index=False,
    )
    declaration = models.ForeignKey(
        "audits.Declaration",
        on_delete=models.PROTECT,
        related_name="scoring_runs",
        db_index=False,
    )
    version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.PROTECT,
        related_name="scoring_runs",
        db_index=False,
    )
    content_hash = models.CharField(max_length=64, blank=True)
    engine_version = models.CharField(max_length=20)
    assessed_on = models.DateField(help_text="The assessment date, in Europe/London.")
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    job = models.ForeignKey(
        "RescoreJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,  # a pointer for the history, not an invariant
    )
    created_at = models.DateTimeField(default=timezone.now)
    layout = models.ForeignKey(
        OutcomeLayout, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    outcomes = models.TextField(help_text="One letter per requirement of the layout.")
    errors = models.JSONField(null=True, blank=True, help_text="Why each error outcome arose.")
    score = models.FloatField()
    section_scores = models.JSONField(help_text="Section code: [score, count, weight sum].")
    counts = models.JSONField(help_text="Outcome: strength: number of requirements.")
    all_musts_met = models.BooleanField()
    pass_count = models.PositiveIntegerField()
    fail_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Scoring the same inputs again never makes a second run.
            # (A version's content hash is fixed once published; drafts are never scored.)
            models.UniqueConstraint(
                fields=["declaration", "version", "engine_version", "assessed_on"],
                name="scoring_run_inputs_unique",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="scoring_run_score_0_100"
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "version"], name="scoring_run_provider_idx"),
        ]

    def __str__(self) -> str:
        return f"run {self.pk}: provider {self.provider_id} on {self.assessed_on}"

    def outcome_list(self) -> list[Outcome]:
        return [OUTCOME_BY_CODE[c] for c in self.outcomes]


class CurrentResult(models.Model):
    """Each provider's current result for a version: its latest run. Exactly one per pair."""

    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.CASCADE,
        related_name="current_results",
        db_index=False,
    )
    version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    standard = models.ForeignKey(
        "standards.Standard", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    run = models.ForeignKey(ScoringRun, on_delete=models.PROTECT, related_name="+", db_index=False)
    declaration = models.ForeignKey(
        "audits.Declaration", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "version"], name="one_current_result"),
        ]
        indexes = [
            models.Index(fields=["standard", "provider"], name="current_result_standard_idx"),
        ]

    def __str__(self) -> str:
        return f"provider {self.provider_id} version {self.version_id}: run {self.run_id}"


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Finished"


class RescoreJob(models.Model):
    """A re-score of every provider a standard version applies to, split into chunks."""

    version = models.ForeignKey(
        "standards.StandardVersion", on_delete=models.PROTECT, related_name="rescore_jobs"
    )
    area = models.ForeignKey(
        "providers.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    assessed_on = models.DateField()
    engine_version = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    provider_count = models.PositiveIntegerField(default=0)
    chunk_count = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "done"]), name="rescore_job_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"re-score {self.pk} of {self.version}"


class ChunkStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# A chunk in one of these still has work to do.
UNFINISHED_CHUNK_STATUSES = (ChunkStatus.QUEUED, ChunkStatus.RUNNING)


class RescoreChunk(models.Model):
    """A slice of a re-score: some providers, scored in one transaction by one task."""

    job = models.ForeignKey(
        RescoreJob, on_delete=models.CASCADE, related_name="chunks", db_index=False
    )
    number = models.PositiveIntegerField()
    provider_ids = models.JSONField()
    size = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10,
        choices=ChunkStatus.choices,
        default=ChunkStatus.QUEUED,
        db_index=False,
    )
    attempts = models.PositiveIntegerField(
        default=0,
        help_text="Times a worker started it, or the sweep queued it again before any worker did.",
    )
    queued_count = models.PositiveIntegerField(default=0, help_text="Times it was queued.")
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    changed_count = models.PositiveIntegerField(default=0, help_text="Providers given a new run.")
    failure = models.CharField(
        max_length=300, blank=True, default="", help_text="Why it was marked failed."
    )

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="rescore_chunk_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="rescore_chunk_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="rescore_chunk_status_idx")]

    def __str__(self) -> str:
        return f"chunk {self.number} of re-score {self.job_id}"


class GapStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    ACCEPTED = "accepted", "Accepted"
    SUPERSEDED = "superseded", "Closed: superseded"


ACTIVE_GAP_STATUSES = (GapStatus.OPEN, GapStatus.IN_PROGRESS, GapStatus.ACCEPTED)
CLOSED_GAP_STATUSES = (GapStatus.RESOLVED, GapStatus.SUPERSEDED)


class Gap(models.Model):
    """A failed must or should requirement, tracked until it is closed.

    Its identity is the provider, the standard and the requirement key: re-scores and new
    versions keep the same gap, with its history, owner and action plan.
    """

    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.CASCADE,
        related_name="gaps",
        db_index=False,
    )
    standard = models.ForeignKey(
        "standards.Standard",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        # Standards are never deleted (their versions are protected); skipping the check
        # saves a lookup for each of the hundreds of thousands of gaps a first re-score opens.
        db_constraint=False,
    )
    requirement_key = models.CharField(max_length=80)
    # From the version that last touched the gap, for listing without joins.
    title = models.CharField(max_length=300)
    strength = models.CharField(max_length=20)
    theme = models.CharField(max_length=40)
    # Database defaults too, so that a re-score can COPY new gaps with only what it knows.
    status = models.CharField(
        max_length=12,
        choices=GapStatus.choices,
        default=GapStatus.OPEN,
        db_default=GapStatus.OPEN,
        db_index=False,
    )
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by_run = models.ForeignKey(
        ScoringRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,  # a pointer for the history, not an invariant
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_run = models.ForeignKey(
        ScoringRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,  # a pointer for the history, not an invariant
    )
    action_plan = models.TextField(blank=True, default="", db_default="")
    owner = models.CharField(max_length=200, blank=True, default="", db_default="")
    due_date = models.DateField(null=True, blank=True)
    accepted_reason = models.TextField(blank=True, default="", db_default="")
    accepted_until = models.DateField(null=True, blank=True)
    superseded_by_version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    row_version = models.PositiveIntegerField(default=1, db_default=1)

    class Meta:
        ordering = ["provider", "requirement_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "standard", "requirement_key"], name="gap_identity_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in GapStatus]), name="gap_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted")
                | (~Q(accepted_reason="") & Q(accepted_until__isnull=False)),
                name="accepted_gap_has_reason_and_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_progress")
                | (~Q(action_plan="") & ~Q(owner="") & Q(due_date__isnull=False)),
                name="in_progress_gap_has_plan",
            ),
        ]
        indexes = [
            # For the sweep that re-opens expired acceptances; only accepted gaps are in it.
            models.Index(
                fields=["accepted_until"],
                condition=Q(status="accepted"),
                name="gap_acceptance_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_key} at provider {self.provider_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_GAP_STATUSES


class GapEvent(models.Model):
    """A gap's history: every change of status or plan, by a person or by a run."""

    gap = models.ForeignKey(Gap, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=30)
    status = models.CharField(max_length=12, help_text="The gap's status after the event.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    run = models.ForeignKey(
        ScoringRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,  # a pointer for the history, not an invariant
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"

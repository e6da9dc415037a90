"""Official statistics for areas, and the aggregates the dashboards read.

Dashboards never read answers. They read:

- `ProviderSnapshot`: one row per provider and standard, with its declaration status for the
  academic year, its current result (score, section scores, outcome letters) and its gaps.
- `AreaSnapshot`: one row per area and standard, with everything the area dashboard, the
  national table and the ICB view add up.
- `AreaTrendPoint`: the area's headline figures on each day they changed, across academic
  years and re-scores.

The scoring jobs keep them up to date (`dashboards.receivers`, listening to `scoring.signals`):
a batch that changes results or gaps records which providers changed (`ProviderRefreshRequest`,
insert-only, in its own transaction); a task then recalculates those providers' rows and adds up their areas
(`AreaRefreshRequest`). `refresh_dashboards` rebuilds everything.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

SUPPRESSION_CODES = ("x", "c", "z", "low")


class GeographicLevel(models.TextChoices):
    NATIONAL = "national", "England"
    REGIONAL = "regional", "Region"
    LOCAL_AUTHORITY = "local_authority", "Local authority"


class Measure(models.TextChoices):
    EHC_PLANS = "ehc_plans", "EHC plans"
    NEW_PLANS = "new_plans", "New EHC plans issued"
    NEW_PLANS_EX = "new_plans_ex", "New EHC plans issued, excluding exceptions"
    PCT_20_WEEKS = "pct_20_weeks", "% of new EHC plans issued within 20 weeks"
    PCT_20_WEEKS_EX = (
        "pct_20_weeks_ex",
        "% of new EHC plans issued within 20 weeks, excluding exceptions",
    )
    PUPILS = "pupils", "Pupils"
    SEN_SUPPORT = "sen_support", "Pupils on SEN support"
    SEN_EHC_PLAN = "sen_ehc_plan", "Pupils with an EHC plan"
    PCT_SEN_SUPPORT = "pct_sen_support", "% of pupils on SEN support"
    PCT_EHC_PLAN = "pct_ehc_plan", "% of pupils with an EHC plan"
    # EHC plans by placement in January (caseload.csv), for the local inclusion plan's coverage.
    PLACED_RP_LA = "placed_rp_la", "EHC plans placed in resourced provision, LA maintained"
    PLACED_RP_ACADEMY = "placed_rp_academy", "EHC plans placed in resourced provision, academies"
    PLACED_RP_FREE = "placed_rp_free", "EHC plans placed in resourced provision, free schools"
    PLACED_UNIT_LA = "placed_unit_la", "EHC plans placed in SEN units, LA maintained"
    PLACED_UNIT_ACADEMY = "placed_unit_academy", "EHC plans placed in SEN units, academies"
    PLACED_UNIT_FREE = "placed_unit_free", "EHC plans placed in SEN units, free schools"
    PLACED_SPECIAL = "placed_special", "EHC plans placed in special schools"
    PLACED_AP = "placed_ap", "EHC plans placed in alternative provision or PRUs"
    PLACED_POST16 = "placed_post16", "EHC plans placed in specialist post-16 institutions"


class StatisticsDataset(models.Model):
    """One official file loaded by `import_statistics`: where it came from and when."""

    key = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    release = models.CharField(max_length=200, help_text="e.g. reporting year 2025.")
    url = models.URLField(max_length=500)
    reference = models.CharField(
        max_length=100, help_text="What the latest figures describe, e.g. January 2025."
    )
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    rows_read = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.title} ({self.release})"


class OfficialStatistic(models.Model):
    """One published figure for England, a region or an area. Suppressed figures have no value:
    they are shown as "not published", never as zero."""

    dataset = models.ForeignKey(
        StatisticsDataset, on_delete=models.CASCADE, related_name="statistics"
    )
    measure = models.CharField(max_length=30, choices=Measure.choices)
    time_period = models.CharField(max_length=6, help_text='As published: "202425" or "2024".')
    level = models.CharField(max_length=20, choices=GeographicLevel.choices)
    geo_code = models.CharField(
        max_length=9,
        help_text="The area's 3-digit LA code, the region's code or England's (E92000001).",
    )
    area = models.ForeignKey(
        "providers.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="official_statistics",
    )
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    suppression = models.CharField(
        max_length=3, blank=True, help_text="x, c, z or low when the figure is not published."
    )
    derived = models.BooleanField(
        default=False, help_text="Calculated by adding up published figures, not published."
    )

    class Meta:
        ordering = ["measure", "time_period", "level", "geo_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "time_period", "geo_code"], name="official_statistic_unique"
            ),
            # A figure is either published (a value) or suppressed (a code), never both.
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(suppression=""))
                | (Q(value__isnull=True) & Q(suppression__in=SUPPRESSION_CODES)),
                name="official_statistic_value_or_suppressed",
            ),
            models.CheckConstraint(
                condition=Q(level="local_authority", area__isnull=False)
                | (~Q(level="local_authority") & Q(area__isnull=True)),
                name="official_statistic_area_iff_local_authority",
            ),
        ]
        indexes = [models.Index(fields=["area", "measure"], name="official_stat_area_idx")]

    def __str__(self) -> str:
        shown = self.suppression or self.value
        return f"{self.measure} {self.time_period} {self.geo_code}: {shown}"


class DeclarationState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"


class ScoreBand(models.TextChoices):
    """Bands of the overall score (rounded to a whole number) used by filters and the heatmap."""

    UNDER_50 = "under_50", "Under 50"
    FROM_50 = "50_69", "50 to 69"
    FROM_70 = "70_89", "70 to 89"
    FROM_90 = "90_100", "90 to 100"
    NO_RESULT = "none", "No result"


class ProviderSnapshot(models.Model):
    """A provider's dashboard row for a standard, kept by the scoring jobs."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="dashboard_snapshots"
    )
    standard = models.ForeignKey("standards.Standard", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(
        "providers.Area", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    icb = models.ForeignKey(
        "providers.IntegratedCareBoard",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="For an integrated care board's own row.",
    )
    name = models.CharField(max_length=255)
    urn = models.CharField(max_length=20, blank=True)
    provider_type = models.CharField(max_length=40)
    phase = models.CharField(max_length=30)
    period = models.CharField(max_length=7, help_text="The academic year of the status.")
    declaration_status = models.CharField(
        max_length=12, choices=DeclarationState.choices, default=DeclarationState.NOT_STARTED
    )
    last_submitted_at = models.DateTimeField(null=True, blank=True)
    # The current result, if any.
    version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    run_id = models.BigIntegerField(null=True, blank=True)
    layout_id = models.BigIntegerField(null=True, blank=True)
    outcomes = models.TextField(blank=True)
    result_period = models.CharField(max_length=7, blank=True)
    score = models.FloatField(null=True, blank=True)
    score_band = models.CharField(
        max_length=10, choices=ScoreBand.choices, default=ScoreBand.NO_RESULT
    )
    all_musts_met = models.BooleanField(null=True, blank=True)
    failed_count = models.PositiveIntegerField(default=0)
    section_scores = models.JSONField(
        default=dict, blank=True, help_text="Section code: score, for sections scored."
    )
    health_met = models.PositiveIntegerField(default=0)
    health_failed = models.PositiveIntegerField(default=0)
    health_must_failed = models.PositiveIntegerField(default=0)
    # Gaps, by status.
    open_gaps = models.PositiveIntegerField(default=0)
    in_progress_gaps = models.PositiveIntegerField(default=0)
    accepted_gaps = models.PositiveIntegerField(default=0)
    open_must_gaps = models.PositiveIntegerField(
        default=0, help_text="Must gaps open or in progress (not accepted, not closed)."
    )
    health_open_gaps = models.PositiveIntegerField(default=0)
    earliest_due = models.DateField(
        null=True, blank=True, help_text="The earliest due date of its actions in progress."
    )
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "standard"], name="provider_snapshot_unique"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="provider_snapshot_score_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["standard", "area", "name"], name="provider_snapshot_area_idx"),
            models.Index(fields=["standard", "icb"], name="provider_snapshot_icb_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.score_band}"


class AreaSnapshot(models.Model):
    """An area's dashboard figures for a standard, added up from its providers' snapshots."""

    area = models.ForeignKey("providers.Area", on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey("standards.Standard", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The published version when the figures were added up.",
    )
    period = models.CharField(max_length=7, blank=True)
    provider_count = models.PositiveIntegerField(default=0)
    declared_count = models.PositiveIntegerField(default=0)
    in_progress_count = models.PositiveIntegerField(default=0)
    result_count = models.PositiveIntegerField(default=0)
    musts_met_count = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0)
    average_score = models.FloatField(null=True, blank=True)
    declared_pct = models.FloatField(null=True, blank=True)
    musts_met_pct = models.FloatField(null=True, blank=True)
    open_must_gaps = models.PositiveIntegerField(default=0)
    # Totals by provider type and by phase: {"providers", "declared", "results", "musts_met",
    # "score_sum"}.
    by_type = models.JSONField(default=dict, blank=True)
    by_phase = models.JSONField(default=dict, blank=True)
    # Section code: {"results", "score_sum", "full"} (providers scored in it, the sum of their
    # section scores, how many met every requirement in it).
    sections = models.JSONField(default=dict, blank=True)
    # Requirement key: outcome letter: count, over the providers' current results.
    requirements = models.JSONField(default=dict, blank=True)
    # Gaps: {"open", "in_progress", "accepted", "open_must"}.
    gaps = models.JSONField(default=dict, blank=True)
    # Health requirements: {"met", "failed", "providers", "all_musts_met", "open_gaps"}.
    health = models.JSONField(default=dict, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area__name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "standard"], name="area_snapshot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.result_count} results"


class ProviderRefreshRequest(models.Model):
    """A provider whose dashboard row must be recalculated: its results, gaps or declaration
    changed. Insert-only and without foreign keys, so that writing it costs a scoring
    transaction next to nothing and parallel chunks never wait on each other for it."""

    provider_id = models.BigIntegerField()
    standard_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=20)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"refresh provider {self.provider_id} ({self.reason})"


class AreaRefreshRequest(models.Model):
    """An area whose figures must be added up again. Insert-only, like provider requests."""

    area = models.ForeignKey("providers.Area", on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey("standards.Standard", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"refresh area {self.area_id} ({self.reason})"


class TrendLabel(models.TextChoices):
    SUBMISSIONS = "submissions", "Declarations scored"
    DECLARED = "declared", "Declarations submitted"
    RESCORE = "rescore", "Re-score"
    GAPS = "gaps", "Gaps updated"
    OTHER = "other", "Figures updated"


class AreaTrendPoint(models.Model):
    """An area's headline figures at the end of a day on which they changed."""

    area = models.ForeignKey("providers.Area", on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey("standards.Standard", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7)
    day = models.DateField()
    label = models.CharField(max_length=12, choices=TrendLabel.choices)
    provider_count = models.PositiveIntegerField()
    declared_count = models.PositiveIntegerField()
    result_count = models.PositiveIntegerField()
    musts_met_count = models.PositiveIntegerField()
    average_score = models.FloatField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "standard", "day"], name="area_trend_point_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.day}: {self.average_score}"

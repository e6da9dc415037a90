"""Local inclusion plans: what provision an area makes available, for families to find.

One plan per area and academic year, versioned like a standard version: officers edit a draft;
publishing freezes it (who, when, the SHA-256 of its canonical JSON) and supersedes the
previously published version. Published and superseded plans, and their entries, are immutable
in the database (migration 0002's triggers) as well as in the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from providers.models import Area, Provider


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class InclusionPlan(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="inclusion_plans")
    academic_year = models.CharField(max_length=7, help_text='An academic year, e.g. "2026/27".')
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    # The area's "ordinarily available provision": what every mainstream setting offers without
    # an EHC plan, in plain English, with a link to the area's own published document.
    ordinarily_available_summary = models.TextField(blank=True)
    ordinarily_available_url = models.URLField(max_length=500, blank=True)
    # Contact routes.
    send_team_contact = models.TextField("SEND team contact", blank=True)
    sendiass_contact = models.TextField("SENDIASS contact", blank=True)
    local_offer_url = models.URLField("Local Offer web address", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the plan's canonical JSON, on publishing."
    )

    class Meta:
        ordering = ["area__name", "-academic_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "academic_year", "version"], name="inclusion_plan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["area", "academic_year"],
                condition=Q(status="draft"),
                name="inclusion_plan_one_draft",
            ),
            models.UniqueConstraint(
                fields=["area", "academic_year"],
                condition=Q(status="published"),
                name="inclusion_plan_one_published",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(published_at__isnull=False) & ~Q(content_hash="")),
                name="inclusion_plan_published_has_hash",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="inclusion_plan_version_1_up"),
        ]

    def __str__(self) -> str:
        return f"{self.area} local inclusion plan {self.academic_year} version {self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT


class PlaceKind(models.TextChoices):
    RESOURCED_PROVISION = "resourced_provision", "Resourced provision"
    SEN_UNIT = "sen_unit", "SEN unit"
    SPECIAL_SCHOOL = "special_school", "Special school"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"
    SPECIALIST_POST16 = "specialist_post16", "Specialist post-16 place"


class EntrySource(models.TextChoices):
    GIAS = "gias", "Proposed from GIAS"
    OFFICER = "officer", "Added by an officer"
    UPLOAD = "upload", "Uploaded spreadsheet"


class SpecialistPlace(models.Model):
    """Specialist places at one setting that the area commissions or uses.

    Entries proposed from GIAS start unconfirmed; nothing from GIAS is shown publicly until an
    officer has confirmed it and the plan is published.
    """

    plan = models.ForeignKey(InclusionPlan, on_delete=models.CASCADE, related_name="places")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=PlaceKind.choices)
    need_types = models.JSONField(
        default=list, blank=True, help_text='GIAS need codes, e.g. ["ASD", "SLCN"].'
    )
    age_low = models.PositiveSmallIntegerField(null=True, blank=True)
    age_high = models.PositiveSmallIntegerField(null=True, blank=True)
    places = models.PositiveIntegerField(
        "places commissioned", null=True, blank=True, help_text="Blank when not known."
    )
    on_roll = models.PositiveIntegerField("number on roll", null=True, blank=True)
    inside_area = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=EntrySource.choices)
    confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "kind", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "provider", "kind"], name="specialist_place_unique"
            ),
            models.CheckConstraint(
                condition=Q(age_low__isnull=True)
                | Q(age_high__isnull=True)
                | Q(age_low__lte=F("age_high")),
                name="specialist_place_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.provider}"

    @property
    def over_capacity(self) -> bool:
        """More on roll than places: accepted, and shown with a warning."""
        return self.places is not None and self.on_roll is not None and self.on_roll > self.places


class CommonSettingKind(models.TextChoices):
    CROSS_BORDER = "cross_border", "Setting in another area (cross-border)"
    INDEPENDENT_SPECIAL = "independent_special", "Independent special school"
    NON_MAINTAINED_SPECIAL = "non_maintained_special", "Non-maintained special school"
    SECTION_41 = "section_41", "Section 41 approved independent provider"


class CommonSetting(models.Model):
    """A setting outside the area that the area's families commonly use."""

    plan = models.ForeignKey(
        InclusionPlan, on_delete=models.CASCADE, related_name="common_settings"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=CommonSettingKind.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["plan", "provider__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "provider"], name="common_setting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} ({self.get_kind_display()})"

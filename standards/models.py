"""Standards as versioned rule sets.

A published version's content is frozen: the database refuses changes to it (see the
triggers in migrations 0002 and 0003), and only its status may move on. The models refuse the
same changes first, and their clean() methods turn the refusals into form errors.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from standards.vocabulary import AnswerType, ProviderType, Strength, Theme


class FrozenVersionError(Exception):
    """A published, superseded or withdrawn version's content cannot change."""


class MisplacedRequirementError(Exception):
    """A requirement's section must belong to the requirement's own version."""


def refuse_if_frozen(version_id: int | None) -> None:
    if (
        version_id
        and not StandardVersion.objects.filter(pk=version_id, status=VersionStatus.DRAFT).exists()
    ):
        raise FrozenVersionError(
            "the standard version is not a draft, so its content cannot change"
        )


def _stored_version_id(model: type[models.Model], pk: int | None) -> int | None:
    if pk is None:
        return None
    return model._default_manager.filter(pk=pk).values_list("version_id", flat=True).first()


class Standard(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=300)
    # A local standard's area, by its local authority code (LA code); blank for a national one.
    area_code = models.CharField(max_length=3, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # The fields a published version's export shows (canonical.version_document); the title and
    # owner it shows are the version's own.
    FROZEN_FIELDS = ("slug", "area_code")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.check_frozen_fields()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            self.check_frozen_fields()
        except FrozenVersionError as exc:
            raise ValidationError(str(exc)) from exc

    @property
    def is_local(self) -> bool:
        return bool(self.area_code)

    def has_left_draft(self) -> bool:
        """Whether a version has been published, so that exports and links name this slug."""
        return self.pk is not None and self.versions.exclude(status=VersionStatus.DRAFT).exists()

    def check_frozen_fields(self) -> None:
        stored = Standard.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS).first()
        changed = [f for f in self.FROZEN_FIELDS if stored and getattr(self, f) != stored[f]]
        if changed and self.has_left_draft():
            raise FrozenVersionError(
                f"{self} has a version that is not a draft; its {', '.join(changed)} cannot change"
            )


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The only moves a version's status may make once it has left draft.
ALLOWED_STATUS_MOVES = {
    (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED),
    (VersionStatus.PUBLISHED, VersionStatus.WITHDRAWN),
    (VersionStatus.SUPERSEDED, VersionStatus.WITHDRAWN),
}


class StandardVersion(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=20)
    title = models.CharField(
        max_length=200, help_text="The standard's title as this version gives it."
    )
    owner = models.CharField(max_length=300)
    status = models.CharField(
        max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateField()
    grace_period_days = models.PositiveIntegerField(default=0)
    change_notes = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    content_hash = models.CharField(max_length=64, blank=True)
    # A local standard's version: the national version it adds to (its file's `extends:`).
    extends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extended_by",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["standard__slug", "-effective_from", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "version"], name="standard_version_unique"),
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status="published"),
                name="one_published_version_per_standard",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(published_at__isnull=False) & ~Q(content_hash="")),
                name="published_version_has_hash_and_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in VersionStatus]),
                name="standard_version_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(extends=models.F("pk")), name="standard_version_not_extending_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.slug} {self.version}"

    FROZEN_FIELDS = (
        "standard_id",
        "version",
        "title",
        "owner",
        "effective_from",
        "grace_period_days",
        "change_notes",
        "published_at",
        "supersedes_id",
        "content_hash",
        "extends_id",
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = (
                StandardVersion.objects.filter(pk=self.pk)
                .values(*self.FROZEN_FIELDS, "status")
                .first()
            )
            if stored and stored["status"] != VersionStatus.DRAFT:
                changed = [f for f in self.FROZEN_FIELDS if getattr(self, f) != stored[f]]
                if changed:
                    raise FrozenVersionError(
                        f"{self} is {stored['status']}; its {', '.join(changed)} cannot change"
                    )
                move = (stored["status"], self.status)
                if move[0] != move[1] and move not in ALLOWED_STATUS_MOVES:
                    raise FrozenVersionError(f"{self} cannot move from {move[0]} to {move[1]}")
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def label(self) -> str:
        return f"{self.title} version {self.version}"

    @property
    def grace_ends(self) -> dt.date:
        """The first day on which failures count (the grace period has passed)."""
        return self.effective_from + dt.timedelta(days=self.grace_period_days)

    @property
    def grace_last_day(self) -> dt.date:
        return self.grace_ends - dt.timedelta(days=1)


class Section(models.Model):
    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField()
    weight = models.FloatField(default=1.0)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="section_code_unique"),
            models.UniqueConstraint(fields=["version", "order"], name="section_order_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="section_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.check_can_save()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            self.check_can_save()
        except (FrozenVersionError, MisplacedRequirementError) as exc:
            raise ValidationError(str(exc)) from exc

    def check_can_save(self) -> None:
        refuse_if_frozen(self.version_id)
        stored = _stored_version_id(Section, self.pk)
        if stored is not None and stored != self.version_id:
            refuse_if_frozen(stored)
            if self.requirements.exists():
                raise MisplacedRequirementError(
                    "this section has requirements, so it cannot move to another version"
                )


class Requirement(models.Model):
    # Denormalised from the section so that a key is unique within a version in the database.
    version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="requirements"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="requirements")
    order = models.PositiveIntegerField()
    key = models.CharField(max_length=80)
    # A local standard's raised threshold: the national requirement whose question it asks.
    raises = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=300)
    question = models.CharField(max_length=500)
    guidance = models.TextField(blank=True)
    theme = models.CharField(max_length=40, choices=Theme.choices)
    applies_to = models.JSONField(help_text="Provider types, as a list of codes.")
    strength = models.CharField(max_length=20, choices=Strength.choices)
    weight = models.FloatField(default=1.0)
    answer_type = models.CharField(max_length=20, choices=AnswerType.choices)
    answer_options = models.JSONField(default=dict, blank=True)
    rule = models.JSONField()
    allow_not_applicable = models.BooleanField(default=False)
    evidence_prompt = models.CharField(max_length=500, blank=True)
    evidence_required = models.BooleanField(default=False)
    citations = models.JSONField(default=list)
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["version", "section__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="requirement_key_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="requirement_weight_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(strength__in=[s.value for s in Strength]),
                name="requirement_strength_valid",
            ),
            models.CheckConstraint(
                condition=Q(answer_type__in=[a.value for a in AnswerType]),
                name="requirement_answer_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_from__lte=models.F("effective_to")),
                name="requirement_effective_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["key"], name="requirement_key_idx")]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.check_can_save()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            self.check_can_save()
        except FrozenVersionError as exc:
            raise ValidationError({"version": str(exc)}) from exc
        except MisplacedRequirementError as exc:
            raise ValidationError({"section": str(exc)}) from exc

    def check_can_save(self) -> None:
        refuse_if_frozen(self.version_id)
        stored = _stored_version_id(Requirement, self.pk)
        if stored is not None and stored != self.version_id:
            refuse_if_frozen(stored)
        # Otherwise a draft's requirement could be slipped into a published version's section.
        if (
            self.section_id
            and self.version_id
            and Section.objects.filter(pk=self.section_id)
            .exclude(version_id=self.version_id)
            .exists()
        ):
            raise MisplacedRequirementError("the section belongs to another version")

    def applies_to_type(self, provider_type: str) -> bool:
        return provider_type in self.applies_to

    @property
    def provider_type_labels(self) -> list[str]:
        labels = dict(ProviderType.choices)
        return [labels.get(code, code) for code in self.applies_to]

    @property
    def choices(self) -> list[dict[str, str]]:
        return list(self.answer_options.get("choices", []))


# Deletion is guarded by signal so that cascades and queryset deletes are covered too.
@receiver(pre_delete, sender=StandardVersion)
def _refuse_deleting_frozen_version(sender: type, instance: StandardVersion, **kwargs: Any) -> None:
    if StandardVersion.objects.filter(pk=instance.pk).exclude(status=VersionStatus.DRAFT).exists():
        raise FrozenVersionError(f"{instance} is not a draft, so it cannot be deleted")


@receiver(pre_delete, sender=Section)
@receiver(pre_delete, sender=Requirement)
def _refuse_deleting_frozen_content(
    sender: type, instance: Section | Requirement, **kwargs: Any
) -> None:
    refuse_if_frozen(instance.version_id)

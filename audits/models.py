"""Declarations: what a provider says it provides, one typed answer per applicable requirement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from standards.vocabulary import AnswerType


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class ReviewStatus(models.TextChoices):
    NOT_REVIEWED = "not_reviewed", "Not reviewed"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned for changes"


class Reviewer(models.TextChoices):
    """Who reviewed an answer: the area (the whole declaration) or an ICB (its health answers)."""

    AREA = "area", "Local authority"
    ICB = "icb", "Integrated care board"


class DeclarationRound(models.Model):
    """An area officer asks the providers of their area to declare against a standard for an
    academic year by a deadline. `version` is the version published when the round was opened;
    the round carries on across later versions of the same standard (see docs/architecture.md).
    """

    area = models.ForeignKey("providers.Area", on_delete=models.CASCADE, related_name="rounds")
    version = models.ForeignKey(
        "standards.StandardVersion", on_delete=models.PROTECT, related_name="rounds"
    )
    period = models.CharField(max_length=7)
    deadline = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-deadline"]
        constraints = [
            models.UniqueConstraint(fields=["area", "version", "period"], name="round_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.period} (due {self.deadline:%-d %B %Y})"


class Declaration(models.Model):
    """One revision of a provider's declaration for a standard version and an academic year.

    A submitted revision is read-only; "start a revision" creates the next draft from it.
    """

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="declarations"
    )
    version = models.ForeignKey(
        "standards.StandardVersion", on_delete=models.PROTECT, related_name="declarations"
    )
    # For a provider in an area with a local standard: the local version declared with the
    # national one (it extends `version`). Kept for the declaration's life, as `version` is.
    local_version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_declarations",
    )
    period = models.CharField(max_length=7, help_text="Academic year, e.g. 2026/27.")
    revision = models.PositiveIntegerField(default=1)
    revises = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions"
    )
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier declaration whose answers this one started from.",
    )
    round = models.ForeignKey(
        DeclarationRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
    )
    status = models.CharField(
        max_length=12, choices=DeclarationStatus.choices, default=DeclarationStatus.DRAFT
    )
    review_status = models.CharField(
        max_length=14, choices=ReviewStatus.choices, default=ReviewStatus.NOT_REVIEWED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    # An ICB officer reviews the health answers only. Their review is kept apart from the area's
    # review of the whole declaration (above), so that neither overwrites the other. The
    # database defaults keep rows inserted by raw SQL (bench/scoring.py) valid.
    health_review_status = models.CharField(
        max_length=14,
        choices=ReviewStatus.choices,
        default=ReviewStatus.NOT_REVIEWED,
        db_default=ReviewStatus.NOT_REVIEWED,
    )
    health_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    health_reviewed_at = models.DateTimeField(null=True, blank=True)
    health_review_comment = models.TextField(blank=True, default="", db_default="")
    # Bumped by every change to the declaration or its answers: the API's ETag.
    row_version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "version", "period", "revision"],
                name="declaration_revision_unique",
            ),
            models.UniqueConstraint(
                fields=["provider", "version", "period"],
                condition=Q(status="draft"),
                name="one_draft_per_provider_version_period",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_declaration_has_date",
            ),
            models.CheckConstraint(
                condition=Q(review_status="not_reviewed") | Q(status="submitted"),
                name="only_submitted_declarations_are_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(health_review_status="not_reviewed") | Q(status="submitted"),
                name="only_submitted_declarations_are_health_reviewed",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="revision_from_one"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]), name="declaration_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status"], name="declaration_provider_idx"),
            models.Index(fields=["version", "status"], name="declaration_version_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.period} (revision {self.revision})"

    @property
    def is_draft(self) -> bool:
        return self.status == DeclarationStatus.DRAFT

    @property
    def is_returned(self) -> bool:
        """Returned by the area or, for its health answers, by an ICB."""
        return ReviewStatus.RETURNED in (self.review_status, self.health_review_status)

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.row_version}"'


class AnswerReviewState(models.TextChoices):
    SELF_DECLARED = "self_declared", "Self-declared"
    ACCEPTED = "accepted", "Accepted"
    CHALLENGED = "challenged", "Challenged"


VALUE_FIELDS = ("value_bool", "value_number", "value_date", "value_text", "value_choices")
FIELD_FOR_TYPE = {
    AnswerType.YES_NO: "value_bool",
    AnswerType.NUMBER: "value_number",
    AnswerType.DATE: "value_date",
    AnswerType.SINGLE_CHOICE: "value_text",
    AnswerType.MULTIPLE_CHOICE: "value_choices",
    AnswerType.URL: "value_text",
    AnswerType.TEXT: "value_text",
}


def display_answer(value: Any, options: Mapping[str, Any]) -> str:
    """A given answer as people read it, with its requirement's answer options (a number's
    unit, a choice's label): for an Answer row, or an answer read as plain values."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        unit = options.get("unit", "")
        return f"{text}%" if unit == "%" else f"{text} {unit}".strip()
    labels = {c["value"]: c["label"] for c in options.get("choices", [])}
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value) or "None of these"
    return labels.get(value, value)


def _only(field: str) -> Q:
    """The value is in `field` (or not given) and every other value column is empty."""
    condition = Q()
    for other in VALUE_FIELDS:
        if other == field:
            continue
        condition &= Q(value_text="") if other == "value_text" else Q(**{f"{other}__isnull": True})
    return condition


class Answer(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="answers")
    requirement = models.ForeignKey(
        "standards.Requirement", on_delete=models.PROTECT, related_name="answers"
    )
    requirement_key = models.CharField(max_length=80)
    answer_type = models.CharField(max_length=20, choices=AnswerType.choices)
    value_bool = models.BooleanField(null=True, blank=True)
    value_number = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    value_text = models.TextField(blank=True)
    value_choices = models.JSONField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    not_applicable_reason = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    evidence_note = models.TextField(blank=True)
    needs_attention = models.BooleanField(default=False)
    attention_reason = models.CharField(max_length=200, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_state = models.CharField(
        max_length=14, choices=AnswerReviewState.choices, default=AnswerReviewState.SELF_DECLARED
    )
    review_comment = models.TextField(blank=True)
    # Who accepted or challenged the answer, so that one reviewer's review leaves another's
    # challenges alone, and the provider is told who challenged.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_as = models.CharField(
        max_length=4, choices=Reviewer.choices, blank=True, default="", db_default=""
    )
    # Optimistic concurrency: a save must name the row_version it was loaded at.
    row_version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["declaration", "requirement__section__order", "requirement__order"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "requirement"], name="answer_unique"),
            models.UniqueConstraint(
                fields=["declaration", "requirement_key"], name="answer_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | ~Q(not_applicable_reason=""),
                name="not_applicable_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | _only("none"),
                name="not_applicable_has_no_value",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(answer_type="yes_no") & _only("value_bool"))
                    | (Q(answer_type="number") & _only("value_number"))
                    | (Q(answer_type="date") & _only("value_date"))
                    | (Q(answer_type__in=["single_choice", "url", "text"]) & _only("value_text"))
                    | (Q(answer_type="multiple_choice") & _only("value_choices"))
                ),
                name="answer_value_matches_type",
            ),
            models.CheckConstraint(
                condition=~Q(review_state="challenged") | ~Q(review_comment=""),
                name="challenge_needs_comment",
            ),
            models.CheckConstraint(
                condition=(Q(review_state="self_declared") & Q(reviewed_as=""))
                | (~Q(review_state="self_declared") & Q(reviewed_as__in=["area", "icb"])),
                name="reviewed_answer_names_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["requirement_key"], name="answer_key_idx")]

    def __str__(self) -> str:
        return f"{self.requirement_key}: {self.display_value}"

    @property
    def value(self) -> Any:
        """The typed answer: bool, Decimal, date, str or list of str; None when not given."""
        raw = getattr(self, FIELD_FOR_TYPE[AnswerType(self.answer_type)])
        # An empty list is an answer ("none of these"); an empty text is not.
        return None if raw == "" else raw

    def set_value(self, value: bool | Decimal | dt.date | str | list[str] | None) -> None:
        for name in VALUE_FIELDS:
            setattr(self, name, "" if name == "value_text" else None)
        if value is not None:
            setattr(self, FIELD_FOR_TYPE[AnswerType(self.answer_type)], value)

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.value is not None

    @property
    def display_value(self) -> str:
        if self.not_applicable:
            return "Not applicable"
        value = self.value
        if value is None:
            return "Not answered"
        return display_answer(value, self.requirement.answer_options if self.requirement_id else {})

    def snapshot(self) -> dict[str, Any]:
        """What the history records of an answer."""
        value = self.value
        if isinstance(value, Decimal):
            value = f"{value.normalize():f}"
        elif isinstance(value, dt.date):
            value = value.isoformat()
        return {
            "value": value,
            "not_applicable": self.not_applicable,
            "not_applicable_reason": self.not_applicable_reason,
            "evidence_url": self.evidence_url,
            "evidence_note": self.evidence_note,
        }


class AnswerChange(models.Model):
    """Every change to an answer: who, when, the old and the new value."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    old = models.JSONField()
    new = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.answer.requirement_key} changed at {self.changed_at:%Y-%m-%d %H:%M}"

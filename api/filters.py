"""Query parameters of the list endpoints, validated: a bad value is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import serializers

from api.serializers.base import StrictSerializer
from audits.models import DeclarationStatus, ReviewStatus
from providers.models import ProviderStatus
from standards.models import VersionStatus
from standards.vocabulary import ProviderType, Strength, Theme

# The gap statuses a person may set, which are also those of active gaps (scoring.models).
ACTIVE_GAP_STATUS_CHOICES = [
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("accepted", "Accepted"),
]
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class ListParams(StrictSerializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Results per page, 1 to {MAX_PAGE_SIZE}; default {DEFAULT_PAGE_SIZE}.",
    )
    ORDERINGS: tuple[str, ...] = ("id",)

    def filter(self, queryset: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        return queryset

    def order(self, queryset: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        field = data.get("ordering") or self.ORDERINGS[0]
        descending = field.startswith("-")
        tiebreak = "-id" if descending else "id"
        return (
            queryset.order_by(field, tiebreak)
            if field.lstrip("-") != "id"
            else queryset.order_by(field)
        )


def ordering_field(*names: str) -> serializers.ChoiceField:
    choices = [n for name in names for n in (name, f"-{name}")]
    return serializers.ChoiceField(
        choices=choices,
        required=False,
        help_text=f"Sort by {', '.join(names)}; a leading - sorts descending. Ties are broken by id. "
        f"Default: {names[0]}.",
    )


def text(max_length: int, help_text: str) -> serializers.CharField:
    return serializers.CharField(required=False, max_length=max_length, help_text=help_text)


class VersionParams(ListParams):
    standard = serializers.SlugField(required=False, max_length=100, help_text="A standard's slug.")
    status = serializers.ChoiceField(choices=VersionStatus.choices, required=False)
    ordering = ordering_field("id", "effective_from")
    ORDERINGS = ("id", "effective_from")

    def filter(self, queryset: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        if data.get("standard"):
            queryset = queryset.filter(standard__slug=data["standard"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset


class RequirementParams(ListParams):
    provider_type = serializers.ChoiceField(
        choices=ProviderType.choices,
        required=False,
        help_text="Only the requirements that apply to this type of provider.",
    )
    section = text(40, "A section's code.")
    theme = serializers.ChoiceField(choices=Theme.choices, required=False)
    strength = serializers.ChoiceField(choices=Strength.choices, required=False)

    def filter(self, queryset: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        if data.get("section"):
            queryset = queryset.filter(section__code=data["section"])
        if data.get("theme"):
            queryset = queryset.filter(theme=data["theme"])
        if data.get("strength"):
            queryset = queryset.filter(strength=data["strength"])
        return queryset

    def order(self, queryset: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        return queryset.order_by("section__order", "order", "id")


class AreaParams(ListParams):
    region_code = text(9, "An ONS region code, e.g. E12000007 (London).")
    ordering = ordering_field("code", "name")
    ORDERINGS = ("code", "name")

    def filter(self, queryset: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        if data.get("region_code"):
            queryset = queryset.filter(region_code=data["region_code"].strip().upper())
        return queryset


class ProviderParams(ListParams):
    area = text(9, "An area: its 3-digit LA code (e.g. 213) or its 9-character GSS code.")
    provider_type = serializers.ChoiceField(choices=ProviderType.choices, required=False)
    status = serializers.ChoiceField(choices=ProviderStatus.choices, required=False)
    urn = text(20, "A unique reference number (URN) from GIAS.")
    ukprn = text(8, "A UK provider reference number (UKPRN).")
    name = text(100, "Part of the provider's name (any case).")
    ordering = ordering_field("id", "name", "urn")
    ORDERINGS = ("id", "name", "urn")

    def filter(self, queryset: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        if data.get("area"):
            code = data["area"].strip().upper()
            queryset = queryset.filter(Q(area__code=code) | Q(area__gss_code=code))
        for field in ("provider_type", "status"):
            if data.get(field):
                queryset = queryset.filter(**{field: data[field]})
        for field in ("urn", "ukprn"):
            if data.get(field):
                queryset = queryset.filter(**{field: data[field].strip()})
        if data.get("name"):
            queryset = queryset.filter(name__icontains=data["name"].strip())
        return queryset


class DeclarationParams(ListParams):
    provider = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="A provider's id."
    )
    urn = text(20, "The provider's URN.")
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="A standard version's id."
    )
    period = text(7, "An academic year, e.g. 2026/27.")
    status = serializers.ChoiceField(choices=DeclarationStatus.choices, required=False)
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    ordering = ordering_field("id", "created_at", "updated_at", "submitted_at")
    ORDERINGS = ("id", "created_at", "updated_at", "submitted_at")

    def filter(self, queryset: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        if data.get("provider"):
            queryset = queryset.filter(provider_id=data["provider"])
        if data.get("urn"):
            queryset = queryset.filter(provider__urn=data["urn"].strip())
        if data.get("version"):
            queryset = queryset.filter(version_id=data["version"])
        for field in ("period", "status", "review_status"):
            if data.get(field):
                queryset = queryset.filter(**{field: data[field]})
        return queryset


class GapParams(ListParams):
    include_closed = serializers.BooleanField(
        required=False, help_text="Include resolved and superseded gaps (default false)."
    )


class AreaGapParams(ListParams):
    status = serializers.ChoiceField(choices=ACTIVE_GAP_STATUS_CHOICES, required=False)

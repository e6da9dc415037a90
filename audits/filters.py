"""The filters of the declaration list, for the API (and any list page of declarations)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from audits.models import Declaration, DeclarationStatus, ReviewStatus
from providers.filters import TieBrokenOrdering, text

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class DeclarationFilter(django_filters.FilterSet):
    provider = IdFilter(
        field_name="provider_id", min_value=1, max_value=MAX_ID, help_text="A provider's id."
    )
    urn = text(20, "The provider's URN.", method="by_urn")
    version = IdFilter(
        field_name="version_id",
        min_value=1,
        max_value=MAX_ID,
        help_text="A standard version's id.",
    )
    period = django_filters.CharFilter(max_length=7, help_text="An academic year, e.g. 2026/27.")
    status = django_filters.ChoiceFilter(choices=DeclarationStatus.choices)
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    ordering = TieBrokenOrdering("id", "created_at", "updated_at", "submitted_at")

    class Meta:
        model = Declaration
        fields: list[str] = []

    def by_urn(self, qs: QuerySet[Declaration], name: str, value: str) -> QuerySet[Declaration]:
        return qs.filter(provider__urn=value.strip())

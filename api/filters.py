"""The query parameters of the API's lists.

Each list is filtered by one django-filter FilterSet, shared with its list page where there is
one (providers.filters, audits.filters, scoring.forms.AreaGapFilter); the lists only the API
has are filtered here. A bad value, or a parameter the list does not know, is a 400 naming it.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from api.serializers.base import StrictSerializer
from providers.filters import TieBrokenOrdering, text
from scoring.models import Gap
from standards.models import Requirement, StandardVersion, VersionStatus
from standards.vocabulary import ProviderType, Strength, Theme

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class PageParams(StrictSerializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Results per page, 1 to {MAX_PAGE_SIZE}; default {DEFAULT_PAGE_SIZE}.",
    )


class NoFilters(django_filters.FilterSet):
    """A list with paging only, in a fixed order (the standards)."""


class VersionFilter(django_filters.FilterSet):
    standard = django_filters.CharFilter(
        field_name="standard__slug", max_length=100, help_text="A standard's slug."
    )
    status = django_filters.ChoiceFilter(choices=VersionStatus.choices)
    ordering = TieBrokenOrdering("id", "effective_from")

    class Meta:
        model = StandardVersion
        fields: list[str] = []


class RequirementFilter(django_filters.FilterSet):
    provider_type = django_filters.ChoiceFilter(
        choices=ProviderType.choices,
        method="applies_to",
        help_text="Only the requirements that apply to this type of provider.",
    )
    section = text(40, "A section's code.", field_name="section__code")
    theme = django_filters.ChoiceFilter(choices=Theme.choices)
    strength = django_filters.ChoiceFilter(choices=Strength.choices)

    class Meta:
        model = Requirement
        fields: list[str] = []

    def applies_to(self, qs: QuerySet[Requirement], name: str, value: str) -> QuerySet[Requirement]:
        return qs  # the selector (standards.selectors.requirements_for) applies it

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return super().filter_queryset(queryset).order_by("section__order", "order", "id")


class StrictBooleanField(forms.NullBooleanField):
    """true or false (or 1, 0); anything else is an error, not "not given"."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise forms.ValidationError("Must be a valid boolean.")

    def validate(self, value: Any) -> None:
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class GapFilter(django_filters.FilterSet):
    include_closed = StrictBooleanFilter(
        method="read_by_selector",
        help_text="Include resolved and superseded gaps (default false).",
    )

    class Meta:
        model = Gap
        fields: list[str] = []

    def read_by_selector(self, qs: QuerySet[Gap], name: str, value: Any) -> QuerySet[Gap]:
        return qs  # scoring.selectors.gaps_for reads it


def checked(
    filterset_class: type[django_filters.FilterSet], data: Any, queryset: QuerySet[Any]
) -> django_filters.FilterSet:
    """A list's FilterSet over `queryset`, its query parameters checked: unknown ones and bad
    values are a 400 naming them."""
    known = {*filterset_class.base_filters, *PageParams().fields}
    unknown = sorted(k for k in data if k not in known)
    if unknown:
        raise exceptions.ValidationError(
            {k: ["This field is not known. Check its spelling."] for k in unknown}
        )
    PageParams(data={k: v for k, v in data.items() if k in PageParams().fields}).is_valid(
        raise_exception=True
    )
    filterset = filterset_class(data=data, queryset=queryset)
    if not filterset.form.is_valid():
        raise exceptions.ValidationError(filterset.form.errors)
    return filterset


def _schema(item: django_filters.Filter) -> dict[str, Any]:
    extra = item.extra
    if isinstance(item, django_filters.OrderingFilter):
        return {"type": "string", "enum": [v for f in item.param_map for v in (f, f"-{f}")]}
    if isinstance(item, django_filters.ChoiceFilter):
        return {"type": "string", "enum": [value for value, _ in extra["choices"]]}
    if isinstance(item, django_filters.BooleanFilter):
        return {"type": "boolean"}
    if isinstance(item, django_filters.NumberFilter):
        bounds = {"minimum": extra.get("min_value"), "maximum": extra.get("max_value")}
        return {"type": "integer", **{k: v for k, v in bounds.items() if v is not None}}
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if extra.get("max_length"):
        schema["maxLength"] = extra["max_length"]
    return schema


PAGE_SCHEMAS = {
    "page": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
}


def filter_parameters(filterset_class: type[django_filters.FilterSet]) -> list[OpenApiParameter]:
    """The OpenAPI description of a list's query parameters, from its FilterSet."""
    parameters = [
        OpenApiParameter(name, _schema(item), description=item.extra.get("help_text", ""))
        for name, item in filterset_class.base_filters.items()
    ]
    for name, field in PageParams().fields.items():
        parameters.append(
            OpenApiParameter(name, PAGE_SCHEMAS[name], description=field.help_text or "")
        )
    return parameters

"""The filters of the provider and area lists, shared by the list pages and the API.

Each FilterSet is the one definition of its list's filters: the providers page renders its
form, and the API validates its query parameters with it (a bad value is a 400 naming it).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from providers.models import Area, Provider, ProviderStatus
from standards.vocabulary import ProviderType


class TieBrokenOrdering(django_filters.OrderingFilter):
    """Sorts by one field, a leading - for descending, ties broken by id in the same direction:
    so that pages of a list never overlap or skip."""

    def __init__(self, *names: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            f"Sort by {', '.join(names)}; a leading - sorts descending. Ties are broken by id. "
            f"Default: {names[0]}.",
        )
        super().__init__(fields=[(n, n) for n in names], **kwargs)
        self.default = names[0]

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        field = (value[0] if value else None) or self.default
        if field.lstrip("-") == "id":
            return qs.order_by(field)
        return qs.order_by(field, "-id" if field.startswith("-") else "id")


def text(max_length: int, help_text: str, **kwargs: Any) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        max_length=max_length, help_text=help_text, method=kwargs.pop("method", None), **kwargs
    )


class AreaFilter(django_filters.FilterSet):
    region_code = text(9, "An ONS region code, e.g. E12000007 (London).", method="by_region")
    ordering = TieBrokenOrdering("code", "name")

    class Meta:
        model = Area
        fields: list[str] = []

    def by_region(self, qs: QuerySet[Area], name: str, value: str) -> QuerySet[Area]:
        return qs.filter(region_code=value.strip().upper())


class ProviderFilter(django_filters.FilterSet):
    q = text(100, "Part of the provider's name (any case), or its URN.", method="by_name_or_urn")
    area = text(
        9, "An area: its 3-digit LA code (e.g. 213) or its 9-character GSS code.", method="in_area"
    )
    provider_type = django_filters.ChoiceFilter(
        choices=ProviderType.choices, empty_label="Any type", label="Type"
    )
    status = django_filters.ChoiceFilter(
        choices=ProviderStatus.choices, empty_label="Any status", label="Status"
    )
    urn = text(20, "A unique reference number (URN) from GIAS.", method="exactly")
    ukprn = text(8, "A UK provider reference number (UKPRN).", method="exactly")
    name = text(100, "Part of the provider's name (any case).", method="by_name")
    ordering = TieBrokenOrdering("id", "name", "urn")

    class Meta:
        model = Provider
        fields: list[str] = []

    def by_name_or_urn(self, qs: QuerySet[Provider], name: str, value: str) -> QuerySet[Provider]:
        return qs.filter(Q(name__icontains=value.strip()) | Q(urn=value.strip()))

    def in_area(self, qs: QuerySet[Provider], name: str, value: str) -> QuerySet[Provider]:
        code = value.strip().upper()
        return qs.filter(Q(area__code=code) | Q(area__gss_code=code))

    def exactly(self, qs: QuerySet[Provider], name: str, value: str) -> QuerySet[Provider]:
        return qs.filter(**{name: value.strip()})

    def by_name(self, qs: QuerySet[Provider], name: str, value: str) -> QuerySet[Provider]:
        return qs.filter(name__icontains=value.strip())

"""Parsing the dashboards' query strings: filters and sorting. Unknown values are ignored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from dashboards.models import DeclarationState, ScoreBand
from dashboards.selectors import PHASE_LABELS, SORTS, ProviderFilters
from providers.models import Phase
from standards.vocabulary import ProviderType

MUST_GAPS_CHOICES = [("", "Any"), ("yes", "Has open must gaps"), ("no", "No open must gaps")]


class ProviderFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Name or URN")
    type = forms.MultipleChoiceField(
        choices=ProviderType.choices, required=False, label="Provider type"
    )
    phase = forms.MultipleChoiceField(
        choices=[(p, PHASE_LABELS[p]) for p in Phase.values], required=False, label="Phase"
    )
    status = forms.MultipleChoiceField(
        choices=DeclarationState.choices, required=False, label="Declaration status"
    )
    band = forms.MultipleChoiceField(choices=ScoreBand.choices, required=False, label="Score")
    must_gaps = forms.ChoiceField(choices=MUST_GAPS_CHOICES, required=False, label="Open must gaps")


def _valid(form: forms.Form, name: str, default: Any) -> Any:
    field = form.fields[name]
    raw = (
        form.data.getlist(name)
        if isinstance(field, forms.MultipleChoiceField)
        else form.data.get(name)
    )
    if isinstance(field, forms.MultipleChoiceField):
        allowed = {str(value) for value, _ in field.choices}  # type: ignore[attr-defined]
        return tuple(dict.fromkeys(v for v in raw if v in allowed))
    if isinstance(field, forms.ChoiceField):
        allowed = {str(value) for value, _ in field.choices}  # type: ignore[attr-defined]
        return raw if raw in allowed else default
    return (raw or default).strip()[:100]


def provider_filters(data: QueryDict) -> tuple[ProviderFilters, ProviderFilterForm]:
    form = ProviderFilterForm(data)
    filters = ProviderFilters(
        provider_types=_valid(form, "type", ()),
        phases=_valid(form, "phase", ()),
        statuses=_valid(form, "status", ()),
        bands=_valid(form, "band", ()),
        must_gaps=_valid(form, "must_gaps", ""),
        query=_valid(form, "q", ""),
    )
    return filters, form


def sorting(data: QueryDict, allowed: Any = SORTS, default: str = "name") -> tuple[str, bool]:
    sort = data.get("sort") or default
    if sort not in allowed:
        sort = default
    return sort, data.get("order") == "desc"


def query_without(data: QueryDict, *names: str) -> str:
    """The query string without some parameters (for sort and page links)."""
    copy = data.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()

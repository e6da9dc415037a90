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
    CHOICES: dict[str, list[tuple[str, str]]] = {
        "type": list(ProviderType.choices),
        "phase": [(p, PHASE_LABELS[p]) for p in Phase.values],
        "status": list(DeclarationState.choices),
        "band": list(ScoreBand.choices),
        "must_gaps": MUST_GAPS_CHOICES,
    }

    q = forms.CharField(required=False, max_length=100, label="Name or URN")
    type = forms.MultipleChoiceField(choices=CHOICES["type"], required=False, label="Provider type")
    phase = forms.MultipleChoiceField(choices=CHOICES["phase"], required=False, label="Phase")
    status = forms.MultipleChoiceField(
        choices=CHOICES["status"], required=False, label="Declaration status"
    )
    band = forms.MultipleChoiceField(choices=CHOICES["band"], required=False, label="Score")
    must_gaps = forms.ChoiceField(
        choices=CHOICES["must_gaps"], required=False, label="Open must gaps"
    )


def _valid(data: QueryDict, field: forms.Field, name: str, default: Any) -> Any:
    """The value of a filter if it is one of its choices (any number of them for a
    multiple choice), else the default: an unknown value is ignored, never an error."""
    if isinstance(field, forms.ChoiceField):
        allowed = {str(value) for value, _ in ProviderFilterForm.CHOICES[name]}
        if isinstance(field, forms.MultipleChoiceField):
            return tuple(dict.fromkeys(v for v in data.getlist(name) if v in allowed))
        raw = data.get(name)
        return raw if raw in allowed else default
    return (data.get(name) or default).strip()[:100]


def provider_filters(data: QueryDict) -> ProviderFilters:
    form = ProviderFilterForm(data)

    def valid(name: str, default: Any) -> Any:
        return _valid(data, form.fields[name], name, default)

    return ProviderFilters(
        provider_types=valid("type", ()),
        phases=valid("phase", ()),
        statuses=valid("status", ()),
        bands=valid("band", ()),
        must_gaps=valid("must_gaps", ""),
        query=valid("q", ""),
    )


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

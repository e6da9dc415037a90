"""Find a setting: the search across England, an area's page, and each setting's page.

GET only, no sign-in, no cookies (privacy.NoCookiesOnFamilyPages), nothing stored or logged.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from inclusion.areas import area_options_html
from inclusion.public.widgets import form_choices, result_cards
from inclusion.search import find_settings
from inclusion.search_facts import public_setting, setting_page
from inclusion.search_inputs import FIELDS, SearchInvalid, parse_search, read_inputs
from providers.models import Area

ERROR_ANCHORS = {"need": "need", "need_type": "need_type", "ehc": "ehc"}


def _query_string(request: HttpRequest) -> str:
    pairs = [(k, v) for k in (*FIELDS, "search") for v in request.GET.getlist(k) if v]
    return urlencode(pairs)


@require_GET
def search(request: HttpRequest, code: str | None = None) -> HttpResponse:
    area = get_object_or_404(Area, code=code) if code else None
    inputs = read_inputs(request.GET)
    errors: dict[str, str] = {}
    results = None
    query_string = _query_string(request)
    if not inputs.is_empty or request.GET.get("search"):
        try:
            query = parse_search(request.GET, area=area)
        except SearchInvalid as invalid:
            errors = invalid.errors
        else:
            results = find_settings(query=query, page=request.GET.get("page", 1))
    with_support = [r for r in results.results if r.reasons] if results else []
    others = [r for r in results.results if not r.reasons] if results else []
    distance_available = results.distance_available if results else False
    context = {
        "area": area,
        "inputs": inputs,
        "errors": errors,
        "error_list": [(ERROR_ANCHORS.get(k, k), v) for k, v in errors.items()],
        "results": results,
        "with_support": with_support,
        "others": others,
        "with_support_cards": result_cards(
            with_support, query=query_string, distance_available=distance_available
        ),
        "other_cards": result_cards(
            others, query=query_string, distance_available=distance_available
        ),
        "area_options": area_options_html({inputs.area}),
        "also_options": area_options_html(set(inputs.also)),
        "query": query_string,
        **form_choices(inputs),
    }
    return render(request, "inclusion/public/search.html", context)


@require_GET
def setting(request: HttpRequest, pk: int) -> HttpResponse:
    provider = public_setting(provider_id=pk)
    if provider is None:
        raise Http404("No such setting")
    page = setting_page(provider=provider)
    kept = [(k, v) for k, v in parse_qsl(request.GET.get("back", "")) if k in (*FIELDS, "page")]
    back = f"?{urlencode(kept)}#results" if kept else ""
    return render(
        request, "inclusion/public/setting.html", {"page": page, "provider": provider, "back": back}
    )

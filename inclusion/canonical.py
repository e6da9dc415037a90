"""A local inclusion plan's canonical JSON: what its SHA-256 content hash is taken of.

The document holds the plan's content and nothing about who edited or published it, or when:

    {"academic_year": "2026/27",
     "area": {"code": "213", "name": "Westminster"},
     "common_settings": [{"kind", "note", "provider": {"name", "ukprn", "urn"}}, ...],
     "contacts": {"local_offer_url", "send_team", "sendiass"},
     "format": "inclusion-plan/1",
     "ordinarily_available": {"summary", "url"},
     "specialist_places": [{"age_high", "age_low", "inside_area", "kind", "need_types",
                            "on_roll", "places", "provider": {"name", "ukprn", "urn"}}, ...],
     "version": 1}

Stable ordering: specialist places by kind, then the provider's URN, UKPRN and name; common
settings by the provider's URN, UKPRN, name and then kind; need types alphabetically. A missing
URN or UKPRN is null; an unknown number is null. Serialised with sorted keys, no whitespace
(`separators=(",", ":")`) and UTF-8 without escaping (`ensure_ascii=False`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from inclusion.models import CommonSetting, InclusionPlan, SpecialistPlace
from providers.models import Provider

FORMAT = "inclusion-plan/1"


def _provider(provider: Provider) -> dict[str, Any]:
    return {"name": provider.name, "urn": provider.urn or None, "ukprn": provider.ukprn or None}


def _provider_key(provider: Provider) -> tuple[str, str, str]:
    return (provider.urn or "", provider.ukprn or "", provider.name)


def place_document(place: SpecialistPlace) -> dict[str, Any]:
    return {
        "provider": _provider(place.provider),
        "kind": place.kind,
        "need_types": sorted(place.need_types or []),
        "age_low": place.age_low,
        "age_high": place.age_high,
        "places": place.places,
        "on_roll": place.on_roll,
        "inside_area": place.inside_area,
    }


def plan_document(plan: InclusionPlan) -> dict[str, Any]:
    places = sorted(
        SpecialistPlace.objects.filter(plan=plan).select_related("provider"),
        key=lambda p: (p.kind, *_provider_key(p.provider)),
    )
    common = sorted(
        CommonSetting.objects.filter(plan=plan).select_related("provider"),
        key=lambda c: (*_provider_key(c.provider), c.kind),
    )
    return {
        "format": FORMAT,
        "area": {"code": plan.area.code, "name": plan.area.name},
        "academic_year": plan.academic_year,
        "version": plan.version,
        "ordinarily_available": {
            "summary": plan.ordinarily_available_summary,
            "url": plan.ordinarily_available_url,
        },
        "contacts": {
            "send_team": plan.send_team_contact,
            "sendiass": plan.sendiass_contact,
            "local_offer_url": plan.local_offer_url,
        },
        "specialist_places": [place_document(p) for p in places],
        "common_settings": [
            {"provider": _provider(c.provider), "kind": c.kind, "note": c.note} for c in common
        ],
    }


def canonical_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def content_hash(plan: InclusionPlan) -> str:
    return hashlib.sha256(canonical_bytes(plan_document(plan))).hexdigest()

"""Demo providers: the real schools of a few areas, plus made-up early years settings and colleges.

The schools come from `providers/data/demo_schools.csv`, extracted from DfE's school
information file (2023/24) for three contrasting areas, with their statutory ages (AGELOW,
AGEHIGH), joined with the SEN provision types GIAS lists for them (see providers/data/README.md).
Their locations are placed from their postcodes by the inclusion app's demo, not here. Early years settings and one further
education college per area are generated, deterministically, so loading twice changes nothing;
their URNs start "EY9" and their UKPRNs "1999", which no real provider has, and their websites
are on example.org.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction

from providers.establishment_types import provider_type_for
from providers.gias import STATUSES, parse_date
from providers.models import (
    Area,
    IcbAreaCoverage,
    Phase,
    Provider,
    ProviderStatus,
    ResourcedProvision,
)
from providers.services import import_areas, upsert_icb_provider, upsert_local_authority_provider
from standards.vocabulary import ProviderType

DEMO_SCHOOLS_CSV = Path(__file__).resolve().parent / "data" / "demo_schools.csv"

# Westminster (a London borough), Brighton and Hove (a unitary city, Sussex ICB) and
# Buckinghamshire (a large unitary county with an alias code, split between two ICBs).
DEMO_AREA_CODES = ["213", "846", "825"]

# Edward Wilson Primary School, Westminster: a real, open community primary school.
DEMO_HEADTEACHER_SCHOOL_URN = "101110"

EARLY_YEARS_PER_AREA = 6
_EY_FIRST = [
    "Little Acorns",
    "Rainbow Corner",
    "Sunflower",
    "Ladybird",
    "Tiny Steps",
    "Puddle Ducks",
    "Honeybee",
    "Treetops",
    "Conker Tree",
    "Little Explorers",
    "Windmill",
    "Kingfisher",
]
_EY_SECOND = ["Day Nursery", "Pre-School", "Nursery", "Montessori Nursery", "Playgroup"]


def _phase(row: dict[str, str]) -> str:
    primary, secondary, post16 = (row[k] == "1" for k in ("ISPRIMARY", "ISSECONDARY", "ISPOST16"))
    age_high = int(row["AGEHIGH"]) if row["AGEHIGH"].isdigit() else None
    if age_high is not None and age_high <= 5:
        return Phase.NURSERY
    if primary and secondary:
        return Phase.ALL_THROUGH
    if primary:
        return Phase.PRIMARY
    if secondary:
        return Phase.SECONDARY
    if post16:
        return Phase.SIXTEEN_PLUS
    return Phase.NOT_APPLICABLE


def _school_values(row: dict[str, str], area: Area) -> dict[str, Any] | None:
    provider_type = provider_type_for(row["SCHOOLTYPE"])
    status = STATUSES.get(row["SCHSTATUS"].strip().lower())
    if provider_type is None or status is None:
        return None
    sen = [name.strip() for name in row["SEN_PROVISION"].split(";") if name.strip()]
    resourced = ResourcedProvision.NONE
    if sen and provider_type == ProviderType.MAINSTREAM_SCHOOL:
        # GIAS lists types of need for a mainstream school only for its resourced provision.
        resourced = ResourcedProvision.RESOURCED_PROVISION
    low, high = _age(row["AGELOW"]), _age(row["AGEHIGH"])
    if low is not None and high is not None and low > high:
        low = high = None
    return {
        "provider_type": str(provider_type),
        "name": row["SCHNAME"],
        "area_id": area.pk,
        "phase": str(_phase(row)),
        "status": str(status),
        "establishment_type": row["SCHOOLTYPE"],
        "street": row["STREET"],
        "locality": row["LOCALITY"],
        "town": row["TOWN"],
        "postcode": row["POSTCODE"],
        "opened_on": parse_date(row["OPENDATE"]),
        "closed_on": parse_date(row["CLOSEDATE"]),
        "resourced_provision": str(resourced),
        "sen_provision_types": sen,
        "statutory_low_age": low,
        "statutory_high_age": high,
    }


def _age(text: str) -> int | None:
    """An age from the school information file (AGELOW, AGEHIGH); blank or odd is None."""
    text = text.strip()
    return int(text) if text.isdigit() and int(text) <= 99 else None


def _early_years(area: Area, places: list[tuple[str, str]]) -> list[dict[str, Any]]:
    rng = random.Random(f"demo-early-years-{area.code}")
    names: set[str] = set()
    settings = []
    for n in range(1, EARLY_YEARS_PER_AREA + 1):
        locality, town = rng.choice(places) if places else ("", area.name)
        name = f"{rng.choice(_EY_FIRST)} {rng.choice(_EY_SECOND)}"
        if name in names:
            name = f"{name}, {locality or town}"
        names.add(name)
        settings.append(
            {
                "urn": f"EY9{area.code}{n:02d}",
                "provider_type": ProviderType.EARLY_YEARS_SETTING.value,
                "name": name,
                "area_id": area.pk,
                "phase": Phase.NURSERY.value,
                "status": ProviderStatus.OPEN.value,
                "establishment_type": "Early years setting (demo)",
                "locality": locality,
                "town": town,
                "opened_on": dt.date(2010 + rng.randrange(14), rng.randrange(1, 13), 1),
                "website": f"https://example.org/demo/early-years/EY9{area.code}{n:02d}",
                "statutory_low_age": 0,
                "statutory_high_age": 5,
            }
        )
    return settings


def _college(area: Area, town: str) -> dict[str, Any]:
    return {
        "ukprn": f"1999{area.code}1",
        "provider_type": ProviderType.FURTHER_EDUCATION_COLLEGE.value,
        "name": f"{area.name} College of Further Education",
        "area_id": area.pk,
        "phase": Phase.SIXTEEN_PLUS.value,
        "status": ProviderStatus.OPEN.value,
        "establishment_type": "Further education (demo)",
        "town": town,
        "website": f"https://example.org/demo/college/{area.code}",
        "sen_provision_types": [],
        "statutory_low_age": 16,
        "statutory_high_age": 25,
    }


def _upsert(key: str, wanted: list[dict[str, Any]], counts: dict[str, int]) -> None:
    existing = {
        getattr(p, key): p
        for p in Provider.objects.filter(**{f"{key}__in": [w[key] for w in wanted]})
    }
    new = []
    for values in wanted:
        provider = existing.get(values[key])
        if provider is None:
            new.append(Provider(**values))
            counts["created"] += 1
        elif any(getattr(provider, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(provider, name, value)
            provider.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    Provider.objects.bulk_create(new, batch_size=500)


@transaction.atomic
def load_demo_providers(*, area_codes: list[str]) -> dict[str, int]:
    """Create (or bring up to date) the demo providers of these areas. Idempotent.

    Loads the reference areas first if they are missing. Returns counts: schools,
    early_years_settings, colleges, local_authorities, integrated_care_boards, and overall
    created, updated and unchanged. Raises ValueError for a code that is not an area.
    """
    if not Area.objects.exists():
        import_areas()
    areas = {area.code: area for area in Area.objects.filter(code__in=area_codes)}
    unknown = [code for code in area_codes if code not in areas]
    if unknown:
        raise ValueError(f"not an area code: {', '.join(unknown)}")

    counts = {
        "schools": 0,
        "early_years_settings": 0,
        "colleges": 0,
        "local_authorities": 0,
        "integrated_care_boards": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
    }
    schools: list[dict[str, Any]] = []
    places: dict[str, list[tuple[str, str]]] = {code: [] for code in areas}
    with open(DEMO_SCHOOLS_CSV, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            area = areas.get(row["LA"])
            if area is None:
                continue
            values = _school_values(row, area)
            if values is None:
                continue
            schools.append({"urn": row["URN"], **values})
            if row["TOWN"]:
                places[area.code].append((row["LOCALITY"], row["TOWN"]))
    _upsert("urn", schools, counts)
    counts["schools"] = len(schools)

    early_years: list[dict[str, Any]] = []
    colleges: list[dict[str, Any]] = []
    for code in area_codes:
        area = areas[code]
        area_places = sorted(set(places[code]))
        early_years.extend(_early_years(area, area_places))
        towns = Counter(town for _, town in places[code]).most_common(1)
        town = towns[0][0] if towns else area.name
        colleges.append(_college(area, town))
    _upsert("urn", early_years, counts)
    _upsert("ukprn", colleges, counts)
    counts["early_years_settings"] = len(early_years)
    counts["colleges"] = len(colleges)

    for code in area_codes:
        created = upsert_local_authority_provider(area=areas[code])[1]
        counts["local_authorities"] += 1
        counts["created" if created else "unchanged"] += 1
    icbs = {
        coverage.icb
        for coverage in IcbAreaCoverage.objects.filter(area__in=areas.values()).select_related(
            "icb"
        )
    }
    for icb in sorted(icbs, key=lambda icb: icb.code):
        created = upsert_icb_provider(icb=icb)[1]
        counts["integrated_care_boards"] += 1
        counts["created" if created else "unchanged"] += 1
    return counts

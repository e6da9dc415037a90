"""Reference data: areas, aliases, ICBs and which ICBs cover which areas; local authorities
and ICBs as providers.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from providers.models import (
    Area,
    AreaCodeAlias,
    IcbAreaCoverage,
    IcbCodeAlias,
    IntegratedCareBoard,
    Provider,
)
from standards.vocabulary import ProviderType

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


# ---------------------------------------------------------------------------
# Reference data: areas, aliases, ICBs and which ICBs cover which areas
# ---------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        text = f"created: {self.created} updated: {self.updated} unchanged: {self.unchanged}"
        return text + (f" deleted: {self.deleted}" if self.deleted else "")


@dataclass
class AreasImportReport:
    tallies: dict[str, Tally] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [f"{name}: {tally}" for name, tally in self.tallies.items()]


def _read_data(name: str, data_dir: Path) -> list[dict[str, str]]:
    with open(data_dir / name, encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _upsert(
    model: Any, key: str, wanted: dict[str, dict[str, Any]], tally: Tally
) -> dict[str, Any]:
    """Create or update instances of `model` keyed by `key`; returns every wanted one by key."""
    existing = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": wanted})}
    result: dict[str, Any] = {}
    for code, values in wanted.items():
        obj = existing.get(code)
        if obj is None:
            obj = model.objects.create(**{key: code}, **values)
            tally.created += 1
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save(update_fields=list(values))
            tally.updated += 1
        else:
            tally.unchanged += 1
        result[code] = obj
    return result


@transaction.atomic
def import_areas(*, data_dir: Path = DATA_DIR) -> AreasImportReport:
    """Load England's areas, their code aliases, the ICBs and their coverage. Idempotent.

    Areas and ICBs are never deleted (providers refer to them); aliases and coverage rows no
    longer in the files are.
    """
    report = AreasImportReport()

    tally = report.tallies.setdefault("areas", Tally())
    areas = _upsert(
        Area,
        "code",
        {
            row["old_la_code"]: {
                "gss_code": row["new_la_code"],
                "name": row["la_name"],
                "region_code": row["region_code"],
                "region_name": row["region_name"],
            }
            for row in _read_data("local_authorities.csv", data_dir)
        },
        tally,
    )
    by_gss = {area.gss_code: area for area in areas.values()}

    tally = report.tallies.setdefault("area code aliases", Tally())
    aliases: dict[str, dict[str, Any]] = {}
    for row in _read_data("area_code_aliases.csv", data_dir):
        first, second = row["code"], row["same_area_as"]
        # Whichever code is the area's own, the other is its alias.
        if first in by_gss:
            aliases[second] = {"area": by_gss[first], "note": row["note"]}
        elif second in by_gss:
            aliases[first] = {"area": by_gss[second], "note": row["note"]}
    _upsert(AreaCodeAlias, "code", aliases, tally)
    tally.deleted = AreaCodeAlias.objects.exclude(code__in=aliases).delete()[0]

    tally = report.tallies.setdefault("integrated care boards", Tally())
    icbs = _upsert(
        IntegratedCareBoard,
        "code",
        {
            row["icb24_code"]: {"nhs_code": row["icb24_code_nhs"], "name": row["icb24_name"]}
            for row in _read_data("integrated_care_boards_2024.csv", data_dir)
        },
        tally,
    )

    tally = report.tallies.setdefault("ICB code aliases", Tally())
    icb_aliases = {
        row["old_code"]: {"icb": icbs[row["new_code"]], "note": row["note"]}
        for row in _read_data("icb_code_aliases.csv", data_dir)
        if row["new_code"] in icbs
    }
    _upsert(IcbCodeAlias, "code", icb_aliases, tally)
    tally.deleted = IcbCodeAlias.objects.exclude(code__in=icb_aliases).delete()[0]

    tally = report.tallies.setdefault("ICB area coverage", Tally())
    existing = {(c.icb_id, c.area_id): c for c in IcbAreaCoverage.objects.all()}
    seen = set()
    for row in _read_data("local_authority_icb_overlap_2024.csv", data_dir):
        area, icb = areas[row["old_la_code"]], icbs[row["icb24_code"]]
        share, count = Decimal(row["share_of_la_lsoas"]), int(row["n_lsoa21"])
        seen.add((icb.pk, area.pk))
        coverage = existing.get((icb.pk, area.pk))
        if coverage is None:
            IcbAreaCoverage.objects.create(icb=icb, area=area, share=share, lsoa_count=count)
            tally.created += 1
        elif (coverage.share, coverage.lsoa_count) != (share, count):
            coverage.share, coverage.lsoa_count = share, count
            coverage.save(update_fields=["share", "lsoa_count"])
            tally.updated += 1
        else:
            tally.unchanged += 1
    stale = [c.pk for key, c in existing.items() if key not in seen]
    tally.deleted = IcbAreaCoverage.objects.filter(pk__in=stale).delete()[0]
    return report


# ---------------------------------------------------------------------------
# Local authorities and ICBs as providers
# ---------------------------------------------------------------------------


def upsert_local_authority_provider(*, area: Area) -> tuple[Provider, bool]:
    """The local authority of an area as a provider (la_code = the area's code)."""
    provider, created = Provider.objects.get_or_create(
        la_code=area.code,
        defaults={
            "provider_type": ProviderType.LOCAL_AUTHORITY,
            "name": area.name,
            "area": area,
        },
    )
    if not created and (provider.name, provider.area_id) != (area.name, area.pk):
        provider.name, provider.area = area.name, area
        provider.save(update_fields=["name", "area", "updated_at"])
    return provider, created


def upsert_icb_provider(*, icb: IntegratedCareBoard) -> tuple[Provider, bool]:
    """An integrated care board as a provider (icb_code = its ONS code; no area)."""
    provider, created = Provider.objects.get_or_create(
        icb_code=icb.code,
        defaults={
            "provider_type": ProviderType.INTEGRATED_CARE_BOARD,
            "name": icb.name,
            "icb": icb,
        },
    )
    if not created and (provider.name, provider.icb_id) != (icb.name, icb.pk):
        provider.name, provider.icb = icb.name, icb
        provider.save(update_fields=["name", "icb", "updated_at"])
    return provider, created

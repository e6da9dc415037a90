"""Writes for areas and providers: reference data, the GIAS extract and its links."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import AuditEvent, User
from common.bulk import update_rows
from providers.csvfiles import FileProblem, FileRejected, Source, open_csv
from providers.gias import (
    FIELDS,
    UKPRN,
    ParsedExtract,
    Progress,
    parse_date,
    parse_extract,
)
from providers.models import (
    Area,
    AreaCodeAlias,
    IcbAreaCoverage,
    IcbCodeAlias,
    IntegratedCareBoard,
    Provider,
    ProviderLink,
    Trust,
    link_direction,
)
from standards.vocabulary import ProviderType

DATA_DIR = Path(__file__).resolve().parent / "data"
BATCH = 1000
UPDATE_BATCH = 500


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


# ---------------------------------------------------------------------------
# The GIAS establishment extract
# ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, with dry_run or errors, would have done)."""

    file_name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    rejected_lines: dict[str, list[int]] = field(default_factory=dict)
    errors: list[FileProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def summary_line(self) -> str:
        return (
            f"created: {self.created} updated: {self.updated} unchanged: {self.unchanged}"
            f" skipped: {self.skipped_total} rejected: {self.rejected_total}"
        )

    def reason_lines(self) -> list[str]:
        lines = [f"skipped: {reason}: {n}" for reason, n in self.skipped.most_common()]
        for reason, n in self.rejected.most_common():
            where = self.rejected_lines.get(reason, [])
            at = ", ".join(str(line) for line in where)
            more = ", …" if n > len(where) else ""
            lines.append(f"rejected: {reason}: {n}" + (f" (lines {at}{more})" if at else ""))
        return lines + self.notes


class GiasImportReport(ImportReport):
    pass


class LinksImportReport(ImportReport):
    pass


def import_gias(
    *,
    source: Source,
    file_name: str,
    only_area: Area | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: User | None = None,
) -> GiasImportReport:
    """Import a GIAS "all establishment data" extract: all or nothing.

    The whole file is read and checked first; if anything is wrong the report lists every
    problem (file, line, column) and nothing is changed. Otherwise providers are created or
    updated by URN in one transaction, with an audit event (by actor, or the system) for each
    one created or updated that names the fields changed, before and after. With only_area,
    rows of other areas are skipped, and a URN that belongs to another area's provider is
    rejected. With dry_run nothing is written.
    """
    report = GiasImportReport(file_name=file_name, dry_run=dry_run)
    area_ids = dict(Area.objects.values_list("code", "id"))
    try:
        parsed = parse_extract(
            source,
            file_name=file_name,
            area_ids=area_ids,
            only_area_code=only_area.code if only_area else None,
            progress=progress,
        )
    except FileRejected as exc:
        report.errors = exc.problems
        return report
    report.skipped, report.rejected = parsed.skipped, parsed.rejected
    report.rejected_lines = parsed.rejected_lines
    report.errors = parsed.problems
    if report.errors:
        return report
    with transaction.atomic():
        _apply_extract(
            parsed, report, only_area=only_area, dry_run=dry_run, progress=progress, actor=actor
        )
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report


def _apply_extract(
    parsed: ParsedExtract,
    report: GiasImportReport,
    *,
    only_area: Area | None,
    dry_run: bool,
    progress: Progress | None,
    actor: User | None,
) -> None:
    fields = parsed.present_fields
    positions = [FIELDS.index(name) for name in fields]
    trust_at = FIELDS.index("trust_id")
    ukprn_at = FIELDS.index("ukprn")

    trust_ids = _upsert_trusts(parsed.trusts, report, dry_run=dry_run)
    columns = ["id", "urn", *fields]
    existing: dict[str, tuple[Any, ...]] = {
        row[1]: row
        for row in Provider.objects.filter(urn__isnull=False).values_list(*columns).iterator()
    }

    # A UKPRN may not end up on two providers: check against those the file does not change.
    holders = dict(
        Provider.objects.filter(ukprn__isnull=False).values_list("ukprn", "urn").iterator()
    )
    in_file = {row.urn: row.values[ukprn_at] for row in parsed.rows}
    for row in parsed.rows:
        ukprn = row.values[ukprn_at]
        if ukprn is None or ukprn not in holders or holders[ukprn] == row.urn:
            continue
        holder = holders[ukprn]
        if holder is None or holder not in in_file or in_file[holder] == ukprn:
            report.errors.append(
                FileProblem(
                    parsed.file_name,
                    f"{ukprn} already belongs to another provider"
                    f" ({'URN ' + holder if holder else 'one with no URN'})",
                    row.line,
                    UKPRN,
                )
            )
    if report.errors:
        return
    if "ukprn" in fields and not dry_run:
        # Free UKPRNs the file moves (or clears) first, so no row briefly holds another's.
        at, area_at = 2 + fields.index("ukprn"), 2 + fields.index("area_id")
        release = [
            current[0]
            for row in parsed.rows
            if (current := existing.get(row.urn)) is not None
            and current[at] is not None
            and current[at] != row.values[ukprn_at]
            and (only_area is None or current[area_at] == only_area.pk)
        ]
        for start in range(0, len(release), UPDATE_BATCH):
            Provider.objects.filter(pk__in=release[start : start + UPDATE_BATCH]).update(ukprn=None)

    now = timezone.now()
    audit = _ProviderAudit(actor, parsed.file_name, now, trust_ids)
    to_create: list[Provider] = []
    to_update: list[tuple[Any, ...]] = []
    update_fields = [*fields, "updated_at"]

    def save(at_least: int) -> None:
        """Write what has gathered, in batches of at least `at_least` (a dry run writes none)."""
        if dry_run:
            to_create.clear()
            to_update.clear()
            audit.events.clear()
            return
        if len(to_create) >= at_least:
            audit.created(Provider.objects.bulk_create(to_create))
            to_create.clear()
        if len(to_update) >= at_least:
            update_rows(Provider, update_fields, to_update)
            to_update.clear()
        if len(audit.events) >= at_least:
            AuditEvent.objects.bulk_create(audit.events, batch_size=BATCH)
            audit.events.clear()

    total = len(parsed.rows)
    for done, row in enumerate(parsed.rows, start=1):
        values = list(row.values)
        code = values[trust_at]
        values[trust_at] = trust_ids[code] if code is not None else None
        current = existing.get(row.urn)
        if current is None:
            to_create.append(Provider(urn=row.urn, **dict(zip(FIELDS, values, strict=True))))
            report.created += 1
        else:
            if only_area is not None and current[2 + fields.index("area_id")] != only_area.pk:
                reason = "URN belongs to a provider in another area"
                report.rejected[reason] += 1
                report.rejected_lines.setdefault(reason, []).append(row.line)
                continue
            wanted = tuple(values[i] for i in positions)
            if wanted == current[2:]:
                report.unchanged += 1
                continue
            to_update.append((current[0], *wanted, now))
            audit.updated(current[0], values[FIELDS.index("name")], fields, current[2:], wanted)
            report.updated += 1
        save(at_least=BATCH)
        if progress and done % 2000 == 0:
            progress("saving", done, total)
    save(at_least=1)
    if not dry_run:
        _resolve_links()
    if progress:
        progress("saving", total, total)


class _ProviderAudit:
    """The audit events of an import: one for each provider created or updated.

    Each names the fields changed as {field: [before, after]} (a new provider's empty fields
    are left out), with the area and trust by code and dates as YYYY-MM-DD.
    """

    CREATED = "provider created by GIAS import"
    UPDATED = "provider updated by GIAS import"

    def __init__(
        self, actor: User | None, file_name: str, at: dt.datetime, trust_ids: dict[str, int]
    ) -> None:
        self.actor = actor if actor is not None and actor.pk else None
        self.file_name = file_name
        self.at = at
        self.codes: dict[str, dict[Any, str]] = {
            "area_id": {pk: code for code, pk in Area.objects.values_list("code", "id")},
            "trust_id": {pk: code for code, pk in trust_ids.items()},
        }
        self.events: list[AuditEvent] = []

    def value(self, name: str, value: Any) -> Any:
        if name in self.codes and value is not None:
            return self.codes[name].get(value, value)
        return value.isoformat() if isinstance(value, dt.date) else value

    def add(self, action: str, pk: int, label: str, changed: dict[str, list[Any]]) -> None:
        self.events.append(
            AuditEvent(
                actor=self.actor,
                actor_label=self.actor.email if self.actor else "system",
                action=action,
                object_type=Provider._meta.label_lower,
                object_id=str(pk),
                object_label=label[:300],
                changes={"file": self.file_name, "fields": changed},
                at=self.at,
            )
        )

    def created(self, providers: list[Provider]) -> None:
        for provider in providers:
            changed = {
                name.removesuffix("_id"): [None, self.value(name, value)]
                for name in ("urn", *FIELDS)
                if (value := getattr(provider, name)) not in (None, "", [])
            }
            self.add(self.CREATED, provider.pk, provider.name, changed)

    def updated(
        self,
        pk: int,
        label: str,
        fields: tuple[str, ...],
        before: tuple[Any, ...],
        after: tuple[Any, ...],
    ) -> None:
        changed = {
            name.removesuffix("_id"): [self.value(name, old), self.value(name, new)]
            for name, old, new in zip(fields, before, after, strict=True)
            if old != new
        }
        self.add(self.UPDATED, pk, label, changed)


def _upsert_trusts(
    trusts: dict[str, str], report: ImportReport, *, dry_run: bool
) -> dict[str, int]:
    existing = {
        code: (pk, name) for pk, code, name in Trust.objects.values_list("id", "code", "name")
    }
    ids = {code: pk for code, (pk, _) in existing.items()}
    new = [Trust(code=code, name=name) for code, name in trusts.items() if code not in existing]
    changed = [
        Trust(pk=existing[code][0], name=name)
        for code, name in trusts.items()
        if code in existing and existing[code][1] != name
    ]
    if dry_run:
        for n, trust in enumerate(new, start=1):
            ids[trust.code] = -n  # a stand-in: the trust would be new
    else:
        Trust.objects.bulk_create(new, batch_size=BATCH)
        ids.update(Trust.objects.filter(code__in=[t.code for t in new]).values_list("code", "id"))
        Trust.objects.bulk_update(changed, ["name"], batch_size=UPDATE_BATCH)
    if new or changed:
        report.notes.append(f"trusts: created: {len(new)} updated: {len(changed)}")
    return ids


def _resolve_links() -> None:
    """Point links at providers that now exist with the linked URN."""
    ProviderLink.objects.filter(
        linked_provider__isnull=True,
        linked_urn__in=Provider.objects.filter(urn__isnull=False).values("urn"),
    ).update(
        linked_provider=Subquery(
            Provider.objects.filter(urn=OuterRef("linked_urn")).values("id")[:1]
        )
    )


# ---------------------------------------------------------------------------
# The GIAS links extract
# ---------------------------------------------------------------------------

LINK_URN = "LinkURN"
LINK_TYPE = "LinkType"
LINK_DATE = "LinkEstablishedDate"
LINK_REQUIRED = ("URN", LINK_URN, LINK_TYPE)
SKIP_UNKNOWN_PROVIDER = "URN is not a known provider"


def _link_rows(
    source: Source, file_name: str, report: LinksImportReport
) -> Iterator[tuple[int, str, str, str, dt.date | None]]:
    with open_csv(source, file_name=file_name, required=LINK_REQUIRED) as csv_file:
        i_urn, i_link = csv_file.index("URN"), csv_file.index(LINK_URN)
        i_type, i_date = csv_file.index(LINK_TYPE), csv_file.index(LINK_DATE)
        assert i_urn is not None and i_link is not None and i_type is not None
        try:
            for line, record in csv_file.records():
                if problem := csv_file.width_problem(line, record):
                    report.errors.append(problem)
                    continue
                problems = len(report.errors)
                values = []
                for column, index in (("URN", i_urn), (LINK_URN, i_link)):
                    urn = record[index].strip()
                    if not urn.isdigit() or len(urn) > 20:
                        text = "is empty" if not urn else f"{urn!r} is not a URN (a number)"
                        report.errors.append(FileProblem(file_name, text, line, column))
                    values.append(urn)
                link_type = record[i_type].strip()
                if not link_type or len(link_type) > 100:
                    text = "is empty" if not link_type else "is longer than 100 characters"
                    report.errors.append(FileProblem(file_name, text, line, LINK_TYPE))
                try:
                    date = parse_date(record[i_date].strip()) if i_date is not None else None
                except ValueError as exc:
                    report.errors.append(FileProblem(file_name, str(exc), line, LINK_DATE))
                    date = None
                if len(report.errors) == problems:
                    yield line, values[0], values[1], link_type, date
        except csv.Error as exc:
            raise FileRejected([FileProblem(file_name, f"cannot read the CSV: {exc}")]) from exc


def import_gias_links(
    *, source: Source, file_name: str, dry_run: bool = False
) -> LinksImportReport:
    """Import a GIAS links extract into ProviderLink: all or nothing, like import_gias.

    Links of URNs that are not known providers are skipped; the linked URN need not be known
    (linked_provider is filled in when it is, now or when it is imported later).
    """
    report = LinksImportReport(file_name=file_name, dry_run=dry_run)
    providers: dict[str, int] = {
        urn: pk
        for urn, pk in Provider.objects.filter(urn__isnull=False).values_list("urn", "id")
        if urn is not None
    }
    rows: dict[tuple[int, str, str], tuple[int | None, str, dt.date | None]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    try:
        for line, urn, linked_urn, link_type, date in _link_rows(source, file_name, report):
            key = (urn, linked_urn, link_type.lower())
            if key in seen:
                report.errors.append(
                    FileProblem(
                        file_name,
                        f"the link {urn} → {linked_urn} ({link_type}) is also on line {seen[key]}",
                        line,
                        LINK_URN,
                    )
                )
                continue
            seen[key] = line
            provider_id = providers.get(urn)
            if provider_id is None:
                report.skipped[SKIP_UNKNOWN_PROVIDER] += 1
                continue
            rows[(provider_id, linked_urn, link_type)] = (
                providers.get(linked_urn),
                link_direction(link_type),
                date,
            )
    except FileRejected as exc:
        report.errors = exc.problems
    if report.errors:
        return report

    with transaction.atomic():
        existing = {
            (provider_id, linked_urn, link_type): (pk, linked_id, direction, established_on)
            for pk, provider_id, linked_urn, link_type, linked_id, direction, established_on in (
                ProviderLink.objects.filter(provider_id__in=set(k[0] for k in rows))
                .values_list(
                    "id",
                    "provider_id",
                    "linked_urn",
                    "link_type",
                    "linked_provider_id",
                    "direction",
                    "established_on",
                )
                .iterator()
            )
        }
        to_create: list[ProviderLink] = []
        to_update: list[tuple[Any, ...]] = []
        for (provider_id, linked_urn, link_type), values in rows.items():
            current = existing.get((provider_id, linked_urn, link_type))
            if current is None:
                to_create.append(
                    ProviderLink(
                        provider_id=provider_id,
                        linked_urn=linked_urn,
                        link_type=link_type,
                        linked_provider_id=values[0],
                        direction=values[1],
                        established_on=values[2],
                    )
                )
                report.created += 1
            elif current[1:] != values:
                to_update.append((current[0], *values))
                report.updated += 1
            else:
                report.unchanged += 1
        if not dry_run:
            ProviderLink.objects.bulk_create(to_create, batch_size=BATCH)
            update_rows(ProviderLink, ["linked_provider", "direction", "established_on"], to_update)
    return report

"""The GIAS establishment extract: providers, their trusts and their links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import AuditEvent, User
from common.bulk import update_rows
from providers.csvfiles import FileProblem, FileRejected, Source
from providers.gias import FIELDS, UKPRN, ParsedExtract, Progress, parse_extract
from providers.models import Area, Provider, ProviderLink, Trust
from providers.services.reports import BATCH, UPDATE_BATCH, GiasImportReport, ImportReport

# ---------------------------------------------------------------------------
# The GIAS establishment extract
# ---------------------------------------------------------------------------


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

    trust_ids = _upsert_trusts(parsed.trusts, report, dry_run=dry_run)
    columns = ["id", "urn", *fields]
    existing: dict[str, tuple[Any, ...]] = {
        row[1]: row
        for row in Provider.objects.filter(urn__isnull=False).values_list(*columns).iterator()
    }

    _check_ukprns(parsed, report)
    if report.errors:
        return
    if "ukprn" in fields and not dry_run:
        _release_ukprns(parsed, existing, fields, only_area=only_area)

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


def _check_ukprns(parsed: ParsedExtract, report: GiasImportReport) -> None:
    """A UKPRN may not end up on two providers: check against those the file does not change."""
    ukprn_at = FIELDS.index("ukprn")
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


def _release_ukprns(
    parsed: ParsedExtract,
    existing: dict[str, tuple[Any, ...]],
    fields: tuple[str, ...],
    *,
    only_area: Area | None,
) -> None:
    """Free the UKPRNs the file moves (or clears) first, so no row briefly holds another's."""
    ukprn_at = FIELDS.index("ukprn")
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

"""The GIAS links extract: predecessors and successors."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from common.bulk import update_rows
from providers.csvfiles import FileProblem, FileRejected, Source, open_csv
from providers.gias import parse_date
from providers.models import Provider, ProviderLink, link_direction
from providers.services.reports import BATCH, LinksImportReport

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

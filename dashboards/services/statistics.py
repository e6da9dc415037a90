"""Official statistics: load the published datasets from their CSV files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from dashboards import official
from dashboards.models import GeographicLevel, OfficialStatistic, StatisticsDataset
from dashboards.selectors.common import forget_statistics
from providers.models import Area, AreaCodeAlias

# ---- official statistics ----------------------------------------------------------------


@dataclass
class DatasetReport:
    key: str
    file: str = ""
    rows_read: int = 0
    figures: int = 0
    suppressed: int = 0
    derived: int = 0
    unmapped: set[str] = field(default_factory=set)
    conflicts: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    missing: bool = False

    def lines(self) -> list[str]:
        if self.missing:
            return [f"{self.key}: no file found"]
        lines = [
            f"{self.key}: {self.file}: rows read {self.rows_read}, figures loaded {self.figures}"
            f" (not published: {self.suppressed}; calculated: {self.derived})"
        ]
        if self.unmapped:
            lines.append(
                f"  rows of authorities that are not areas today, skipped: {', '.join(sorted(self.unmapped))}"
            )
        if self.conflicts:
            lines.append(
                f"  rows whose two codes disagree, skipped: {', '.join(sorted(self.conflicts))}"
            )
        lines += [f"  {error}" for error in self.errors[:20]]
        return lines


class AreaCodes:
    """Finds an area from the codes a statistics row carries."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_gss: dict[str, int] = {}
        for pk, code, gss in Area.objects.values_list("pk", "code", "gss_code"):
            self.by_code[code] = pk
            self.by_gss[gss.upper()] = pk
        for code, area_id in AreaCodeAlias.objects.values_list("code", "area_id"):
            self.by_gss.setdefault(code.upper(), area_id)

    def find(self, old_code: str, new_code: str) -> tuple[int | None, bool]:
        """(area id, whether the two codes name different areas)."""
        by_old = self.by_code.get(old_code.strip()) if old_code.strip() else None
        by_new = self.by_gss.get(new_code.strip().upper()) if new_code.strip() else None
        if by_old is not None and by_new is not None and by_old != by_new:
            return None, True
        return (by_old if by_old is not None else by_new), False


def import_statistics(*, folder: Path | None = None) -> list[DatasetReport]:
    """Load every official dataset from `folder` (default: dashboards/data). Each dataset's
    figures are replaced as a whole, in one transaction."""
    folder = folder or official.DATA_DIR
    codes = AreaCodes()
    reports = []
    for spec in official.DATASETS:
        path = official.find_file(spec, folder)
        report = DatasetReport(key=spec.key)
        if path is None:
            report.missing = True
            reports.append(report)
            continue
        report.file = path.name
        _import_dataset(spec, path, codes, report)
        reports.append(report)
    forget_statistics()
    return reports


def _import_dataset(
    spec: official.DatasetSpec, path: Path, codes: AreaCodes, report: DatasetReport
) -> None:
    data = path.read_bytes()
    figures: dict[tuple[str, str, str], OfficialStatistic] = {}
    # For adding up national and regional figures: (measure, period, geo) → [sum, suppressed].
    sums: dict[tuple[str, str, str, str], list[Any]] = {}
    latest = ""
    for row in official.read_rows(data):
        if spec.topic is not None and row.get("breakdown_topic", "").strip() != spec.topic:
            continue
        report.rows_read += 1
        period = row.get("time_period", "").strip()
        place = _row_place(row, codes, report)
        if place is None:
            continue
        level, geo, area_id = place
        if not period or (level == GeographicLevel.REGIONAL and not geo):
            continue
        latest = max(latest, period)
        for column, measure in spec.measures.items():
            if column not in row:
                continue
            cell = official.read_cell(row[column])
            if cell.error:
                report.errors.append(f"{period} {geo or area_id} {column}: {cell.error}")
                continue
            if not cell.present:
                continue
            figure = OfficialStatistic(
                measure=measure,
                time_period=period,
                level=level,
                geo_code=geo,
                area_id=area_id,
                value=cell.value,
                suppression=cell.suppression,
            )
            figures[(measure, period, f"{level}:{geo or area_id}")] = figure
            if not spec.has_totals and level == GeographicLevel.LOCAL_AUTHORITY:
                _add_to_totals(sums, measure, period, row.get("region_code", "").strip(), cell)
    area_codes = dict(Area.objects.values_list("pk", "code"))
    for figure in figures.values():
        if figure.area_id is not None:
            figure.geo_code = area_codes[figure.area_id]
    derived = _derived_totals(spec, sums)
    rows = [f for f in figures.values()] + derived
    report.figures = len(rows)
    report.suppressed = sum(1 for f in rows if f.suppression)
    report.derived = len(derived)
    with transaction.atomic():
        dataset, _ = StatisticsDataset.objects.update_or_create(
            key=spec.key,
            defaults={
                "title": spec.title,
                "publisher": spec.publisher,
                "release": spec.release,
                "url": spec.url,
                "reference": spec.reference(latest),
                "file_name": path.name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows_read": report.rows_read,
                "rows_loaded": len(rows),
                "imported_at": timezone.now(),
            },
        )
        OfficialStatistic.objects.filter(dataset=dataset).delete()
        # The same figure may come from another dataset file (a newer release): it wins.
        OfficialStatistic.objects.filter(
            measure__in=sorted(set(spec.measures.values())),
            time_period__in=sorted({f.time_period for f in rows}),
        ).delete()
        for figure in rows:
            figure.dataset = dataset
        OfficialStatistic.objects.bulk_create(rows, batch_size=2000)


def _row_place(
    row: dict[str, str], codes: AreaCodes, report: DatasetReport
) -> tuple[str, str, int | None] | None:
    """Where a row's figures belong: (level, geography code, area id), or None for a row to
    pass over (an unknown level, or a local authority that matches no area or two)."""
    level_text = row.get("geographic_level", "Local authority").strip().lower()
    if level_text == "national":
        return GeographicLevel.NATIONAL, official.ENGLAND_CODE, None
    if level_text == "regional":
        return GeographicLevel.REGIONAL, row.get("region_code", "").strip(), None
    if level_text != "local authority":
        return None
    found, conflict = codes.find(row.get("old_la_code", ""), row.get("new_la_code", ""))
    label = f"{row.get('la_name', '').strip()} ({row.get('old_la_code', '').strip()}, {row.get('new_la_code', '').strip()})"
    if conflict:
        report.conflicts.add(label)
        return None
    if found is None:
        report.unmapped.add(label)
        return None
    return GeographicLevel.LOCAL_AUTHORITY, "", found


def _add_to_totals(
    sums: dict[tuple[str, str, str, str], list[Any]],
    measure: str,
    period: str,
    region: str,
    cell: official.Cell,
) -> None:
    """Add a local authority's figure to England's and its region's sums; a suppressed figure
    marks the sum suppressed."""
    for total_level, total_geo in (
        (GeographicLevel.NATIONAL, official.ENGLAND_CODE),
        (GeographicLevel.REGIONAL, region),
    ):
        if not total_geo:
            continue
        slot = sums.setdefault((measure, period, total_level, total_geo), [Decimal(0), False])
        if cell.value is None:
            slot[1] = True
        else:
            slot[0] += cell.value


def _derived_totals(
    spec: official.DatasetSpec, sums: dict[tuple[str, str, str, str], list[Any]]
) -> list[OfficialStatistic]:
    """England's and the regions' figures, added up from the areas' (for files without them).
    A total over any suppressed area figure is itself not published."""
    rows: list[OfficialStatistic] = []
    counts: dict[tuple[str, str, str, str], list[Any]] = {}
    percentages = set(spec.derived_percentages)
    for (measure, period, level, geo), (total, suppressed) in sums.items():
        counts[(measure, period, level, geo)] = [total, suppressed]
        if measure in percentages:
            continue
        rows.append(
            OfficialStatistic(
                measure=measure,
                time_period=period,
                level=level,
                geo_code=geo,
                value=None if suppressed else total,
                suppression="x" if suppressed else "",
                derived=True,
            )
        )
    for measure, (numerator, denominator) in spec.derived_percentages.items():
        for (m, period, level, geo), (total, suppressed) in list(counts.items()):
            if m != denominator:
                continue
            top = counts.get((numerator, period, level, geo))
            if top is None:
                continue
            unknown = suppressed or top[1] or not total
            rows.append(
                OfficialStatistic(
                    measure=measure,
                    time_period=period,
                    level=level,
                    geo_code=geo,
                    value=None
                    if unknown
                    else (Decimal(100) * top[0] / total).quantize(Decimal("0.0001")),
                    suppression="x" if unknown else "",
                    derived=True,
                )
            )
    return rows

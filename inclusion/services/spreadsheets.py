"""A plan's specialist places as a CSV or XLSX spreadsheet, and an edited one uploaded back.

The download has one header row and one row for each entry, so that the same file, edited,
can be uploaded again. An upload is all or nothing: every bad cell is named by its row and
column and nothing changes; otherwise the draft's specialist places become exactly the rows of
the file, each confirmed. "Setting", "Inside the area" and "Confirmed" are for reading only:
the setting is found by its URN (or UKPRN), and whether it is inside the area comes from GIAS.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError

from accounts.models import User
from inclusion.entries import MAX_AGE, PlaceValues, parse_kind, parse_need_types
from inclusion.models import CommonSetting, InclusionPlan, PlaceKind, SpecialistPlace
from inclusion.needs import NeedType
from inclusion.services.plans import PlanError, replace_places
from providers.csvfiles import FileProblem, FileRejected, open_csv
from providers.models import Provider

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 5000

URN = "URN"
UKPRN = "UKPRN"
SETTING = "Setting"
KIND = "Kind"
NEEDS = "Need types"
AGE_LOW = "Youngest age"
AGE_HIGH = "Oldest age"
PLACES = "Places commissioned"
ON_ROLL = "Number on roll"
INSIDE = "Inside the area"
CONFIRMED = "Confirmed"
COLUMNS = (URN, UKPRN, SETTING, KIND, NEEDS, AGE_LOW, AGE_HIGH, PLACES, ON_ROLL, INSIDE, CONFIRMED)
REQUIRED = (URN, UKPRN, KIND, NEEDS, AGE_LOW, AGE_HIGH, PLACES, ON_ROLL)
NEED_CODES = ", ".join(NeedType.values)
KIND_LABELS = ", ".join(str(kind.label) for kind in PlaceKind)


# ---------------------------------------------------------------------------
# Download
# ---------------------------------------------------------------------------


def plan_rows(*, plan: InclusionPlan) -> list[list[Any]]:
    places = (
        SpecialistPlace.objects.filter(plan=plan)
        .select_related("provider")
        .order_by("kind", "provider__name", "pk")
    )
    return [
        [
            p.provider.urn or "",
            p.provider.ukprn or "",
            p.provider.name,
            p.get_kind_display(),
            "; ".join(p.need_types),
            p.age_low,
            p.age_high,
            p.places,
            p.on_roll,
            "Yes" if p.inside_area else "No",
            "Yes" if p.confirmed else "No",
        ]
        for p in places
    ]


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(*, plan: InclusionPlan) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in plan_rows(plan=plan):
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(*, plan: InclusionPlan) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Specialist places"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in plan_rows(plan=plan):
        sheet.append(
            [ILLEGAL_CHARACTERS_RE.sub("", _safe(v)) if isinstance(v, str) else v for v in row]
        )
    for column, width in zip("ABCDEFGHIJK", (10, 10, 40, 24, 20, 8, 8, 10, 10, 8, 8), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    details = book.create_sheet("Summary and contacts")
    for label, value in (
        ("What every mainstream setting offers", plan.ordinarily_available_summary),
        ("The area's own document", plan.ordinarily_available_url),
        ("SEND team", plan.send_team_contact),
        ("SENDIASS", plan.sendiass_contact),
        ("Local Offer", plan.local_offer_url),
    ):
        details.append([label, ILLEGAL_CHARACTERS_RE.sub("", _safe(value))])
    details.column_dimensions["A"].width = 36
    details.column_dimensions["B"].width = 80
    common = book.create_sheet("Settings outside the area")
    common.append(["URN", "UKPRN", "Setting", "Kind", "Note"])
    for setting in (
        CommonSetting.objects.filter(plan=plan)
        .select_related("provider")
        .order_by("provider__name")
    ):
        common.append(
            [
                setting.provider.urn or "",
                setting.provider.ukprn or "",
                ILLEGAL_CHARACTERS_RE.sub("", _safe(setting.provider.name)),
                setting.get_kind_display(),
                ILLEGAL_CHARACTERS_RE.sub("", _safe(setting.note)),
            ]
        )
    about = book.create_sheet("About")
    for line in (
        f"Check SEND provision: {plan}",
        f"Kinds: {KIND_LABELS}",
        f"Need types (GIAS codes, separated by semicolons): {NEED_CODES}",
        "Upload the edited first sheet back: every row becomes a confirmed entry. The other sheets are for reading.",
        "Contains public sector information licensed under the Open Government Licence v3.0.",
    ):
        about.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------


@dataclass
class UploadReport:
    file_name: str
    problems: list[FileProblem] = field(default_factory=list)
    added: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text


def _xlsx_records(
    source: IO[bytes], file_name: str
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileRejected(
            [FileProblem(file_name, "cannot read the spreadsheet: save it as .xlsx or .csv")]
        ) from exc
    rows = book.worksheets[0].iter_rows(values_only=True)
    try:
        header = [_cell_text(v) for v in next(rows)]
    except StopIteration:
        raise FileRejected([FileProblem(file_name, "the spreadsheet is empty")]) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileRejected(
            [FileProblem(file_name, "required column is missing", 1, c) for c in missing]
        )

    def records() -> Iterator[tuple[int, list[str]]]:
        for line, values in enumerate(rows, start=2):
            yield line, [_cell_text(v) for v in values]

    return header, records()


class _Rows:
    """Checks each row; collects every problem with its row and column."""

    def __init__(self, file_name: str, header: list[str]) -> None:
        self.file_name = file_name
        self.header = header
        self.problems: list[FileProblem] = []
        self.rows: list[tuple[int, dict[str, str]]] = []

    def problem(self, line: int, column: str | None, text: str) -> None:
        self.problems.append(FileProblem(self.file_name, text, line, column))

    def add(self, line: int, cells: list[str]) -> None:
        if not any(cell.strip() for cell in cells):
            return
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(self.header)
        }
        self.rows.append((line, values))

    def number(self, line: int, column: str, text: str, top: int | None = None) -> int | None:
        if not text:
            return None
        if text.startswith("-") and text[1:].isdigit():
            self.problem(line, column, f"{text} is negative: it must be 0 or more")
            return None
        if not text.isdigit():
            self.problem(line, column, f"{text!r} is not a whole number")
            return None
        if top is not None and int(text) > top:
            self.problem(line, column, f"{text} is not an age from 0 to {top}")
            return None
        return int(text)

    def entries(self) -> list[tuple[int, str, str, PlaceValues]]:
        """(row, the column the setting is named in, its URN or UKPRN, the entry) of each good row."""
        found: list[tuple[int, str, str, PlaceValues]] = []
        for line, cells in self.rows:
            before = len(self.problems)
            reference = cells.get(URN, "") or cells.get(UKPRN, "")
            if not reference:
                self.problem(line, URN, "is empty: give the setting's URN (or its UKPRN)")
            kind = parse_kind(cells.get(KIND, ""))
            if kind is None:
                self.problem(
                    line, KIND, f"{cells.get(KIND, '')!r} is not a kind of place ({KIND_LABELS})"
                )
            needs, unknown = parse_need_types(cells.get(NEEDS, ""))
            if unknown:
                self.problem(
                    line,
                    NEEDS,
                    f"{', '.join(repr(u) for u in unknown)}: not a need type ({NEED_CODES})",
                )
            low = self.number(line, AGE_LOW, cells.get(AGE_LOW, ""), MAX_AGE)
            high = self.number(line, AGE_HIGH, cells.get(AGE_HIGH, ""), MAX_AGE)
            if low is not None and high is not None and low > high:
                self.problem(line, AGE_HIGH, f"{high} is below the youngest age, {low}")
            places = self.number(line, PLACES, cells.get(PLACES, ""))
            on_roll = self.number(line, ON_ROLL, cells.get(ON_ROLL, ""))
            if len(self.problems) == before and kind is not None:
                values = PlaceValues(
                    kind=kind,
                    need_types=needs,
                    age_low=low,
                    age_high=high,
                    places=places,
                    on_roll=on_roll,
                )
                found.append((line, URN if cells.get(URN) else UKPRN, reference, values))
        return found


def _read(source: IO[bytes], file_name: str) -> _Rows:
    if file_name.lower().endswith(".xlsx"):
        header, records = _xlsx_records(source, file_name)
        rows = _Rows(file_name, header)
        for count, (line, cells) in enumerate(records):
            if count >= MAX_ROWS:
                rows.problem(line, None, f"the spreadsheet has more than {MAX_ROWS} rows")
                break
            rows.add(line, cells)
        return rows
    with open_csv(source, file_name=file_name, required=REQUIRED) as csv_file:
        rows = _Rows(file_name, csv_file.header)
        try:
            for count, (line, record) in enumerate(csv_file.records()):
                if count >= MAX_ROWS:
                    rows.problem(line, None, f"the file has more than {MAX_ROWS} rows")
                    break
                if problem := csv_file.width_problem(line, record):
                    rows.problems.append(problem)
                    continue
                rows.add(line, record)
        except csv.Error as exc:
            raise FileRejected([FileProblem(file_name, f"cannot read the CSV: {exc}")]) from exc
        return rows


def upload_plan(
    *, plan: InclusionPlan, source: IO[bytes], file_name: str, actor: User | None
) -> UploadReport:
    """Replace the draft's specialist places with the spreadsheet's rows: all or nothing."""
    report = UploadReport(file_name=file_name)
    try:
        rows = _read(source, file_name)
    except FileRejected as exc:
        report.problems = exc.problems
        return report
    entries = rows.entries()
    references = {reference for _, _, reference, _ in entries}
    providers: dict[str, Provider] = {}
    for provider in Provider.objects.filter(urn__in=references):
        providers[provider.urn or ""] = provider
    for provider in Provider.objects.filter(ukprn__in=references - set(providers)):
        providers[provider.ukprn or ""] = provider
    seen: dict[tuple[int, str], int] = {}
    ready: list[tuple[Provider, PlaceValues]] = []
    for line, column, reference, values in entries:
        found = providers.get(reference)
        if found is None:
            rows.problem(line, column, f"{reference} is not the {column} of a setting we know")
            continue
        key = (found.pk, values.kind)
        if key in seen:
            rows.problem(
                line, KIND, f"the same kind of place at {found.name} is also on row {seen[key]}"
            )
            continue
        seen[key] = line
        ready.append((found, values))
    report.problems = sorted(
        rows.problems,
        key=lambda p: (p.line or 0, REQUIRED.index(p.column) if p.column in REQUIRED else 99),
    )
    if report.problems:
        return report
    try:
        replace_places(plan=plan, entries=ready, actor=actor, file_name=file_name)
    except ValidationError as exc:  # pragma: no cover - every check above comes first
        report.problems = [FileProblem(file_name, "; ".join(exc.messages))]
        return report
    except PlanError as exc:
        report.problems = [FileProblem(file_name, str(exc))]
        return report
    report.added = len(ready)
    return report

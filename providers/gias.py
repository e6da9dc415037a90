"""Parsing the GIAS "all establishment data" extract into compact rows, checking every one.

Nothing here writes to the database: `providers.services.import_gias` applies the result.

Rules (see docs/providers.md):
- Columns are found by header name. Required: URN, EstablishmentName, TypeOfEstablishment (name),
  EstablishmentStatus (name), LA (code). Every other column is optional; a field whose columns
  are absent is left as it is on existing providers and takes its default on new ones.
- Fatal problems (the file is malformed; nothing is imported): an unreadable encoding, a missing
  required column, any row with more or fewer cells than the header has columns (its values
  would land in the wrong columns), and any row with an empty or non-numeric URN, a URN or
  UKPRN already used on another line, an empty name, type, status or LA code, a date not in
  DD-MM-YYYY form, a number that is not a whole number, an age over 99, a StatutoryLowAge
  above the StatutoryHighAge, an Easting or Northing off the British National Grid, or one of
  them without the other. A row with both sets the provider's location (source "gias"); a row
  with neither clears it.
- Skipped rows (counted by reason): types the service does not cover (Welsh establishments,
  British schools overseas …), LA codes that are not English areas, and with `only_area`, rows
  of other areas. Skipped rows are checked only for their URN.
- Rejected rows (counted and named; the rest is imported): a well-formed row whose
  establishment type, status, phase or type of resourced provision is not one we know.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from providers.csvfiles import CsvFile, FileProblem, FileRejected, Source, open_csv
from providers.establishment_types import provider_type_for, skip_reason_for
from providers.gias_columns import (
    CLOSE_DATE,
    EASTING,
    HIGH_AGE,
    LA_CODE,
    LOCALITY,
    LOW_AGE,
    MAX_AGE,
    MAX_EASTING,
    MAX_NORTHING,
    NAME,
    NORTHING,
    NOT_APPLICABLE,
    OPEN_DATE,
    PHASE,
    PHASES,
    POSTCODE,
    REQUIRED_COLUMNS,
    RESOURCED_PROVISION,
    RP_CAPACITY,
    RP_ON_ROLL,
    RP_TYPE,
    SEN_COLUMNS,
    STATUS,
    STATUSES,
    STREET,
    SU_CAPACITY,
    SU_ON_ROLL,
    TOWN,
    TRUST_CODE,
    TRUST_NAME,
    TYPE,
    UKPRN,
    URN,
    WEBSITE,
)
from providers.models import LocationSource

T = TypeVar("T")

SKIP_NOT_ENGLISH = "LA code is not an English local authority area (Wales, overseas, none)"
SKIP_OUTSIDE_AREA = "outside your area"

# The provider fields an import sets, in the order of ProviderRow.values.
FIELDS = (
    "provider_type",
    "name",
    "area_id",
    "trust_id",
    "ukprn",
    "phase",
    "status",
    "establishment_type",
    "street",
    "locality",
    "town",
    "postcode",
    "website",
    "opened_on",
    "closed_on",
    "resourced_provision",
    "resourced_provision_capacity",
    "resourced_provision_on_roll",
    "sen_unit_capacity",
    "sen_unit_on_roll",
    "sen_provision_types",
    "statutory_low_age",
    "statutory_high_age",
    "easting",
    "northing",
    "location_source",
)
# Which columns each optional field comes from: the field is updated only if one is present.
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "trust_id": (TRUST_CODE,),
    "ukprn": (UKPRN,),
    "phase": (PHASE,),
    "street": (STREET,),
    "locality": (LOCALITY,),
    "town": (TOWN,),
    "postcode": (POSTCODE,),
    "website": (WEBSITE,),
    "opened_on": (OPEN_DATE,),
    "closed_on": (CLOSE_DATE,),
    "resourced_provision": (RP_TYPE,),
    "resourced_provision_capacity": (RP_CAPACITY,),
    "resourced_provision_on_roll": (RP_ON_ROLL,),
    "sen_unit_capacity": (SU_CAPACITY,),
    "sen_unit_on_roll": (SU_ON_ROLL,),
    "sen_provision_types": SEN_COLUMNS,
    "statutory_low_age": (LOW_AGE,),
    "statutory_high_age": (HIGH_AGE,),
    # A location is both figures or neither; its source is GIAS when they are given.
    "easting": (EASTING, NORTHING),
    "northing": (EASTING, NORTHING),
    "location_source": (EASTING, NORTHING),
}
MAX_LENGTHS = {
    NAME: 255,
    STREET: 255,
    LOCALITY: 255,
    TOWN: 100,
    POSTCODE: 16,
    WEBSITE: 500,
    TYPE: 100,
    TRUST_CODE: 20,
    TRUST_NAME: 255,
}


class ProviderRow(NamedTuple):
    """One establishment to import. `values` follows FIELDS; trust_id holds the trust's code."""

    line: int
    urn: str
    values: tuple[Any, ...]


@dataclass
class ParsedExtract:
    file_name: str
    rows: list[ProviderRow] = field(default_factory=list)
    present_fields: tuple[str, ...] = ()
    trusts: dict[str, str] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    rejected_lines: dict[str, list[int]] = field(default_factory=dict)
    problems: list[FileProblem] = field(default_factory=list)
    records: int = 0

    def reject(self, reason: str, line: int) -> None:
        self.rejected[reason] += 1
        lines = self.rejected_lines.setdefault(reason, [])
        if len(lines) < 5:
            lines.append(line)


Progress = Callable[[str, int, int], None]


def parse_date(text: str) -> dt.date | None:
    """A GIAS date, DD-MM-YYYY; empty is None. Raises ValueError with the reason."""
    if not text:
        return None
    parts = text.split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
        raise ValueError(f"{text!r} is not a date in the form DD-MM-YYYY")
    day, month, year = (int(part) for part in parts)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def parse_count(text: str) -> int | None:
    """A whole number of places or pupils; empty is None. Raises ValueError with the reason."""
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def parse_extract(
    source: Source,
    *,
    file_name: str,
    area_ids: dict[str, int],
    only_area_code: str | None = None,
    progress: Progress | None = None,
) -> ParsedExtract:
    """Read and check a whole GIAS extract. Raises FileRejected if it cannot be read at all."""
    with open_csv(source, file_name=file_name, required=REQUIRED_COLUMNS) as csv_file:
        return _Parser(csv_file, area_ids, only_area_code, progress).run()


class _Parser:
    def __init__(
        self,
        csv_file: CsvFile,
        area_ids: dict[str, int],
        only_area_code: str | None,
        progress: Progress | None,
    ) -> None:
        self.file = csv_file
        self.area_ids = area_ids
        self.only_area_code = only_area_code
        self.progress = progress
        self.result = ParsedExtract(file_name=csv_file.file_name)
        self.urn_lines: dict[str, int] = {}
        self.ukprn_lines: dict[str, tuple[int, str]] = {}
        idx = csv_file.index
        self.i_urn, self.i_name, self.i_type = idx(URN), idx(NAME), idx(TYPE)
        self.i_status, self.i_la = idx(STATUS), idx(LA_CODE)
        self.i_ukprn, self.i_phase = idx(UKPRN), idx(PHASE)
        self.i_trust_code, self.i_trust_name = idx(TRUST_CODE), idx(TRUST_NAME)
        self.i_street, self.i_locality = idx(STREET), idx(LOCALITY)
        self.i_town, self.i_postcode, self.i_website = idx(TOWN), idx(POSTCODE), idx(WEBSITE)
        self.i_open, self.i_close = idx(OPEN_DATE), idx(CLOSE_DATE)
        self.i_rp_type = idx(RP_TYPE)
        self.counts = [
            (column, idx(column)) for column in (RP_CAPACITY, RP_ON_ROLL, SU_CAPACITY, SU_ON_ROLL)
        ]
        self.i_sen = [i for i in (idx(column) for column in SEN_COLUMNS) if i is not None]
        self.i_low_age, self.i_high_age = idx(LOW_AGE), idx(HIGH_AGE)
        self.i_easting, self.i_northing = idx(EASTING), idx(NORTHING)
        header = set(csv_file.header)
        self.result.present_fields = tuple(
            name
            for name in FIELDS
            if name not in FIELD_COLUMNS or any(c in header for c in FIELD_COLUMNS[name])
        )

    def run(self) -> ParsedExtract:
        try:
            for line, record in self.file.records():
                self.result.records += 1
                if problem := self.file.width_problem(line, record):
                    self.result.problems.append(problem)
                else:
                    self.row(line, record)
                if self.progress and self.result.records % 2000 == 0:
                    self.progress("reading", self.file.bytes_read(), self.file.size)
        except csv.Error as exc:
            raise FileRejected(
                [FileProblem(self.file.file_name, f"cannot read the CSV: {exc}")]
            ) from exc
        if self.progress:
            self.progress("reading", self.file.size, self.file.size)
        return self.result

    def problem(self, line: int, column: str, text: str) -> None:
        self.result.problems.append(FileProblem(self.file.file_name, text, line, column))

    def text(self, record: list[str], index: int | None) -> str:
        return record[index].strip() if index is not None else ""

    def row(self, line: int, record: list[str]) -> None:
        result = self.result
        urn = record[self.i_urn].strip()  # type: ignore[index]
        if not urn:
            self.problem(line, URN, "is empty")
            return
        if not urn.isdigit() or len(urn) > 20:
            self.problem(line, URN, f"{urn!r} is not a URN (a number)")
            return
        if urn in self.urn_lines:
            self.problem(line, URN, f"{urn} is also on line {self.urn_lines[urn]}")
            return
        self.urn_lines[urn] = line

        type_name = record[self.i_type].strip()  # type: ignore[index]
        if not type_name:
            self.problem(line, TYPE, "is empty")
            return
        skip = skip_reason_for(type_name)
        if skip is not None:
            result.skipped[f"not a type the service covers: {skip}"] += 1
            return
        la_code = record[self.i_la].strip()  # type: ignore[index]
        if not la_code:
            self.problem(line, LA_CODE, "is empty")
            return
        area_id = self.area_ids.get(la_code)
        if area_id is None:
            result.skipped[SKIP_NOT_ENGLISH] += 1
            return
        if self.only_area_code is not None and la_code != self.only_area_code:
            result.skipped[SKIP_OUTSIDE_AREA] += 1
            return

        values = self.values(line, record, type_name, area_id)
        if values is None:
            return
        ukprn = values[FIELDS.index("ukprn")]
        if ukprn is not None:
            if ukprn in self.ukprn_lines:
                other_line, other_urn = self.ukprn_lines[ukprn]
                self.problem(line, UKPRN, f"{ukprn} is also on line {other_line} (URN {other_urn})")
                return
            self.ukprn_lines[ukprn] = (line, urn)
        result.rows.append(ProviderRow(line, urn, values))

    def parsed(
        self,
        line: int,
        record: list[str],
        columns: Iterable[tuple[str, int | None]],
        parse: Callable[[str], T],
    ) -> list[T | None]:
        """Each column's value parsed; a value that will not parse is a problem, and None."""
        values: list[T | None] = []
        for column, index in columns:
            try:
                values.append(parse(self.text(record, index)))
            except ValueError as exc:
                self.problem(line, column, str(exc))
                values.append(None)
        return values

    def trust(self, line: int, record: list[str]) -> str | None:
        """The row's trust code, noting the trust's name; a code too long is a problem."""
        trust_code = self.text(record, self.i_trust_code) or None
        if trust_code is None:
            return None
        if len(trust_code) > MAX_LENGTHS[TRUST_CODE]:
            self.problem(line, TRUST_CODE, "is longer than 20 characters")
        else:
            trust_name = self.text(record, self.i_trust_name)[: MAX_LENGTHS[TRUST_NAME]]
            if trust_name or trust_code not in self.result.trusts:
                self.result.trusts[trust_code] = trust_name or trust_code
        return trust_code

    def values(
        self, line: int, record: list[str], type_name: str, area_id: int
    ) -> tuple[Any, ...] | None:
        text = self.text
        before = len(self.result.problems)
        name = record[self.i_name].strip()  # type: ignore[index]
        if not name:
            self.problem(line, NAME, "is empty")
        status_name = record[self.i_status].strip()  # type: ignore[index]
        if not status_name:
            self.problem(line, STATUS, "is empty")
        for column, value in (
            (NAME, name),
            (TYPE, type_name),
            (STREET, text(record, self.i_street)),
            (LOCALITY, text(record, self.i_locality)),
            (TOWN, text(record, self.i_town)),
            (POSTCODE, text(record, self.i_postcode)),
            (WEBSITE, text(record, self.i_website)),
        ):
            if len(value) > MAX_LENGTHS[column]:
                self.problem(line, column, f"is longer than {MAX_LENGTHS[column]} characters")

        ukprn: str | None = text(record, self.i_ukprn) or None
        if ukprn is not None and not (ukprn.isdigit() and len(ukprn) == 8):
            self.problem(line, UKPRN, f"{ukprn!r} is not a UKPRN (8 digits)")

        dates = self.parsed(
            line, record, ((OPEN_DATE, self.i_open), (CLOSE_DATE, self.i_close)), parse_date
        )
        counts = self.parsed(line, record, self.counts, parse_count)
        ages = self.ages(line, record)
        location = self.location(line, record)
        trust_code = self.trust(line, record)
        sen_types: list[str] = []
        for index in self.i_sen:
            value = record[index].strip()
            if value.lower() not in NOT_APPLICABLE and value not in sen_types:
                sen_types.append(value)

        if len(self.result.problems) > before:
            return None
        # Well-formed: now the vocabularies, whose unknown values reject the row.
        provider_type = provider_type_for(type_name)
        status = STATUSES.get(status_name.lower())
        phase_name = text(record, self.i_phase)
        phase = PHASES.get(phase_name.lower())
        rp_name = text(record, self.i_rp_type)
        resourced = RESOURCED_PROVISION.get(rp_name.lower())
        if provider_type is None:
            self.result.reject(f"unknown establishment type {type_name!r}", line)
            return None
        if status is None and status_name:
            self.result.reject(f"unknown establishment status {status_name!r}", line)
            return None
        if phase is None:
            self.result.reject(f"unknown phase of education {phase_name!r}", line)
            return None
        if resourced is None:
            self.result.reject(f"unknown type of resourced provision {rp_name!r}", line)
            return None

        return (
            str(provider_type),
            name,
            area_id,
            trust_code,
            ukprn,
            str(phase),
            str(status),
            type_name,
            text(record, self.i_street),
            text(record, self.i_locality),
            text(record, self.i_town),
            text(record, self.i_postcode),
            text(record, self.i_website),
            dates[0],
            dates[1],
            str(resourced),
            *counts,
            sen_types,
            *ages,
            *location,
        )

    def bounded(
        self, line: int, record: list[str], column: str, index: int | None, top: int, what: str
    ) -> int | None:
        """A whole number from 0 to `top` in this column, or None (blank, or a problem named)."""
        try:
            figure = parse_count(self.text(record, index))
        except ValueError as exc:
            self.problem(line, column, str(exc))
            return None
        if figure is not None and figure > top:
            self.problem(line, column, f"{figure} {what}")
            return None
        return figure

    def ages(self, line: int, record: list[str]) -> tuple[int | None, int | None]:
        """StatutoryLowAge and StatutoryHighAge: whole numbers up to 99, the low not above the high."""
        low, high = (
            self.bounded(line, record, column, index, MAX_AGE, f"is not an age (0 to {MAX_AGE})")
            for column, index in ((LOW_AGE, self.i_low_age), (HIGH_AGE, self.i_high_age))
        )
        if low is not None and high is not None and low > high:
            self.problem(line, HIGH_AGE, f"{high} is below the StatutoryLowAge, {low}")
        return low, high

    def location(self, line: int, record: list[str]) -> tuple[int | None, int | None, str]:
        """Easting and Northing (British National Grid metres): both or neither."""
        easting, northing = (
            self.bounded(line, record, column, index, top, "is not on the British National Grid")
            for column, index, top in (
                (EASTING, self.i_easting, MAX_EASTING),
                (NORTHING, self.i_northing, MAX_NORTHING),
            )
        )
        if (easting is None) != (northing is None):
            missing = NORTHING if northing is None else EASTING
            if self.text(record, self.i_easting if missing == EASTING else self.i_northing) == "":
                self.problem(
                    line,
                    missing,
                    f"is empty, but {EASTING if missing == NORTHING else NORTHING} is not",
                )
            return None, None, LocationSource.UNKNOWN.value
        if easting is None:
            return None, None, LocationSource.UNKNOWN.value
        return easting, northing, LocationSource.GIAS.value

"""What each official statistics file is, and how its rows and cells are read.

Pure Python: no database access. `dashboards.services.import_statistics` does the writing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dashboards.models import SUPPRESSION_CODES, Measure

DATA_DIR = Path(__file__).resolve().parent / "data"
ENGLAND_CODE = "E92000001"
EHCP_URL = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "education-health-and-care-plans"
)
SEN_URL = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "special-educational-needs-in-england"
)


@dataclass(frozen=True)
class DatasetSpec:
    key: str
    title: str
    release: str
    url: str
    file_names: tuple[str, ...]  # the project's copy first, then the name in DfE's release
    measures: Mapping[str, str]  # column (lower case) → Measure
    topic: str | None = None  # the `breakdown_topic` to keep, when the file has one
    census: bool = True  # time periods are academic years counted at the January census
    # Whether the file has national and regional rows; if not, they are added up from counts.
    has_totals: bool = True
    # Percentages calculated from added-up counts: measure → (numerator, denominator).
    derived_percentages: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    publisher: str = "Department for Education"

    def reference(self, time_period: str) -> str:
        return reference_label(time_period, census=self.census)


# caseload.csv's placement columns: EHC plans by the kind of setting attended.
PLACEMENT_COLUMNS: Mapping[str, str] = {
    "mainstream_la_maintained_resourced_provision": Measure.PLACED_RP_LA,
    "mainstream_academy_resourced_provision": Measure.PLACED_RP_ACADEMY,
    "mainstream_free_school_resourced_provision": Measure.PLACED_RP_FREE,
    "mainstream_la_maintained_senunit": Measure.PLACED_UNIT_LA,
    "mainstream_academy_senunit": Measure.PLACED_UNIT_ACADEMY,
    "mainstream_free_school_senunit": Measure.PLACED_UNIT_FREE,
    "special_total": Measure.PLACED_SPECIAL,
    "ap_pru_total": Measure.PLACED_AP,
    "specialist_post_16_institutions": Measure.PLACED_POST16,
}

DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        key="ehcp_caseload",
        title="Education, health and care plans: EHC plans in January",
        release="Reporting year 2025",
        url=EHCP_URL,
        file_names=("ehcp_2025_caseload_all_plans.csv", "caseload.csv"),
        measures={
            "ehcplans": Measure.EHC_PLANS,
            "ehc_plans": Measure.EHC_PLANS,
            **PLACEMENT_COLUMNS,
        },
        topic="All EHC plans",
    ),
    DatasetSpec(
        key="ehcp_timeliness",
        title="Education, health and care plans: new plans issued within 20 weeks",
        release="Reporting year 2025",
        url=EHCP_URL,
        file_names=("ehcp_2025_timeliness_all_plans.csv", "timeliness_20_week.csv"),
        measures={
            "plans_issued_den": Measure.NEW_PLANS,
            "plans_issued_den_ex": Measure.NEW_PLANS_EX,
            "pc_plans_issued_within_20_weeks": Measure.PCT_20_WEEKS,
            "pc_plans_issued_20_weeks_ex": Measure.PCT_20_WEEKS_EX,
        },
        topic="All EHC plans issued",
        census=False,
    ),
    DatasetSpec(
        key="sen_in_england",
        title="Special educational needs in England: pupils by type of SEN provision",
        release="January 2024",
        url=SEN_URL,
        file_names=("sen_in_england_2024_by_local_authority.csv", "sen_by_local_authority.csv"),
        measures={
            "total_pupils": Measure.PUPILS,
            "sen_support": Measure.SEN_SUPPORT,
            "ehc_plan": Measure.SEN_EHC_PLAN,
            "sen_support_percent": Measure.PCT_SEN_SUPPORT,
            "ehc_plan_percent": Measure.PCT_EHC_PLAN,
        },
        has_totals=False,
        derived_percentages={
            Measure.PCT_SEN_SUPPORT: (Measure.SEN_SUPPORT, Measure.PUPILS),
            Measure.PCT_EHC_PLAN: (Measure.SEN_EHC_PLAN, Measure.PUPILS),
        },
    ),
)
DATASET_BY_KEY = {spec.key: spec for spec in DATASETS}


def reference_label(time_period: str, *, census: bool = True) -> str:
    """'202425' → 'January 2025' (the census date of an academic year); '2024' → '2024'."""
    text = (time_period or "").strip()
    if census and len(text) == 6 and text.isdigit():
        return f"January {int(text[:4]) + 1}"
    return text


@dataclass(frozen=True)
class Cell:
    """A figure as published: a value, or a suppression code, or nothing at all."""

    value: Decimal | None = None
    suppression: str = ""
    error: str = ""

    @property
    def present(self) -> bool:
        return self.value is not None or bool(self.suppression)


def read_cell(text: str | None) -> Cell:
    raw = (text or "").strip()
    if not raw:
        return Cell()
    if raw.lower() in SUPPRESSION_CODES:
        return Cell(suppression=raw.lower())
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return Cell(error=f"not a number: {raw!r}")
    if not value.is_finite():
        return Cell(error=f"not a number: {raw!r}")
    return Cell(value=value.quantize(Decimal("0.0001")))


def find_file(spec: DatasetSpec, folder: Path) -> Path | None:
    for name in spec.file_names:
        for candidate in (folder / name, *folder.glob(f"*/{name}")):
            if candidate.is_file():
                return candidate
    return None


def read_rows(data: bytes) -> Iterator[dict[str, str]]:
    """Rows with lower-case column names (DfE's files mix `PC_` and `pc_`); BOM tolerated."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return
    for values in reader:
        if not values:
            continue
        yield dict(zip(header, values, strict=False))

"""Downloading a plan as CSV and XLSX and uploading an edited spreadsheet back."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEvent
from inclusion.models import EntrySource, PlaceKind, SpecialistPlace
from inclusion.services.plans import start_plan
from inclusion.services.spreadsheets import COLUMNS, csv_bytes, upload_plan, xlsx_bytes
from tests.inclusion.plan_factories import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return start_plan(area=world["area"], academic_year=YEAR, actor=None)


def csv_upload(rows, columns=COLUMNS):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8"))


def read_csv(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def snapshot(plan):
    return sorted(
        SpecialistPlace.objects.filter(plan=plan).values_list(
            "provider__urn", "kind", "places", "on_roll", "confirmed"
        )
    )


def test_the_csv_download_has_one_row_per_entry(plan):
    rows = read_csv(csv_bytes(plan=plan))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 6
    unit = next(r for r in rows if r[0] == "700001" and r[3] == "SEN unit")
    assert unit == [
        "700001",
        "",
        "Oak Primary School",
        "SEN unit",
        "ASD; SLCN",
        "4",
        "11",
        "8",
        "6",
        "Yes",
        "No",
    ]


def test_a_downloaded_csv_uploads_back_unchanged_but_confirmed(plan, world):
    data = csv_bytes(plan=plan)
    before = [row[:4] for row in snapshot(plan)]
    report = upload_plan(
        plan=plan, source=io.BytesIO(data), file_name="plan.csv", actor=world["officer"]
    )
    assert report.ok, [str(p) for p in report.problems]
    assert report.added == 5
    assert [row[:4] for row in snapshot(plan)] == before
    assert all(p.confirmed and p.source == EntrySource.UPLOAD for p in plan.places.all())
    event = AuditEvent.objects.get(action="inclusion plan entries uploaded")
    assert event.changes == {"file": "plan.csv", "removed": 5, "added": 5}


def test_a_downloaded_xlsx_uploads_back_with_an_edit(plan, world):
    from inclusion.services.plans import PlanDetails, add_common_setting, update_details

    update_details(plan=plan, details=PlanDetails(send_team_contact="send@example.org"), actor=None)
    add_common_setting(plan=plan, provider=world["plain"], kind="cross_border", note="", actor=None)
    plan.refresh_from_db()
    book = load_workbook(io.BytesIO(xlsx_bytes(plan=plan)))
    assert book.sheetnames == [
        "Specialist places",
        "Summary and contacts",
        "Settings outside the area",
        "About",
    ]
    assert ["SEND team", "send@example.org"] in [
        [c.value for c in r] for r in book["Summary and contacts"]
    ]
    assert [c.value for c in book["Settings outside the area"][2]][:3] == [
        "700005",
        None,
        "Birch Primary School",
    ]
    sheet = book["Specialist places"]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "700002":
            row[7].value = 40
            row[8].value = 45
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    report = upload_plan(plan=plan, source=out, file_name="plan.xlsx", actor=world["officer"])
    assert report.ok, [str(p) for p in report.problems]
    special = plan.places.get(provider__urn="700002")
    assert (special.places, special.on_roll, special.over_capacity) == (40, 45, True)


def test_every_bad_cell_is_named_and_nothing_changes(plan, world):
    before = snapshot(plan)
    rows = [
        ["999999", "", "Nowhere", "SEN unit", "ASD", "4", "11", "5", "5", "", ""],
        ["700001", "", "", "Sausage", "ASD", "4", "11", "5", "5", "", ""],
        ["700001", "", "", "SEN unit", "ASD; XYZ", "11", "4", "-3", "two", "", ""],
        ["", "", "", "Special school", "", "", "", "", "", "", ""],
        ["700002", "", "", "Special school", "", "", "", "", "", "", ""],
        ["700002", "", "", "special_school", "", "", "", "", "", "", ""],
    ]
    report = upload_plan(
        plan=plan, source=csv_upload(rows), file_name="bad.csv", actor=world["officer"]
    )
    assert [str(p) for p in report.problems] == [
        "bad.csv:2: column URN: 999999 is not the URN of a setting we know",
        "bad.csv:3: column Kind: 'Sausage' is not a kind of place (Resourced provision, SEN unit,"
        " Special school, Alternative provision, Specialist post-16 place)",
        "bad.csv:4: column Need types: 'XYZ': not a need type"
        " (ASD, SLCN, MLD, SLD, PMLD, SpLD, SEMH, HI, VI, MSI, PD, OTH)",
        "bad.csv:4: column Oldest age: 4 is below the youngest age, 11",
        "bad.csv:4: column Places commissioned: -3 is negative: it must be 0 or more",
        "bad.csv:4: column Number on roll: 'two' is not a whole number",
        "bad.csv:5: column URN: is empty: give the setting's URN (or its UKPRN)",
        "bad.csv:7: column Kind: the same kind of place at Willow Special School is also on row 6",
    ]
    assert snapshot(plan) == before
    assert not AuditEvent.objects.filter(action="inclusion plan entries uploaded").exists()


def test_missing_columns_are_named(plan):
    columns = [c for c in COLUMNS if c not in ("Kind", "Number on roll")]
    report = upload_plan(plan=plan, source=csv_upload([], columns), file_name="x.csv", actor=None)
    assert [str(p) for p in report.problems] == [
        "x.csv:1: column Kind: required column is missing",
        "x.csv:1: column Number on roll: required column is missing",
    ]


def test_missing_xlsx_columns_and_unreadable_files_are_named(plan):
    book = Workbook()
    book.active.append(["URN", "Kind"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    report = upload_plan(plan=plan, source=out, file_name="x.xlsx", actor=None)
    assert "x.xlsx:1: column UKPRN: required column is missing" in [str(p) for p in report.problems]
    report = upload_plan(
        plan=plan, source=io.BytesIO(b"not a workbook"), file_name="y.xlsx", actor=None
    )
    assert [str(p) for p in report.problems] == [
        "y.xlsx: cannot read the spreadsheet: save it as .xlsx or .csv"
    ]
    assert plan.places.count() == 5


def test_a_setting_can_be_named_by_ukprn_and_outside_the_area(plan, world):
    from tests.providers.factories import AreaFactory, ProviderFactory

    ProviderFactory(area=AreaFactory(), urn=None, ukprn="10099999", name="Far College")
    rows = [["", "10099999", "", "Specialist post-16 place", "PD", "16", "25", "10", "", "", ""]]
    report = upload_plan(plan=plan, source=csv_upload(rows), file_name="p.csv", actor=None)
    assert report.ok, [str(p) for p in report.problems]
    place = plan.places.get()
    assert (place.kind, place.inside_area, place.on_roll) == (
        PlaceKind.SPECIALIST_POST16,
        False,
        None,
    )


def test_formulas_are_written_as_text(plan, world):
    world["unit"].name = "=HYPERLINK(1)"
    world["unit"].save()
    rows = read_csv(csv_bytes(plan=plan))
    assert any(r[2] == "'=HYPERLINK(1)" for r in rows)

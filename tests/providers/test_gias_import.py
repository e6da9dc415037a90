import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent
from providers.gias import SKIP_NOT_ENGLISH, SKIP_OUTSIDE_AREA
from providers.management.commands.import_gias import Command as ImportGias
from providers.models import Provider, Trust
from providers.selectors import area_by_code
from providers.services import import_gias
from tests.providers.builders import (
    HEADER_2024,
    SAMPLE,
    edit_cells,
    establishment,
    gias_bytes,
    write_gias,
)
from tests.providers.factories import ProviderFactory, ProviderLinkFactory

pytestmark = pytest.mark.django_db


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_gias", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path, *args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_gias", str(path), *args, stdout=out, stderr=err)
    return str(caught.value), err.getvalue()


def importing(rows, **kw):
    return import_gias(source=io.BytesIO(gias_bytes(rows, **kw)), file_name="upload.csv")


# --- the real sample -------------------------------------------------------------------


def test_real_sample_file(areas):
    out, _ = run(SAMPLE)
    lines = out.splitlines()
    assert lines[0] == "created: 7 updated: 0 unchanged: 0 skipped: 1 rejected: 0"
    assert "skipped: not a type the service covers: British school overseas: 1" in out
    assert Provider.objects.count() == 7
    assert not Provider.objects.filter(urn="150516").exists()  # Dubai

    aldgate = Provider.objects.get(urn="100000")
    assert aldgate.name == "The Aldgate School"
    assert aldgate.provider_type == "mainstream_school"
    assert aldgate.area.code == "201"
    assert (aldgate.phase, aldgate.status, aldgate.ukprn) == ("primary", "open", "10079319")
    assert aldgate.establishment_type == "Voluntary aided school"
    assert (aldgate.street, aldgate.locality, aldgate.town, aldgate.postcode) == (
        "St James's Passage",
        "Duke's Place",
        "London",
        "EC3A 5DE",
    )
    assert aldgate.website == "www.thealdgateschool.org"

    nursery = Provider.objects.get(urn="100004")
    assert nursery.provider_type == "maintained_nursery_school"
    assert (nursery.status, nursery.closed_on) == ("closed", dt.date(1992, 8, 31))

    fairley = Provider.objects.get(urn="101173")
    assert fairley.provider_type == "special_school"
    assert fairley.sen_provision_types == ["SpLD - Specific Learning Difficulty"]
    assert fairley.opened_on == dt.date(1982, 5, 13)

    closed_special = Provider.objects.get(urn="101077")
    # "Not Applicable" in SEN1 is not a type of need.
    assert closed_special.sen_provision_types == ["SpLD - Specific Learning Difficulty"]

    academy = Provider.objects.get(urn="137666")
    assert academy.trust.code == "3104"
    assert academy.trust.name == "THE FIRST FEDERATION TRUST"

    westbury = Provider.objects.get(urn="126370")
    assert westbury.status == "proposed_to_close"
    assert westbury.closed_on == dt.date(2024, 7, 31)
    assert Trust.objects.count() == 2


def test_running_the_same_file_again_changes_nothing(areas):
    run(SAMPLE)
    before = {p.urn: p.updated_at for p in Provider.objects.all()}
    out, _ = run(SAMPLE)
    assert out.splitlines()[0] == "created: 0 updated: 0 unchanged: 7 skipped: 1 rejected: 0"
    assert {p.urn: p.updated_at for p in Provider.objects.all()} == before


# --- encodings --------------------------------------------------------------------------


def test_windows_1252_names(areas, tmp_path):
    rows = [
        establishment(URN="999001", EstablishmentName="St Mary’s C of E Primary School"),
        establishment(URN="999002", EstablishmentName="Ysgol Gymraeg Llundain – Café"),
    ]
    path = write_gias(tmp_path, rows, encoding="cp1252")
    assert "’".encode("cp1252") in path.read_bytes()
    run(path)
    assert Provider.objects.get(urn="999001").name == "St Mary’s C of E Primary School"
    assert Provider.objects.get(urn="999002").name == "Ysgol Gymraeg Llundain – Café"


def test_utf8_with_byte_order_mark(areas, tmp_path):
    rows = [establishment(EstablishmentName="St Mary’s School")]
    path = write_gias(tmp_path, rows, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    out, _ = run(path)
    assert out.startswith("created: 1 ")
    assert Provider.objects.get().name == "St Mary’s School"


def test_a_file_that_is_neither_utf8_nor_windows_1252_is_refused(areas, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(gias_bytes([establishment()]) + b"\x81\x8d\x90")
    message, err = run_failing(path)
    assert f"{path}:3: cannot read the file: it is neither UTF-8 nor Windows-1252" in err
    assert "nothing was imported" in message
    assert not Provider.objects.exists()


@pytest.mark.parametrize("chunk", [None, 16])
def test_an_undecodable_byte_is_placed_by_line_and_column(areas, monkeypatch, chunk):
    if chunk:  # the place is right across the chunks the file is read in
        monkeypatch.setattr("providers.csvfiles.CHUNK", chunk)
    rows = [establishment(URN="999001"), establishment(URN="999002", Street="1 School\x81Lane")]
    data = gias_bytes(rows, encoding="latin-1")
    column = data.split(b"\r\n")[2].index(b"\x81") + 1
    report = import_gias(source=io.BytesIO(data), file_name="upload.csv")
    assert [str(e) for e in report.errors] == [
        "upload.csv:3: cannot read the file: it is neither UTF-8 nor Windows-1252 text"
        f" (byte 0x81 at line 3, column {column})"
    ]


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")],
)
def test_a_utf16_file_is_refused_as_such(areas, encoding, name):
    report = importing([establishment()], encoding=encoding)
    assert [str(e) for e in report.errors] == [
        f"upload.csv: cannot read the file: it is {name} text; save it as CSV in UTF-8"
        " or Windows-1252 (in Excel: CSV UTF-8 (Comma delimited))"
    ]
    assert not Provider.objects.exists()


# --- all or nothing ---------------------------------------------------------------------


def test_missing_required_column_changes_nothing(areas, tmp_path):
    ProviderFactory(urn="999001", name="Old name", area=area_by_code("213"))
    path = write_gias(
        tmp_path,
        [establishment(EstablishmentName="New name")],
        drop=("EstablishmentStatus (name)",),
    )
    message, err = run_failing(path)
    assert f"{path}:1: column EstablishmentStatus (name): required column is missing" in err
    assert message == f"{path}: 1 problem; nothing was imported"
    assert Provider.objects.get().name == "Old name"


def test_bad_date_names_file_line_and_column_and_changes_nothing(areas, tmp_path):
    rows = [
        establishment(URN="999001"),
        establishment(URN="999002", OpenDate="31/02/2024"),
        establishment(URN="999003", CloseDate="31-02-2024"),
    ]
    path = write_gias(tmp_path, rows)
    message, err = run_failing(path)
    assert f"{path}:3: column OpenDate: '31/02/2024' is not a date in the form DD-MM-YYYY" in err
    assert f"{path}:4: column CloseDate: '31-02-2024' is not a real date" in err
    assert message == f"{path}: 2 problems; nothing was imported"
    assert not Provider.objects.exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"URN": ""}, "column URN: is empty"),
        ({"URN": "12A"}, "column URN: '12A' is not a URN (a number)"),
        (
            {"ResourcedProvisionCapacity": "ten"},
            "column ResourcedProvisionCapacity: 'ten' is not a whole number",
        ),
        ({"SenUnitOnRoll": "-3"}, "column SenUnitOnRoll: '-3' is not a whole number"),
        ({"UKPRN": "1234"}, "column UKPRN: '1234' is not a UKPRN (8 digits)"),
        ({"EstablishmentName": ""}, "column EstablishmentName: is empty"),
        ({"EstablishmentStatus (name)": ""}, "column EstablishmentStatus (name): is empty"),
        ({"LA (code)": ""}, "column LA (code): is empty"),
        ({"TypeOfEstablishment (name)": ""}, "column TypeOfEstablishment (name): is empty"),
        ({"Postcode": "X" * 17}, "column Postcode: is longer than 16 characters"),
    ],
)
def test_unparseable_rows_are_fatal(areas, row, expected):
    report = importing([establishment(URN="999009"), establishment(**row)])
    assert not report.ok
    assert [str(e) for e in report.errors] == [f"upload.csv:3: {expected}"]
    assert not Provider.objects.exists()


def test_duplicate_urn_and_ukprn_in_one_file_are_fatal(areas):
    report = importing(
        [
            establishment(URN="999001", UKPRN="10000001"),
            establishment(URN="999001"),
            establishment(URN="999002", UKPRN="10000001"),
        ]
    )
    assert [str(e) for e in report.errors] == [
        "upload.csv:3: column URN: 999001 is also on line 2",
        "upload.csv:4: column UKPRN: 10000001 is also on line 2 (URN 999001)",
    ]
    assert not Provider.objects.exists()


def test_a_ukprn_held_by_another_provider_is_fatal(areas):
    ProviderFactory(urn="888001", ukprn="10000001")
    report = importing([establishment(URN="999001", UKPRN="10000001")])
    assert [str(e) for e in report.errors] == [
        "upload.csv:2: column UKPRN: 10000001 already belongs to another provider (URN 888001)"
    ]
    assert not Provider.objects.filter(urn="999001").exists()


def test_a_ukprn_may_move_when_the_file_moves_it(areas):
    ProviderFactory(urn="888001", ukprn="10000001", area=area_by_code("213"))
    report = importing(
        [
            establishment(URN="888001", UKPRN="10000002"),
            establishment(URN="999001", UKPRN="10000001"),
        ]
    )
    assert report.ok, report.errors
    assert Provider.objects.get(urn="999001").ukprn == "10000001"


STREET = HEADER_2024.index("Street")


@pytest.mark.parametrize(
    ("edit", "cells"),
    [
        (lambda cells: cells.insert(STREET + 1, b"Flat 1"), 141),
        (lambda cells: cells.pop(STREET), 139),
        (lambda cells: cells.pop(), 139),
    ],
)
def test_a_row_with_more_or_fewer_cells_than_the_header_is_fatal(areas, tmp_path, edit, cells):
    ProviderFactory(urn="999001", name="Old name", area=area_by_code("213"))
    rows = [establishment(URN="999001", EstablishmentName="New name"), establishment(URN="999002")]
    path = tmp_path / "gias.csv"
    path.write_bytes(edit_cells(gias_bytes(rows), 3, edit))
    message, err = run_failing(path)
    assert err.splitlines() == [f"{path}:3: has {cells} cells but the header has 140 columns"]
    assert message == f"{path}: 1 problem; nothing was imported"
    assert list(Provider.objects.values_list("urn", "name")) == [("999001", "Old name")]


def test_every_problem_is_listed_by_the_command(areas, tmp_path):
    rows = [establishment(URN=str(999000 + n), OpenDate="2024-01-01") for n in range(5)]
    path = write_gias(tmp_path, rows)
    message, err = run_failing(path)
    assert len(err.strip().splitlines()) == 5
    assert message == f"{path}: 5 problems; nothing was imported"


# --- skipped and rejected ---------------------------------------------------------------


def test_welsh_overseas_and_other_areas_are_skipped_and_counted(areas, tmp_path):
    rows = [
        establishment(URN="999001"),
        establishment(
            URN="999002",
            **{"LA (code)": "660", "TypeOfEstablishment (name)": "Welsh establishment"},
        ),
        establishment(URN="999003", **{"LA (code)": "673"}),  # a Welsh LA code on an English type
        establishment(
            URN="999004",
            **{"LA (code)": "000", "TypeOfEstablishment (name)": "British schools overseas"},
        ),
        establishment(
            URN="999005",
            **{"LA (code)": "702", "TypeOfEstablishment (name)": "Service children's education"},
        ),
        establishment(URN="999006", **{"LA (code)": "909"}),  # pre-2023 Cumbria
        establishment(
            URN="999007", **{"TypeOfEstablishment (name)": "Higher education institutions"}
        ),
    ]
    out, _ = run(write_gias(tmp_path, rows))
    assert out.splitlines()[0] == "created: 1 updated: 0 unchanged: 0 skipped: 6 rejected: 0"
    assert f"skipped: {SKIP_NOT_ENGLISH}: 2" in out
    assert "skipped: not a type the service covers: Welsh establishment: 1" in out
    assert "skipped: not a type the service covers: British school overseas: 1" in out
    assert (
        "skipped: not a type the service covers: service children's education (overseas): 1" in out
    )
    assert "skipped: not a type the service covers: higher education institution: 1" in out
    assert list(Provider.objects.values_list("urn", flat=True)) == ["999001"]


def test_skipped_rows_are_checked_only_for_their_urn(areas):
    report = importing([establishment(URN="999002", OpenDate="nonsense", **{"LA (code)": "660"})])
    assert report.ok
    assert report.skipped_total == 1


def test_unknown_types_and_vocabularies_are_rejected_by_name(areas, tmp_path):
    rows = [
        establishment(URN="999001"),
        establishment(URN="999002", **{"TypeOfEstablishment (name)": "Hover school"}),
        establishment(URN="999003", **{"TypeOfEstablishment (name)": "Hover school"}),
        establishment(URN="999004", **{"EstablishmentStatus (name)": "Sleeping"}),
        establishment(URN="999005", **{"PhaseOfEducation (name)": "Tertiary"}),
        establishment(URN="999006", **{"TypeOfResourcedProvision (name)": "Pod"}),
    ]
    out, _ = run(write_gias(tmp_path, rows))
    assert out.splitlines()[0] == "created: 1 updated: 0 unchanged: 0 skipped: 0 rejected: 5"
    assert "rejected: unknown establishment type 'Hover school': 2 (lines 3, 4)" in out
    assert "rejected: unknown establishment status 'Sleeping': 1 (lines 5)" in out
    assert "rejected: unknown phase of education 'Tertiary': 1 (lines 6)" in out
    assert "rejected: unknown type of resourced provision 'Pod': 1 (lines 7)" in out


@pytest.mark.parametrize(
    ("type_name", "provider_type"),
    [
        ("Community school", "mainstream_school"),
        ("Academy sponsor led", "mainstream_school"),
        ("Free schools", "mainstream_school"),
        ("Other independent school", "mainstream_school"),
        ("Community special school", "special_school"),
        ("Non-maintained special school", "special_school"),
        ("Other independent special school", "special_school"),
        ("Academy special converter", "special_school"),
        ("Pupil referral unit", "alternative_provision"),
        ("Academy alternative provision converter", "alternative_provision"),
        ("Free schools alternative provision", "alternative_provision"),
        ("Local authority nursery school", "maintained_nursery_school"),
        ("Further education", "further_education_college"),
        ("Sixth form centres", "further_education_college"),
        ("Academy 16-19 converter", "further_education_college"),
        ("Academy 16 to 19 sponsor led", "further_education_college"),
        ("Free schools 16 to 19", "further_education_college"),
        ("Special post 16 institution", "independent_specialist_provider"),
    ],
)
def test_establishment_types_map_to_provider_types(areas, type_name, provider_type):
    report = importing([establishment(**{"TypeOfEstablishment (name)": type_name})])
    assert report.created == 1, report.reason_lines()
    assert Provider.objects.get().provider_type == provider_type


# --- updates ----------------------------------------------------------------------------


def test_a_newer_file_updates_name_status_and_closure(areas, tmp_path):
    run(write_gias(tmp_path, [establishment(URN="999001"), establishment(URN="999002")], "old.csv"))
    newer = [
        establishment(URN="999001", EstablishmentName="Renamed Primary School"),
        establishment(
            URN="999002",
            CloseDate="31-08-2025",
            **{"EstablishmentStatus (name)": "Closed"},
        ),
        establishment(URN="999003", **{"EstablishmentStatus (name)": "Proposed to open"}),
    ]
    out, _ = run(write_gias(tmp_path, newer, "new.csv"))
    assert out.splitlines()[0] == "created: 1 updated: 2 unchanged: 0 skipped: 0 rejected: 0"
    assert Provider.objects.get(urn="999001").name == "Renamed Primary School"
    closed = Provider.objects.get(urn="999002")
    assert (closed.status, closed.closed_on) == ("closed", dt.date(2025, 8, 31))
    assert Provider.objects.get(urn="999003").status == "proposed_to_open"


def test_columns_absent_from_the_file_are_fine_and_left_alone(areas):
    full = establishment(
        UKPRN="10000001",
        **{
            "SEN1 (name)": "ASD - Autistic Spectrum Disorder",
            "TypeOfResourcedProvision (name)": "SEN unit",
            "SenUnitCapacity": "12",
            "Trusts (code)": "4001",
            "Trusts (name)": "Test Trust",
        },
    )
    assert importing([full]).created == 1
    minimal = [
        "URN",
        "EstablishmentName",
        "TypeOfEstablishment (name)",
        "EstablishmentStatus (name)",
        "LA (code)",
    ]
    report = importing([establishment(EstablishmentName="Renamed")], columns=minimal)
    assert (report.updated, report.errors) == (1, [])
    provider = Provider.objects.get()
    assert provider.name == "Renamed"
    assert provider.ukprn == "10000001"
    assert provider.sen_provision_types == ["ASD - Autistic Spectrum Disorder"]
    assert (provider.resourced_provision, provider.sen_unit_capacity) == ("sen_unit", 12)
    assert provider.trust.code == "4001"
    assert (provider.opened_on, provider.street) == (dt.date(1990, 9, 1), "1 School Lane")


def test_a_file_without_optional_columns_creates_with_defaults(areas):
    minimal = [
        "URN",
        "EstablishmentName",
        "TypeOfEstablishment (name)",
        "EstablishmentStatus (name)",
        "LA (code)",
    ]
    report = importing([establishment()], columns=minimal)
    assert report.created == 1
    provider = Provider.objects.get()
    assert (provider.phase, provider.resourced_provision, provider.sen_provision_types) == (
        "not_applicable",
        "none",
        [],
    )


def test_trusts_are_created_and_renamed(areas):
    row = establishment(**{"Trusts (code)": "4001", "Trusts (name)": "Old Trust"})
    importing([row])
    report = importing([{**row, "Trusts (name)": "New Trust"}])
    assert Trust.objects.get(code="4001").name == "New Trust"
    assert "trusts: created: 0 updated: 1" in report.reason_lines()
    assert report.unchanged == 1  # the provider itself did not change
    report = importing([{**row, "Trusts (code)": "4002", "Trusts (name)": "Other Trust"}])
    assert report.updated == 1
    assert Provider.objects.get().trust.code == "4002"


def test_resourced_provision_and_sen_types(areas):
    report = importing(
        [
            establishment(
                URN="999001",
                **{
                    "TypeOfResourcedProvision (name)": "Resourced provision and SEN unit",
                    "ResourcedProvisionCapacity": "20",
                    "ResourcedProvisionOnRoll": "18",
                    "SenUnitCapacity": "8",
                    "SenUnitOnRoll": "0",
                    "SEN1 (name)": "ASD - Autistic Spectrum Disorder",
                    "SEN2 (name)": "SLCN - Speech, language and Communication",
                    "SEN3 (name)": "Not Applicable",
                    "SEN13 (name)": "ASD - Autistic Spectrum Disorder",
                },
            ),
            establishment(
                URN="999002", **{"TypeOfResourcedProvision (name)": "Resourced provision"}
            ),
            establishment(URN="999003", **{"TypeOfResourcedProvision (name)": "SEN unit"}),
            establishment(URN="999004", **{"TypeOfResourcedProvision (name)": ""}),
        ]
    )
    assert report.created == 4
    both = Provider.objects.get(urn="999001")
    assert both.resourced_provision == "both"
    assert (
        both.resourced_provision_capacity,
        both.resourced_provision_on_roll,
        both.sen_unit_capacity,
        both.sen_unit_on_roll,
    ) == (20, 18, 8, 0)
    assert both.sen_provision_types == [
        "ASD - Autistic Spectrum Disorder",
        "SLCN - Speech, language and Communication",
    ]
    kinds = dict(Provider.objects.values_list("urn", "resourced_provision"))
    assert kinds == {
        "999001": "both",
        "999002": "resourced_provision",
        "999003": "sen_unit",
        "999004": "none",
    }


def test_sen_columns_may_be_absent_in_part(areas):
    columns = [c for c in establishment() if True] + ["SEN1 (name)", "SEN2 (name)"]
    row = establishment(**{"SEN2 (name)": "HI - Hearing Impairment"})
    assert importing([row], columns=list(dict.fromkeys(columns))).created == 1
    assert Provider.objects.get().sen_provision_types == ["HI - Hearing Impairment"]


def test_column_order_does_not_matter(areas):
    columns = list(reversed(establishment().keys()))
    assert importing([establishment()], columns=columns).created == 1
    assert Provider.objects.get().area.code == "213"


# --- an area officer's upload -----------------------------------------------------------


def test_only_area_skips_other_areas(areas):
    westminster = area_by_code("213")
    rows = [
        establishment(URN="999001"),
        establishment(URN="999002", **{"LA (code)": "202"}),
        establishment(
            URN="999003",
            **{"LA (code)": "660", "TypeOfEstablishment (name)": "Welsh establishment"},
        ),
    ]
    report = import_gias(
        source=io.BytesIO(gias_bytes(rows)), file_name="upload.csv", only_area=westminster
    )
    assert report.ok
    assert (report.created, report.skipped[SKIP_OUTSIDE_AREA]) == (1, 1)
    assert list(Provider.objects.values_list("urn", flat=True)) == ["999001"]


def test_only_area_cannot_take_over_another_areas_provider(areas):
    ProviderFactory(urn="999001", name="Camden school", area=area_by_code("202"))
    report = import_gias(
        source=io.BytesIO(gias_bytes([establishment(URN="999001", EstablishmentName="Mine")])),
        file_name="upload.csv",
        only_area=area_by_code("213"),
    )
    assert report.rejected["URN belongs to a provider in another area"] == 1
    assert Provider.objects.get().name == "Camden school"


def test_dry_run_counts_but_changes_nothing(areas):
    report = import_gias(
        source=io.BytesIO(
            gias_bytes([establishment(**{"Trusts (code)": "1", "Trusts (name)": "T"})])
        ),
        file_name="upload.csv",
        dry_run=True,
    )
    assert (report.ok, report.created) == (True, 1)
    assert not Provider.objects.exists()
    assert not Trust.objects.exists()


def test_summary_line_and_report_fields(areas):
    report = importing([establishment(), establishment(URN="999002", **{"LA (code)": "660"})])
    assert report.summary_line() == "created: 1 updated: 0 unchanged: 0 skipped: 1 rejected: 0"
    assert (report.ok, report.skipped_total, report.rejected_total) == (True, 1, 0)


def test_new_providers_resolve_dangling_links(areas):
    old = ProviderFactory(urn="888001", area=area_by_code("213"))
    link = ProviderLinkFactory(provider=old, linked_provider=None, linked_urn="999001")
    importing([establishment(URN="999001")])
    link.refresh_from_db()
    assert link.linked_provider.urn == "999001"


def test_blank_lines_are_ignored(areas):
    data = gias_bytes([establishment()]) + b"\r\n\r\n"
    report = import_gias(source=io.BytesIO(data), file_name="upload.csv")
    assert (report.ok, report.created) == (True, 1)


def test_an_empty_file_is_refused(areas):
    report = import_gias(source=io.BytesIO(b""), file_name="empty.csv")
    assert [str(e) for e in report.errors] == ["empty.csv: the file is empty"]


def test_a_missing_file_is_refused(areas, tmp_path):
    _, err = run_failing(tmp_path / "nope.csv")
    assert "cannot open the file" in err


def test_two_providers_may_swap_ukprns(areas):
    westminster = area_by_code("213")
    ProviderFactory(urn="999001", ukprn="10000001", area=westminster)
    ProviderFactory(urn="999002", ukprn="10000002", area=westminster)
    report = importing(
        [
            establishment(URN="999001", UKPRN="10000002"),
            establishment(URN="999002", UKPRN="10000001"),
        ]
    )
    assert (report.ok, report.updated) == (True, 2), report.errors
    assert dict(Provider.objects.values_list("urn", "ukprn")) == {
        "999001": "10000002",
        "999002": "10000001",
    }


def test_a_newer_file_changes_and_clears_sen_details(areas):
    sen = {
        "TypeOfResourcedProvision (name)": "SEN unit",
        "SenUnitCapacity": "10",
        "SenUnitOnRoll": "9",
        "SEN1 (name)": "HI - Hearing Impairment",
    }
    importing([establishment(**sen)])
    newer = {
        "TypeOfResourcedProvision (name)": "Not applicable",
        "SEN1 (name)": "VI - Visual Impairment",
        "SEN2 (name)": "HI - Hearing Impairment",
    }
    assert importing([establishment(**newer)]).updated == 1
    provider = Provider.objects.get()
    assert (
        provider.resourced_provision,
        provider.sen_unit_capacity,
        provider.sen_unit_on_roll,
    ) == (
        "none",
        None,
        None,
    )
    assert provider.sen_provision_types == ["VI - Visual Impairment", "HI - Hearing Impairment"]


def test_progress_is_reported_while_reading_and_saving(areas):
    seen = []
    rows = [establishment(URN=str(990000 + n)) for n in range(4001)]
    import_gias(
        source=io.BytesIO(gias_bytes(rows)),
        file_name="upload.csv",
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert any(stage == "reading" and done > 0 for stage, done, _ in seen)
    assert seen[-1] == ("saving", 4001, 4001)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_plain_text_on_a_terminal(areas, tmp_path):
    err = Terminal()
    # As from the command line: the command's own stderr, styled for errors on a terminal.
    command = ImportGias(stdout=io.StringIO(), stderr=err, force_color=True)
    call_command(command, str(write_gias(tmp_path, [establishment()])))
    assert "reading  [" in err.getvalue()
    assert "\x1b[" not in err.getvalue()  # not styled (bold red) as an error


def test_no_progress_bar_unless_on_a_terminal(areas, tmp_path):
    _, err = run(write_gias(tmp_path, [establishment()]))
    assert err == ""


# --- the audit trail --------------------------------------------------------------------


def provider_events():
    return {
        (event.action, event.object_id): event.changes
        for event in AuditEvent.objects.filter(object_type="providers.provider").exclude(
            object_id=""  # the summary of a file
        )
    }


def test_each_provider_created_or_updated_is_audited_with_before_and_after(areas, tmp_path):
    row = establishment(URN="999001", **{"Trusts (code)": "4001", "Trusts (name)": "T"})
    run(write_gias(tmp_path, [row, establishment(URN="999002")], "old.csv"))
    first, second = Provider.objects.order_by("urn")
    created = provider_events()[("provider created by GIAS import", str(first.pk))]
    assert created["file"] == str(tmp_path / "old.csv")
    assert created["fields"]["urn"] == [None, "999001"]
    assert created["fields"]["area"] == [None, "213"]
    assert created["fields"]["trust"] == [None, "4001"]
    assert created["fields"]["opened_on"] == [None, "1990-09-01"]
    assert "closed_on" not in created["fields"]  # empty on a new provider

    newer = [
        {**row, "EstablishmentName": "Renamed"},
        establishment(
            URN="999002", CloseDate="31-08-2025", **{"EstablishmentStatus (name)": "Closed"}
        ),
    ]
    AuditEvent.objects.all().delete()
    run(write_gias(tmp_path, newer, "new.csv"))
    event = AuditEvent.objects.get(object_id=str(first.pk))
    assert (event.action, event.actor, event.actor_label, event.object_label) == (
        "provider updated by GIAS import",
        None,
        "system",
        "Renamed",
    )
    assert event.changes == {
        "file": str(tmp_path / "new.csv"),
        "fields": {"name": ["Test Primary School", "Renamed"]},
    }
    assert provider_events()[("provider updated by GIAS import", str(second.pk))]["fields"] == {
        "status": ["open", "closed"],
        "closed_on": [None, "2025-08-31"],
    }

    AuditEvent.objects.all().delete()
    run(write_gias(tmp_path, newer, "new.csv"))  # unchanged: only the file's summary
    assert provider_events() == {}
    assert AuditEvent.objects.count() == 1


def test_nothing_is_audited_for_a_refused_file_or_a_dry_run(areas, tmp_path):
    importing([establishment(URN="999001"), establishment(URN="999001")])
    run(write_gias(tmp_path, [establishment()]), "--dry-run")
    assert not AuditEvent.objects.exists()


def test_audit_events_are_written_in_batches(areas, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr("providers.services.gias_import.BATCH", 10)
    rows = [establishment(URN=str(990000 + n)) for n in range(25)]
    with django_assert_max_num_queries(15):  # not one INSERT a provider
        assert importing(rows).created == 25
    assert AuditEvent.objects.filter(action="provider created by GIAS import").count() == 25

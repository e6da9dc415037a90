import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from providers.models import ProviderLink
from providers.services import SKIP_UNKNOWN_PROVIDER, import_gias_links
from tests.providers.builders import links_bytes
from tests.providers.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def write(tmp_path, rows, name="links.csv"):
    path = tmp_path / name
    path.write_bytes(links_bytes(rows))
    return path


def run(path):
    out = io.StringIO()
    call_command("import_gias_links", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def schools(db):
    return {urn: ProviderFactory(urn=urn) for urn in ("100001", "100002", "100003")}


def test_links_are_loaded_resolved_and_counted(schools, tmp_path):
    rows = [
        ("100001", "100002", "Newer School", "Successor - merged", "31-08-2021"),
        ("100002", "100001", "Older School", "Predecessor - merged", "31-08-2021"),
        ("100002", "555555", "Lost School", "Predecessor", ""),
        ("100003", "100002", "Newer School", "Result of Amalgamation", "01-09-2021"),
        ("777777", "100001", "Elsewhere", "Successor", ""),
    ]
    out = run(write(tmp_path, rows))
    assert out.splitlines()[0] == "created: 4 updated: 0 unchanged: 0 skipped: 1 rejected: 0"
    assert f"skipped: {SKIP_UNKNOWN_PROVIDER}: 1" in out

    merged = ProviderLink.objects.get(provider=schools["100001"])
    assert (merged.linked_provider, merged.direction, merged.established_on) == (
        schools["100002"],
        "successor",
        dt.date(2021, 8, 31),
    )
    lost = ProviderLink.objects.get(linked_urn="555555")
    assert (lost.linked_provider, lost.direction, lost.established_on) == (
        None,
        "predecessor",
        None,
    )
    assert ProviderLink.objects.get(provider=schools["100003"]).direction == "other"


def test_links_import_is_idempotent_and_updates(schools, tmp_path):
    rows = [("100001", "100002", "Newer", "Successor", "")]
    run(write(tmp_path, rows))
    assert run(write(tmp_path, rows)).startswith("created: 0 updated: 0 unchanged: 1 ")
    changed = [("100001", "100002", "Newer", "Successor", "01-09-2020")]
    assert run(write(tmp_path, changed)).startswith("created: 0 updated: 1 unchanged: 0 ")
    assert ProviderLink.objects.get().established_on == dt.date(2020, 9, 1)


def test_a_linked_urn_that_appears_later_is_resolved_on_the_next_run(schools, tmp_path):
    rows = [("100001", "100009", "Later School", "Successor", "")]
    run(write(tmp_path, rows))
    later = ProviderFactory(urn="100009")
    assert run(write(tmp_path, rows)).startswith("created: 0 updated: 1 ")
    assert ProviderLink.objects.get().linked_provider == later


def test_bad_rows_are_fatal_and_change_nothing(schools, tmp_path):
    rows = [
        ("100001", "100002", "Newer", "Successor", ""),
        ("100001", "", "Nobody", "Successor", ""),
        ("100002", "100001", "Older", "Predecessor", "2021-08-31"),
        ("100001", "100002", "Newer", "Successor", ""),
    ]
    path = write(tmp_path, rows)
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 problems; nothing was imported"):
        call_command("import_gias_links", str(path), stdout=io.StringIO(), stderr=err)
    assert f"{path}:3: column LinkURN: is empty" in err.getvalue()
    assert f"{path}:4: column LinkEstablishedDate: '2021-08-31' is not a date" in err.getvalue()
    assert f"{path}:5: column LinkURN: the link 100001 → 100002 (Successor) is also on line 2" in (
        err.getvalue()
    )
    assert not ProviderLink.objects.exists()


def test_missing_column_is_fatal(schools):
    report = import_gias_links(
        source=io.BytesIO(b"URN,LinkURN\r\n100001,100002\r\n"), file_name="links.csv"
    )
    assert [str(e) for e in report.errors] == [
        "links.csv:1: column LinkType: required column is missing"
    ]


def test_windows_1252_link_names(schools):
    data = links_bytes([("100001", "100002", "St Mary’s", "Successor", "")], encoding="cp1252")
    report = import_gias_links(source=io.BytesIO(data), file_name="links.csv")
    assert (report.ok, report.created) == (True, 1)


@pytest.mark.parametrize(
    ("row", "cells"),
    [
        (b"100001,100002,Newer,Flat 1,Successor,", 6),
        (b"100001,100002,Newer,Successor", 4),
    ],
)
def test_a_row_with_more_or_fewer_cells_than_the_header_is_fatal(schools, row, cells):
    good = links_bytes([("100001", "100003", "Other", "Successor", "")])
    report = import_gias_links(source=io.BytesIO(good + row + b"\r\n"), file_name="links.csv")
    assert [str(e) for e in report.errors] == [
        f"links.csv:3: has {cells} cells but the header has 5 columns"
    ]
    assert not ProviderLink.objects.exists()

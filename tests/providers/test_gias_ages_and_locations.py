"""GIAS's statutory ages and National Grid location, stored on each provider."""

import io

import pytest

from providers.models import LocationSource, Provider
from providers.services import import_gias
from tests.providers.builders import SAMPLE, establishment, gias_bytes

pytestmark = pytest.mark.django_db


def importing(rows, **kw):
    return import_gias(source=io.BytesIO(gias_bytes(rows, **kw)), file_name="upload.csv")


def test_the_real_sample_stores_ages_and_locations(areas):
    report = import_gias(source=SAMPLE, file_name=SAMPLE.name)
    assert report.ok, report.errors
    aldgate = Provider.objects.get(urn="100000")
    assert (aldgate.statutory_low_age, aldgate.statutory_high_age) == (3, 11)
    assert (aldgate.easting, aldgate.northing) == (533498, 181201)
    assert aldgate.location_source == LocationSource.GIAS
    special = Provider.objects.get(urn="101173")
    assert (special.statutory_low_age, special.statutory_high_age) == (5, 16)
    assert special.sen_provision_types == ["SpLD - Specific Learning Difficulty"]


def test_a_row_without_a_location_has_none(areas):
    importing([establishment(StatutoryLowAge="4", StatutoryHighAge="11")])
    school = Provider.objects.get(urn="999001")
    assert (school.statutory_low_age, school.statutory_high_age) == (4, 11)
    assert (school.easting, school.northing, school.location_source) == (None, None, "")


def test_a_newer_file_moves_and_clears_the_location(areas):
    importing([establishment(Easting="530000", Northing="180000")])
    importing([establishment(Easting="530100", Northing="180200")])
    school = Provider.objects.get(urn="999001")
    assert (school.easting, school.northing) == (530100, 180200)
    importing([establishment()])
    school.refresh_from_db()
    assert (school.easting, school.location_source) == (None, LocationSource.UNKNOWN)


def test_a_file_without_the_columns_leaves_them_alone(areas):
    importing(
        [establishment(StatutoryLowAge="4", StatutoryHighAge="11", Easting="1", Northing="2")]
    )
    columns = ["URN", "LA (code)", "EstablishmentName", "TypeOfEstablishment (name)"]
    columns += ["EstablishmentStatus (name)"]
    importing([establishment(EstablishmentName="Renamed")], columns=columns)
    school = Provider.objects.get(urn="999001")
    assert school.name == "Renamed"
    assert (school.statutory_low_age, school.statutory_high_age, school.easting) == (4, 11, 1)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"StatutoryLowAge": "three"}, "column StatutoryLowAge: 'three' is not a whole number"),
        ({"StatutoryHighAge": "120"}, "column StatutoryHighAge: 120 is not an age (0 to 99)"),
        (
            {"StatutoryLowAge": "11", "StatutoryHighAge": "4"},
            "column StatutoryHighAge: 4 is below the StatutoryLowAge, 11",
        ),
        ({"Easting": "530000"}, "column Northing: is empty, but Easting is not"),
        ({"Northing": "180000"}, "column Easting: is empty, but Northing is not"),
        (
            {"Easting": "9000000", "Northing": "180000"},
            "column Easting: 9000000 is not on the British National Grid",
        ),
        ({"Easting": "-5", "Northing": "180000"}, "column Easting: '-5' is not a whole number"),
    ],
)
def test_bad_ages_and_locations_are_named_and_change_nothing(areas, row, expected):
    report = importing([establishment(URN="999009"), establishment(**row)])
    assert [str(e) for e in report.errors] == [f"upload.csv:3: {expected}"]
    assert not Provider.objects.exists()

"""Official statistics: loaded from the project's copies, mapped to areas (changed codes too),
and never shown as zero when DfE does not publish them."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from dashboards.models import OfficialStatistic, StatisticsDataset
from dashboards.official import DATA_DIR, read_cell, reference_label
from dashboards.services import import_statistics
from dashboards.tables import NOT_PUBLISHED, Figure
from providers.models import Area, AreaCodeAlias
from providers.services import import_areas
from tests.dashboards.factories import OfficialStatisticFactory

pytestmark = pytest.mark.django_db

ENGLAND = "E92000001"


def value(measure, period, geo):
    return OfficialStatistic.objects.get(measure=measure, time_period=period, geo_code=geo).value


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """England's 153 areas and every statistics file, loaded once for the module."""
    with django_db_blocker.unblock():
        import_areas()
        reports = import_statistics()
    yield reports
    with django_db_blocker.unblock():
        OfficialStatistic.objects.all().delete()
        StatisticsDataset.objects.all().delete()
        AreaCodeAlias.objects.all().delete()
        from providers.models import IcbAreaCoverage, IcbCodeAlias, IntegratedCareBoard

        IcbAreaCoverage.objects.all().delete()
        IcbCodeAlias.objects.all().delete()
        IntegratedCareBoard.objects.all().delete()
        Area.objects.all().delete()


def test_the_national_check_figures_match_dfe(loaded):
    assert value("ehc_plans", "202425", ENGLAND) == Decimal("638745")
    assert value("pct_20_weeks_ex", "2024", ENGLAND) == Decimal("46.4")
    # England's pupils are added up from the 153 areas' figures, and marked as calculated.
    assert value("pupils", "202324", ENGLAND) == Decimal("9092073")
    assert value("sen_support", "202324", ENGLAND) == Decimal("1238851")
    assert value("sen_ehc_plan", "202324", ENGLAND) == Decimal("434354")
    assert OfficialStatistic.objects.get(measure="pupils", geo_code=ENGLAND).derived
    assert value("pct_ehc_plan", "202324", ENGLAND) == Decimal("4.7773")


def test_every_area_has_its_latest_figures(loaded):
    for measure, period in [
        ("ehc_plans", "202425"),
        ("pct_20_weeks_ex", "2024"),
        ("pct_sen_support", "202324"),
        ("pct_ehc_plan", "202324"),
    ]:
        assert (
            OfficialStatistic.objects.filter(
                measure=measure, time_period=period, level="local_authority"
            ).count()
            == 153
        ), measure


def test_areas_published_under_older_codes_are_found(loaded):
    # DfE publishes North Yorkshire, Somerset and Buckinghamshire under E10 codes; the project
    # holds them too, with ONS's E06 codes as aliases. Buckinghamshire appears under both.
    north_yorkshire = Area.objects.get(code="815")
    assert value("ehc_plans", "202425", "815") > 0
    assert (
        OfficialStatistic.objects.get(
            measure="ehc_plans", time_period="202425", geo_code="815"
        ).area
        == north_yorkshire
    )
    bucks = {
        row.time_period
        for row in OfficialStatistic.objects.filter(measure="ehc_plans", geo_code="825")
    }
    assert {"202021", "202122", "202223", "202425"} <= bucks


def test_rows_of_authorities_that_no_longer_exist_are_reported_and_skipped(loaded):
    caseload = next(r for r in loaded if r.key == "ehcp_caseload")
    assert any("Cumbria" in name for name in caseload.unmapped)
    assert not OfficialStatistic.objects.filter(geo_code__in=["909", "928"]).exists()


def test_suppressed_figures_are_kept_as_codes_not_zero(loaded):
    # Dorset's and the City of London's 2024 timeliness excluding exceptions are "x".
    for code in ("838", "201"):
        figure = OfficialStatistic.objects.get(
            measure="pct_20_weeks_ex", time_period="2024", geo_code=code
        )
        assert (figure.value, figure.suppression) == (None, "x")
        assert Figure(figure.value, figure.suppression, True).text() == NOT_PUBLISHED


def test_a_figure_is_either_a_value_or_a_suppression_code_in_the_database(loaded):
    dataset = StatisticsDataset.objects.first()
    with pytest.raises(IntegrityError):
        OfficialStatisticFactory(
            dataset=dataset,
            measure="ehc_plans",
            time_period="209900",
            geo_code="E92999999",
            value=Decimal("0"),
            suppression="x",
        )


def test_loading_again_changes_nothing(loaded):
    before = OfficialStatistic.objects.count()
    call_command("import_statistics", stdout=io.StringIO())
    assert OfficialStatistic.objects.count() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x", (None, "x")),
        ("c", (None, "c")),
        ("z", (None, "z")),
        ("low", (None, "low")),
        ("LOW", (None, "low")),
        ("0", (Decimal("0"), "")),
        ("1,234", (Decimal("1234"), "")),
        ("12.93132328", (Decimal("12.9313"), "")),
        ("", (None, "")),
    ],
)
def test_cells(text, expected):
    cell = read_cell(text)
    assert (cell.value, cell.suppression) == expected


def test_a_bad_number_is_an_error_not_a_zero():
    assert read_cell("n/a").error


def test_reference_labels():
    assert reference_label("202425") == "January 2025"
    assert reference_label("2024", census=False) == "2024"


def test_the_project_keeps_its_own_copies_with_the_licence():
    readme = (DATA_DIR / "README.md").read_text()
    assert (
        "Contains public sector information licensed under the Open Government Licence v3.0."
        in readme
    )
    assert (DATA_DIR / "ehcp_2025_caseload_all_plans.csv").exists()

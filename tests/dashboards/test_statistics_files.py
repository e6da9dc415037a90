"""Loading official statistics files of other releases and layouts."""

from pathlib import Path

import pytest

from dashboards.models import OfficialStatistic, StatisticsDataset
from dashboards.services import import_statistics
from tests.providers.factories import AreaCodeAliasFactory, AreaFactory

pytestmark = pytest.mark.django_db


def test_a_newer_release_in_another_folder_with_every_code(tmp_path: Path, db):
    """DfE's full file layout: other topics are skipped, codes are read in any case, c/low/z
    kept, and a row known only by its new code is found through the alias."""
    area = AreaFactory(
        code="815",
        gss_code="E10000023",
        name="North Yorkshire",
        region_code="E12000003",
        region_name="Yorkshire and The Humber",
    )
    AreaCodeAliasFactory(area=area, code="E06000065")
    header = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,EHCPLANS\n"
    )
    rows = [
        "202526,Academic year,National,E92000001,England,,,,,,All EHC plans,All EHC plans,700000",
        "202526,Academic year,Local authority,E92000001,England,E12000003,Yorkshire,E06000065,,North Yorkshire,All EHC plans,All EHC plans,c",
        "202526,Academic year,Local authority,E92000001,England,E12000003,Yorkshire,E06000065,,North Yorkshire,Sex,Male,low",
    ]
    (tmp_path / "caseload.csv").write_text("\ufeff" + header + "\n".join(rows) + "\n")
    reports = import_statistics(folder=tmp_path)
    caseload = next(r for r in reports if r.key == "ehcp_caseload")
    assert (caseload.rows_read, caseload.figures, caseload.suppressed) == (2, 2, 1)
    figure = OfficialStatistic.objects.get(measure="ehc_plans", geo_code="815")
    assert (figure.value, figure.suppression, figure.area) == (None, "c", area)
    assert StatisticsDataset.objects.get(key="ehcp_caseload").reference == "January 2026"
    assert [r.missing for r in reports] == [False, True, True]


def test_codes_that_name_two_different_areas_are_skipped(tmp_path: Path, db):
    AreaFactory(code="815", gss_code="E10000023", name="North Yorkshire")
    AreaFactory(code="933", gss_code="E10000027", name="Somerset")
    (tmp_path / "sen_by_local_authority.csv").write_text(
        "time_period,old_la_code,new_la_code,la_name,region_code,region_name,total_pupils\n"
        "202324,815,E10000027,Mixed up,R,R,100\n"
    )
    report = next(r for r in import_statistics(folder=tmp_path) if r.key == "sen_in_england")
    assert report.conflicts and not OfficialStatistic.objects.filter(level="local_authority")

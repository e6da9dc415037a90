"""The local inclusion plan's coverage on the area dashboard: places in the plan by kind
against EHC plans by placement (caseload.csv's placement columns)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.services import grant_role
from dashboards.coverage import area_coverage
from dashboards.models import OfficialStatistic, StatisticsDataset
from dashboards.selectors.common import forget_statistics
from dashboards.services import import_statistics
from inclusion.services.plans import confirm_place, publish_plan, remove_place, start_plan
from providers.models import Area
from providers.services import import_areas
from tests.inclusion.plan_factories import YEAR, gias_area
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db

PASSWORD = "coverage-tests-password-1"


def figure(dataset, area, measure, value, suppression=""):
    OfficialStatistic.objects.create(
        dataset=dataset,
        measure=measure,
        time_period="202425",
        level="local_authority",
        geo_code=area.code,
        area=area,
        value=value,
        suppression=suppression,
    )


@pytest.fixture
def dataset(db):
    return StatisticsDataset.objects.create(
        key="ehcp_caseload",
        title="Education, health and care plans: EHC plans in January",
        publisher="Department for Education",
        release="Reporting year 2025",
        url="https://explore-education-statistics.service.gov.uk/find-statistics/education-health-and-care-plans",
        reference="January 2025",
        file_name="caseload.csv",
        sha256="0" * 64,
    )


@pytest.fixture
def published(db):
    found = gias_area(code="213", name="Westminster")
    plan = start_plan(area=found["area"], academic_year=YEAR, actor=None)
    for place in plan.places.all():
        confirm_place(place=place, actor=None)
    found["plan"] = publish_plan(plan=plan, actor=None)
    return found


def test_import_statistics_loads_the_placement_columns():
    import_areas()
    import_statistics()
    westminster = Area.objects.get(code="213")
    got = dict(
        OfficialStatistic.objects.filter(area=westminster, time_period="202425").values_list(
            "measure", "value"
        )
    )
    # caseload.csv, Westminster, January 2025.
    assert (got["placed_rp_la"], got["placed_rp_academy"], got["placed_rp_free"]) == (42, 49, 7)
    assert (got["placed_unit_la"], got["placed_unit_academy"], got["placed_unit_free"]) == (6, 0, 0)
    assert (got["placed_special"], got["placed_ap"], got["placed_post16"]) == (387, 16, 7)
    assert got["ehc_plans"] > 0  # the total is still loaded


def test_coverage_adds_up_places_and_placements(published, dataset):
    area = published["area"]
    for measure, value in [
        ("placed_rp_la", 42),
        ("placed_rp_academy", 49),
        ("placed_rp_free", 7),
        ("placed_unit_la", 6),
        ("placed_unit_academy", 0),
        ("placed_unit_free", 0),
        ("placed_special", 387),
        ("placed_post16", 7),
    ]:
        figure(dataset, area, measure, value)
    figure(dataset, area, "placed_ap", None, "c")
    coverage = area_coverage(area=area, user=None)
    assert coverage.plan == published["plan"] and coverage.reference == "January 2025"
    rows = {r.kind: r for r in coverage.rows}
    assert (rows["resourced_provision"].places, rows["resourced_provision"].ehc_plans) == (14, 98)
    assert (rows["sen_unit"].places, rows["sen_unit"].ehc_plans) == (8, 6)
    assert (rows["special_school"].settings, rows["special_school"].places_text) == (1, "not known")
    assert rows["special_school"].ehc_plans == 387
    assert rows["alternative_provision"].ehc_text == "not published"
    assert not coverage.can_open_plans
    chart = coverage.chart
    assert chart is not None and "<svg" in chart.svg and 'role="img"' in chart.svg
    assert "Resourced provision: EHC plans placed" in chart.svg
    assert "Specialist places in the local inclusion plan" in chart.description


def test_the_area_dashboard_shows_the_coverage_table_and_chart(client, published, dataset, version):
    figure(dataset, published["area"], "placed_special", 387)
    officer = User.objects.create_user("officer@example.org", PASSWORD)
    grant_role(user=officer, role=Role.AREA_OFFICER, scope=published["area"])
    client.force_login(officer)
    response = client.get("/dashboards/areas/213/")
    assert response.status_code == 200
    body = re.sub(r"\s+", " ", response.content.decode())
    assert "Local inclusion plan coverage" in body
    row = re.search(
        r"<th scope=\"row\" class=\"govuk-table__header\">Special schools</th>(.*?)</tr>", body
    )
    assert row is not None
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    ]
    assert cells == ["1", "not known", "387"]
    assert "Chart: Specialist places in the plan and EHC plans by placement, Westminster" in body
    assert "/areas/213/inclusion-plans/" in body


def test_without_a_plan_the_dashboard_says_so(client, dataset, version):
    area = gias_area(code="213", name="Westminster")["area"]
    coverage = area_coverage(area=area, user=None)
    assert coverage.plan is None and coverage.chart is None
    assert all(r.settings == 0 and r.places == 0 for r in coverage.rows)
    # No placement figures loaded: "no figures", never "not published" nor 0.
    assert {r.ehc_text for r in coverage.rows} == {"no figures"}


def plan_queries(area) -> int:
    with CaptureQueriesContext(connection) as captured:
        area_coverage(area=area, user=None)
    return sum("inclusion_" in q["sql"] for q in captured.captured_queries)


def test_the_coverage_is_kept_where_the_cache_is_shared(published, dataset, cache_shared):
    area = published["area"]
    assert plan_queries(area) > 0
    assert plan_queries(area) == 0


def test_with_a_process_local_cache_the_coverage_is_read_every_time(published, dataset):
    area = published["area"]
    assert plan_queries(area) > 0
    assert plan_queries(area) > 0


def test_a_new_version_of_the_plan_shows_at_once(published, dataset, cache_shared):
    """The coverage is kept in the cache; publishing the next version forgets it."""
    area = published["area"]
    first = area_coverage(area=area, user=None)
    assert first.plan == published["plan"] and first.plan.version == 1
    special = next(r for r in first.rows if r.kind == "special_school")
    assert special.settings == 1

    draft = start_plan(area=area, academic_year=YEAR, actor=None)
    remove_place(place=draft.places.get(kind="special_school"), actor=None)
    second = publish_plan(plan=draft, actor=None)

    now = area_coverage(area=area, user=None)
    assert now.plan == second and now.plan.version == 2
    assert next(r for r in now.rows if r.kind == "special_school").settings == 0
    assert next(r for r in now.table.rows if r["label"] == "Special schools")["settings"] == 0


def test_statistics_loaded_again_show_at_once(published, dataset, cache_shared):
    """Coverage kept from before the statistics were loaded is not used after a load."""
    area = published["area"]
    before = area_coverage(area=area, user=None)
    assert {r.ehc_text for r in before.rows} == {"no figures"}
    figure(dataset, area, "placed_special", 387)
    forget_statistics()  # what loading the statistics does once it has written them
    after = area_coverage(area=area, user=None)
    assert next(r for r in after.rows if r.kind == "special_school").ehc_plans == 387
    assert after.source == dataset


def test_each_area_keeps_its_own_coverage(published, dataset, cache_shared):
    westminster = published["area"]
    other = AreaFactory(code="990", name="Ownshire")
    assert area_coverage(area=westminster, user=None).plan == published["plan"]
    assert area_coverage(area=other, user=None).plan is None
    assert area_coverage(area=westminster, user=None).plan == published["plan"]

"""How many SQL queries each dashboard page makes, once the caches are warm (as on a running
server). A page that starts to make more fails here: see docs/performance.md, "Dashboards
after the restructuring", for what each query is and why the count matters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from dashboards import services
from dashboards.models import Measure
from tests.dashboards.builders import declare, declare_and_score
from tests.dashboards.factories import OfficialStatisticFactory, StatisticsDatasetFactory
from tests.dashboards.test_views import WEAK, signed_in
from tests.mfa import read_unless_shared
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db

# Every signed-in page: the session, the person, and (except where the cache is shared by every
# process and keeps them between requests) their second factor and their roles.
SIGNED_IN = 2 + 2 * read_unless_shared()

# What each page adds to those, with the caches warm:
PAGES = {
    # the area with its aggregate row; overdue actions; trend points; official statistics; and
    # except where the cache is shared and keeps it, the plan coverage: the published plan and
    # the placement figures (see test_coverage.py)
    "area": 4 + 2 * read_unless_shared(),
    # the area with its aggregate row; the page's rows; their count
    "area_providers": 3,
    "area_heatmap": 3,
    # every area's aggregate row; official statistics; the areas
    "national": 3,
    # the chosen areas; their aggregate rows; official statistics; the areas to choose from
    "compare": 4,
    # the board with the areas it covers; their aggregate rows; the board's own declaration
    "icb": 3,
    # the area with its aggregate row; every row of the table
    "area_export_providers_xlsx": 2,
}


@pytest.fixture
def area():
    return AreaFactory(name="Ownshire", code="990", region_code="E12000007", region_name="London")


@pytest.fixture
def other():
    return AreaFactory(name="Northshire", code="991", region_code="E12000001")


@pytest.fixture
def icb(area):
    board = IcbFactory(name="NHS Ownshire ICB")
    IcbAreaCoverageFactory(icb=board, area=area, share="0.7500")
    return board


@pytest.fixture
def figures(version, area, other, icb):
    for n in range(4):
        declare_and_score(ProviderFactory(area=area, name=f"School {n}"), version, WEAK)
    declare_and_score(ProviderFactory(area=other, name="Northern School"), version)
    declare(ProviderFactory(area=area, name="Drafting School"), version, submitted=False)
    OfficialStatisticFactory(area=area)
    OfficialStatisticFactory()
    # An EHC placement figure: the plan coverage shows it, with its dataset as the source.
    OfficialStatisticFactory(
        area=area,
        measure=Measure.PLACED_SPECIAL,
        time_period="2025",
        value=40,
        dataset=StatisticsDatasetFactory(key="ehcp_caseload", title="EHC plans"),
    )
    services.refresh_all()


def paths(area, other, icb):
    return {
        "area": f"/dashboards/areas/{area.code}/",
        "area_providers": f"/dashboards/areas/{area.code}/providers/",
        "area_heatmap": f"/dashboards/areas/{area.code}/heatmap/",
        "national": "/dashboards/national/",
        "compare": f"/dashboards/national/compare/?area={area.code}&area={other.code}",
        "icb": f"/dashboards/icbs/{icb.code}/",
        "area_export_providers_xlsx": f"/dashboards/areas/{area.code}/download/providers.xlsx",
    }


def warm_queries(client, path):
    """The queries of the second request for `path` (the first fills the caches)."""
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_dashboard_page_makes_a_fixed_number_of_queries(page, figures, area, other, icb):
    analyst = signed_in(Role.NATIONAL_ANALYST)
    found = warm_queries(analyst, paths(area, other, icb)[page])
    assert len(found) == SIGNED_IN + PAGES[page], "\n\n".join(found)


def test_the_area_officers_dashboard_makes_as_many_queries_as_the_analysts(figures, area):
    officer = signed_in(Role.AREA_OFFICER, area)
    found = warm_queries(officer, f"/dashboards/areas/{area.code}/")
    assert len(found) == SIGNED_IN + PAGES["area"], "\n\n".join(found)


def test_the_area_dashboard_asks_for_no_local_standard_or_dataset_once_cached(figures, area):
    analyst = signed_in(Role.NATIONAL_ANALYST)
    found = warm_queries(analyst, f"/dashboards/areas/{area.code}/")
    assert not [q for q in found if "standards_standardversion" in q]
    assert not [q for q in found if "dashboards_statisticsdataset" in q]
    assert "EHC plans placed" in analyst.get(f"/dashboards/areas/{area.code}/").content.decode()
    # Whether the person may open the plan pages comes from their roles.
    assert not [q for q in found if q.lstrip().upper().startswith("SELECT 1 AS")]

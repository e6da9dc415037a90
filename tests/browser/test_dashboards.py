"""The dashboards in a real browser (Debian's Chromium), with axe on every page.

An area officer signs in, sees only their area, filters the providers, drills down to one and
exports the table as CSV; a national analyst compares areas. A small standard keeps it fast.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.services import grant_role
from dashboards.services import clear_caches, refresh_all
from providers.models import Phase
from tests import mfa
from tests.accounts.factories import UserFactory
from tests.browser.axe import assert_accessible
from tests.dashboards.builders import ALL_YES, dashboard_version, declare, declare_and_score
from tests.dashboards.factories import OfficialStatisticFactory, StatisticsDatasetFactory
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    IcbProviderFactory,
    ProviderFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-tests-password-1"
WEAK = {
    "L1-POLICY": False,
    "L2-REVIEW": False,
    "L3-GOVERNOR": True,
    "H1-NURSE": False,
    "H2-THERAPY": True,
}


@pytest.fixture
def dashboards():
    clear_caches()
    version = dashboard_version()
    own = AreaFactory(name="Westminster", code="213", region_code="E12000007", region_name="London")
    other = AreaFactory(
        name="Brighton and Hove", code="846", region_code="E12000008", region_name="South East"
    )
    icb = IcbFactory(name="NHS North West London Integrated Care Board", code="E54000027")
    IcbAreaCoverageFactory(icb=icb, area=own)
    declare_and_score(IcbProviderFactory(icb=icb, name=icb.name), version, WEAK)
    for n in range(8):
        school = ProviderFactory(
            area=own,
            name=f"Westminster School {n}",
            phase=Phase.PRIMARY if n % 2 else Phase.SECONDARY,
        )
        if n < 6:
            declare_and_score(school, version, WEAK if n % 3 == 0 else ALL_YES)
        elif n == 6:
            declare(school, version, submitted=False)
    for n in range(3):
        declare_and_score(ProviderFactory(area=other, name=f"Brighton School {n}"), version, WEAK)
    dataset = StatisticsDatasetFactory()
    for area, value in [(own, "100.0"), (other, None), (None, "46.4")]:
        OfficialStatisticFactory(
            dataset=dataset, area=area, value=value, suppression="" if value else "x"
        )
    refresh_all()
    users = {}
    for role, scope in [
        (Role.AREA_OFFICER, own),
        (Role.NATIONAL_ANALYST, None),
        (Role.ICB_OFFICER, icb),
    ]:
        user = UserFactory(email=f"{role}@example.org", password=PASSWORD)
        grant_role(user=user, role=role, scope=scope)
        users[role] = user
    yield {"own": own, "other": other, "icb": icb, "users": users}
    clear_caches()


def sign_in(page: Page, base: str, email: str) -> None:
    """Email and password, then the code from the officer's authenticator."""
    mfa.sign_in(page, base, email, PASSWORD)


def test_an_area_officer_filters_drills_down_and_exports(live_server, page: Page, dashboards):
    sign_in(page, live_server.url, "area_officer@example.org")
    page.get_by_role("link", name="Dashboards", exact=True).click()
    assert_accessible(page, "dashboards index")
    # Only their own area is offered.
    expect(page.get_by_role("link", name="Westminster")).to_be_visible()
    expect(page.get_by_text("Brighton and Hove")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("areas, by region"))).to_have_count(0)
    page.get_by_role("link", name="Westminster").click()
    expect(page.get_by_role("heading", name="Compliance dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="not published", exact=True)).to_have_count(0)
    assert_accessible(page, "area dashboard")
    assert "Brighton" not in page.content()

    page.get_by_role("link", name="Providers", exact=True).click()
    assert_accessible(page, "providers")
    page.get_by_label("Has open must gaps").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"2 providers match"))
    assert_accessible(page, "providers, filtered")
    page.get_by_role("link", name=re.compile("^Score")).click()
    expect(page.locator("th[aria-sort]")).to_have_count(1)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^CSV")).click()
    path = download_info.value.path()
    lines = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert lines[0] == ["Check SEND provision: Providers"]
    assert any(
        line and line[0].startswith("Filters: Open must gaps: Has open must gaps") for line in lines
    )
    names = [line[0] for line in lines if line and line[0].startswith("Westminster School")]
    assert names == ["Westminster School 0", "Westminster School 3"]

    page.get_by_role("link", name="Westminster School 3").click()
    expect(page).to_have_url(re.compile(r"/providers/\d+/result/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Result")
    expect(page.get_by_text("Westminster School 3").first).to_be_visible()

    page.goto(live_server.url + "/dashboards/areas/213/heatmap/")
    assert_accessible(page, "heatmap")
    expect(page.locator(".app-heatmap td").first).not_to_be_empty()
    assert page.goto(live_server.url + "/dashboards/areas/846/").status == 404
    assert page.goto(live_server.url + "/dashboards/national/").status == 404


def test_a_national_analyst_compares_areas(live_server, page: Page, dashboards):
    sign_in(page, live_server.url, "national_analyst@example.org")
    page.goto(live_server.url + "/dashboards/national/")
    assert_accessible(page, "national")
    page.get_by_role("link", name=re.compile("^Average score")).first.click()
    expect(page.locator("th[aria-sort]")).to_have_count(1)
    page.get_by_label("Compare Westminster").check()
    page.get_by_label("Compare Brighton and Hove").check()
    page.get_by_role("button", name="Compare the areas you ticked").click()
    expect(page.get_by_role("heading", name="Compare areas", level=1)).to_be_visible()
    table = page.locator("table", has=page.locator("caption", has_text="Chosen areas"))
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").nth(2)).to_contain_text("England")
    # Brighton's 20-week figure is not published: it says so, never 0.
    expect(table.locator("tbody tr").nth(1)).to_contain_text("not published")
    assert_accessible(page, "compare")
    page.goto(live_server.url + "/dashboards/national/?region=E12000008")
    expect(page.get_by_role("status")).to_have_text(re.compile("1 area in South East"))
    for path in (
        "/dashboards/icbs/",
        "/dashboards/icbs/E54000027/",
        "/dashboards/icbs/E54000027/areas/213/",
        "/dashboards/areas/846/",
    ):
        page.goto(live_server.url + path)
        assert_accessible(page, path)


def test_an_icb_officer_sees_the_health_view(live_server, page: Page, dashboards):
    sign_in(page, live_server.url, "icb_officer@example.org")
    page.get_by_role("link", name="Dashboards", exact=True).click()
    page.get_by_role("link", name="NHS North West London Integrated Care Board").click()
    expect(page.get_by_role("heading", name="Health dashboard", level=1)).to_be_visible()
    assert_accessible(page, "ICB")
    page.get_by_role("link", name="Westminster").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("health-related requirements")
    assert_accessible(page, "ICB area")

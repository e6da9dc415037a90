"""The area report page in a real browser: asked for, its progress shown and kept up to date
by the page while the task builds it, then ready to download. Accessible at each step."""

import pytest
from playwright.sync_api import Page, expect

from reports import services
from reports.models import AreaReport
from tests.browser.axe import assert_accessible
from tests.mfa import sign_in
from tests.reports.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_makes_the_area_report_and_watches_it_being_built(
    live_server, page: Page, world
):
    sign_in(page, live_server.url, "officer@example.org", PASSWORD)
    page.goto(live_server.url + "/dashboards/areas/213/")
    page.get_by_role("link", name="Report for the local partnership board (PDF)").click()
    expect(
        page.get_by_role("heading", name="Report for the local partnership board")
    ).to_be_visible()
    assert_accessible(page, "area report, not yet made")
    page.get_by_role("button", name="Make the report").click()
    expect(page.get_by_role("status")).to_contain_text("0% done")
    assert_accessible(page, "area report, being made")
    # The worker's part, done here: the page notices by itself.
    report = AreaReport.objects.get()
    services.build_area_report(report_id=report.pk)
    expect(page.get_by_role("heading", name="Your report is ready")).to_be_visible(timeout=15000)
    assert_accessible(page, "area report, ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report for Westminster").click()
    assert download.value.suggested_filename == "213-Westminster-report.pdf"

"""A fresh database, `seed_demo`, and the area officer's dashboard already has figures: no
worker runs in this test, so everything it shows was made by the command itself."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD
from tests.mfa import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def figure(page: Page, label: str) -> str:
    item = page.locator(".app-headline__item", has_text=label)
    return item.locator(".app-headline__figure").inner_text()


def test_the_officer_sees_a_scored_demo_on_a_fresh_database(live_server, page: Page):
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    # The demo officer signs in with the published demo secret's code.
    sign_in(page, live_server.url, "officer@example.org", DEMO_PASSWORD)
    page.goto(live_server.url + "/dashboards/areas/213/")
    expect(page.get_by_role("heading", name="Compliance dashboard", level=1)).to_be_visible()
    expect(page.get_by_text("There are no figures for this area yet")).to_have_count(0)
    expect(page.get_by_text("have not been loaded")).to_have_count(0)
    providers = int(figure(page, "open providers the standard applies to").replace(",", ""))
    assert providers > 50
    with_result = page.locator(".app-headline__item", has_text="meet every must requirement")
    results = int(re.search(r"of ([\d,]+) providers with a result", with_result.inner_text())[1])
    assert results > 40
    assert re.fullmatch(r"\d+(\.\d)?", figure(page, "average score out of 100"))
    statistics = page.get_by_role("region", name="Official statistics for the area")
    expect(statistics.locator("tbody tr").first).to_be_visible()
    assert statistics.locator("tbody tr").count() >= 2
    trend = page.locator("table", has=page.locator("caption", has_text="Changes and re-scores"))
    assert trend.locator("tbody tr").count() >= 5

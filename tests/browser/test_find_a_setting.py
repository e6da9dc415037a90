"""A parent, not signed in, finds a setting by postcode, age and need, with the keyboard alone."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.inclusion.search_factories import declare, family_version, make_plan, place, setting
from tests.providers.factories import AreaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def settings_nearby():
    home = AreaFactory(code="213", name="Westminster")
    hill = setting(home, name="Hill Primary School", easting=529950, northing=179450, urn="100001")
    setting(home, name="Abbey Primary School", easting=529900, northing=179300)
    setting(home, name="Tower Secondary School", statutory_low_age=11, statutory_high_age=16)
    make_plan(home, [place(hill, need_types=["ASD"], places=12)])
    declare(
        hill,
        family_version(),
        {
            "SCH-SEN-INFORMATION-REPORT": "https://hill.example/sen-report",
            "SCH-SENCO-QUALIFICATION": "nasenco",
        },
    )
    return hill


def focused(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e ? (e.id || e.textContent.trim()) : '' }"
    )


def tab_to(page: Page, target: str, limit: int = 400) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == target:
            return
    raise AssertionError(f"Tab never reached {target!r}")


def fits(page: Page, label: str) -> None:
    """No sideways scrolling."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{label} is {width}px wide"


@pytest.mark.parametrize("width", [1024, 320])
def test_a_parent_searches_and_opens_a_setting_with_the_keyboard(
    live_server, page: Page, settings_nearby, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    tab_to(page, "find a setting")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Find a setting", level=1)).to_be_visible()
    assert_accessible(page, "search page")
    fits(page, "search page")

    tab_to(page, "postcode")
    page.keyboard.type("SW1P 3NY")
    tab_to(page, "age")
    page.keyboard.type("7")
    tab_to(page, "need")  # the first broad area: communication and interaction
    page.keyboard.press("Space")
    tab_to(page, "ehc")
    page.keyboard.press("Space")
    tab_to(page, "Search")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="What we found")).to_be_visible()
    group = page.get_by_role("heading", name="Settings with places or support for this need")
    expect(group).to_be_visible()
    first = page.locator(".app-results").first
    expect(first.get_by_role("link", name="Hill Primary School")).to_be_visible()
    expect(first).to_contain_text("Resourced provision for autistic spectrum disorder")
    expect(page.get_by_role("heading", name="Other settings")).to_be_visible()
    expect(page.get_by_text("Abbey Primary School")).to_be_visible()
    expect(page.get_by_text("Tower Secondary School")).to_have_count(0)
    assert "Multi-sensory" in page.content()  # the answers are kept on the page
    expect(page.locator("#postcode")).to_have_value("SW1P 3NY")
    assert_accessible(page, "results")
    fits(page, "results")

    tab_to(page, "Hill Primary School")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hill Primary School", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Read it (SEN information report)")).to_have_attribute(
        "href", "https://hill.example/sen-report"
    )
    expect(
        page.get_by_text("Meets the rule. The SENCO has the SENCO qualification.")
    ).to_be_visible()
    assert_accessible(page, "setting page")
    fits(page, "setting page")
    assert page.context.cookies() == []


def test_errors_are_summarised_and_reachable(live_server, page: Page, settings_nearby):
    page.goto(live_server.url + "/find-a-setting/?postcode=EH1+1AA&age=30&search=1")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("We cannot find this postcode in England")
    expect(summary).to_contain_text("Enter an age from 0 to 25")
    expect(page.locator("#postcode")).to_have_value("EH1 1AA")
    assert_accessible(page, "errors")
    summary.get_by_role("link", name="Enter an age from 0 to 25").click()
    expect(page.locator("#age")).to_be_focused()

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.standards.builders import document, make_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def versions():
    make_version(publish=True)
    doc = document(version="1.1")
    doc["sections"][0]["requirements"][0]["weight"] = 5
    make_version(doc, publish=True)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/standards/",
        "/standards/test-standard/1.1/",
        "/standards/test-standard/1.1/?provider_type=local_authority",
        "/standards/test-standard/1.1/?provider_type=castle",
        "/standards/test-standard/1.1/requirements/SCH-POLICY-REVIEWED/",
        "/standards/test-standard/compare/?from=1.0&to=1.1",
        "/accessibility/",
        "/cookies/",
        "/account/sign-in/",
    ],
)
def test_standards_pages_have_no_wcag_22_aa_violations(live_server, page: Page, versions, path):
    page.goto(live_server.url + path)
    expect(page.locator("main")).to_be_visible()
    assert_accessible(page, path)


def test_browse_standard_with_keyboard_and_filter(live_server, page: Page, versions):
    page.goto(live_server.url + "/standards/")
    page.get_by_role("link", name="Version 1.1").click()
    expect(page.get_by_role("heading", name="Version 1.1", level=1)).to_be_visible()
    page.get_by_label("Show the requirements for").select_option("local_authority")
    page.get_by_role("button", name="Show requirements").focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Showing the requirements that apply to: Local authority.")
    ).to_be_visible()
    page.get_by_role("link", name="Local offer published").click()
    expect(page.get_by_text("The answer must be yes.")).to_be_visible()
    # GOV.UK Frontend's JavaScript started: the CSP nonce let the inline script run.
    assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")


def test_no_console_errors_or_failed_requests(live_server, page: Page, versions):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.on(
        "response", lambda r: errors.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    page.goto(live_server.url + "/standards/test-standard/1.1/")
    page.wait_for_load_state("networkidle")
    assert errors == []

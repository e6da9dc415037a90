"""An area officer's local inclusion plan journey in a real browser, with the keyboard alone,
320 pixels wide, and axe on every page: start from GIAS, confirm, change, remove, publish,
start version 2."""

import re

import pytest
from playwright.sync_api import Page, expect

from inclusion.models import InclusionPlan, PlanStatus
from tests.browser.axe import assert_accessible
from tests.inclusion.plan_factories import PASSWORD, gias_area, officer_for
from tests.mfa import code_for, enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? (e.id || e.textContent.replace(/\\s+/g, ' ').trim()) : '' }"
    )


def tab_to(page: Page, target: str, limit: int = 150) -> None:
    """Press Tab until the element with this id (or exactly this text) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == target:
            return
    raise AssertionError(f"Tab never reached {target!r}")


def enter(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def retype(page: Page, field_id: str, text: str) -> None:
    tab_to(page, field_id)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def check_page(page: Page, label: str) -> None:
    """0 axe violations, and nothing wider than the 320 pixel window (wide tables scroll)."""
    assert_accessible(page, label)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{label} is {overflow}px wider than 320px"


def test_an_officer_starts_edits_publishes_and_starts_version_2_by_keyboard(
    live_server, page: Page
):
    world = gias_area(code="213", name="Westminster")
    officer = officer_for(world["area"], "keys@example.org")
    device = enrol(officer)
    page.set_viewport_size({"width": 320, "height": 900})
    base = live_server.url

    page.goto(base + "/account/sign-in/")
    tab_to(page, "id_username")
    page.keyboard.type("keys@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    enter(page)
    # Officers must use a second factor: the code from their authenticator app.
    expect(
        page.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    tab_to(page, "id_code")
    page.keyboard.type(code_for(device))
    enter(page)
    expect(page.get_by_text("You are signed in as keys@example.org")).to_be_visible()

    page.goto(base + "/areas/213/")
    tab_to(page, "Local inclusion plans for Westminster")
    enter(page)
    expect(page.get_by_role("heading", name="Local inclusion plans", level=1)).to_be_visible()
    check_page(page, "plan list")
    # The first academic year offered is this one: Space selects it.
    tab_to(page, "id_academic_year")
    page.keyboard.press("Space")
    tab_to(page, "Start")
    enter(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("version 1")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "5 entries proposed from GIAS are not confirmed"
    )
    expect(page.get_by_text("More on roll than places")).to_be_visible()
    check_page(page, "plan, proposed from GIAS")

    tab_to(page, "Confirm Special school at Willow Special School")
    enter(page)
    expect(page.get_by_role("alert")).to_contain_text(
        "Special school at Willow Special School confirmed"
    )

    tab_to(page, "Change SEN unit at Oak Primary School")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Change the entry for Oak Primary School"
    )
    check_page(page, "change an entry")
    retype(page, "id_age_high", "3")
    enter(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The oldest age must be the same as or more than the youngest age"
    )
    check_page(page, "change an entry, with an error")
    retype(page, "id_age_high", "11")
    retype(page, "id_places", "10")
    enter(page)
    expect(page.get_by_role("alert")).to_contain_text(
        "Entry for Oak Primary School saved and confirmed"
    )

    tab_to(page, "Remove Alternative provision at Elm Pupil Referral Unit")
    enter(page)
    check_page(page, "remove an entry")
    tab_to(page, "Yes, remove it")
    enter(page)

    for name in (
        "Confirm Resourced provision at Oak Primary School",
        "Confirm Specialist post-16 place at Ash Specialist College",
    ):
        tab_to(page, name)
        enter(page)

    tab_to(page, "Change the summary and contacts")
    enter(page)
    check_page(page, "summary and contacts")
    tab_to(page, "id_ordinarily_available_summary")
    page.keyboard.type("Every school adapts teaching and gives help in small groups.")
    tab_to(page, "id_local_offer_url")
    page.keyboard.type("not a web address")
    tab_to(page, "Save")
    enter(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a web address")
    expect(page.locator("#id_ordinarily_available_summary")).to_have_value(
        "Every school adapts teaching and gives help in small groups."
    )
    check_page(page, "summary and contacts, with an error")
    retype(page, "id_local_offer_url", "https://example.org/local-offer")
    tab_to(page, "Save")
    enter(page)

    tab_to(page, "Publish this version")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Publish version 1 of the " + InclusionPlan.objects.get().academic_year + " plan?"
    )
    check_page(page, "publish")
    tab_to(page, "Publish")
    enter(page)
    expect(page.get_by_role("alert")).to_contain_text("published")
    expect(page.locator("main .govuk-tag").first).to_have_text("Published")
    check_page(page, "published plan")
    plan = InclusionPlan.objects.get()
    assert plan.status == PlanStatus.PUBLISHED and plan.places.count() == 4

    tab_to(page, "See the history of this version")
    enter(page)
    expect(page.get_by_role("heading", name="Inclusion plan published")).to_be_visible()
    check_page(page, "history")
    tab_to(page, "Back to the plan")
    enter(page)
    tab_to(page, "Back to every version")
    enter(page)
    tab_to(page, "id_academic_year")
    page.keyboard.press("Space")
    tab_to(page, "Start")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 2")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    check_page(page, "version 2")
    assert InclusionPlan.objects.filter(version=2, status=PlanStatus.DRAFT).exists()
    assert re.search(r"/areas/213/inclusion-plans/\d+/$", page.url)

    # The other editing pages, empty and with their errors.
    for link, button, error in (
        ("Add a specialist place", "Add the entry", "Enter the URN or UKPRN of the setting"),
        (
            "Add a setting outside the area",
            "Add the setting",
            "Enter the URN or UKPRN of the setting",
        ),
        ("Upload an edited spreadsheet", "Upload", "Select a spreadsheet"),
    ):
        tab_to(page, link)
        enter(page)
        check_page(page, link)
        tab_to(page, button)
        enter(page)
        expect(page.locator(".govuk-error-summary")).to_contain_text(error)
        check_page(page, f"{link}, with an error")
        tab_to(page, "Back to the plan")
        enter(page)

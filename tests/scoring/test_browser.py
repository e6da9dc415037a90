"""The result and gaps pages in Chromium: accessibility (axe, WCAG 2.2 AA), the live
"scoring is under way" panel, and the action-planning form."""

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from accounts.services import grant_role
from scoring.models import Gap
from tests.accounts.factories import UserFactory
from tests.browser.axe import assert_accessible
from tests.scoring.builders import declare, score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(school):
    user = UserFactory(email="head@example.org", password="pw-for-tests-123", full_name="Hana Head")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=school)
    return user


def sign_in(page: Page, live_server, user: User) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def watch_for_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_result_and_gap_pages_are_accessible(live_server, page: Page, version, school, editor):
    score(declare(school, version))
    gap = Gap.objects.get(provider=school, requirement_key="L2-REVIEWED")
    sign_in(page, live_server, editor)
    errors = watch_for_errors(page)
    for path in (
        f"/providers/{school.pk}/result/",
        f"/providers/{school.pk}/gaps/",
        f"/providers/{school.pk}/gaps/{gap.pk}/",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, path)
    # The form with errors: GOV.UK error summary, focus moves to it, and it is accessible too.
    page.get_by_label("In progress").check()
    page.get_by_label("Action plan").fill("Review the policy with governors")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_accessible(page, "gap form with errors")
    expect(page.get_by_label("Action plan")).to_have_value("Review the policy with governors")
    page.get_by_role("link", name="Enter who owns the action").click()
    expect(page.get_by_label("Owner")).to_be_focused()
    page.get_by_label("Owner").fill("Jo Smith, SENCO")
    page.locator("#due_date-day").fill("31")
    page.locator("#due_date-month").fill("3")
    page.locator("#due_date-year").fill("2027")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Gap updated: L2 reviewed")).to_be_visible()
    assert_accessible(page, "gaps after saving")
    # A note: an empty one is refused with the error summary; a real one joins the history.
    page.goto(f"{live_server.url}/providers/{school.pk}/gaps/{gap.pk}/")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "note with an error")
    page.get_by_role("link", name="Enter a note").click()
    expect(page.get_by_label("Add a note")).to_be_focused()
    page.get_by_label("Add a note").fill("Governors meet on 12 January.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Governors meet on 12 January.")).to_be_visible()
    expect(page.get_by_text("Note added by")).to_be_visible()
    assert [e for e in errors if "status of 400" not in e] == []


def test_scoring_under_way_shows_the_result_without_a_reload_by_hand(
    live_server, page: Page, version, school, editor
):
    declaration = declare(school, version)
    sign_in(page, live_server, editor)
    errors = watch_for_errors(page)
    page.goto(live_server.url + f"/providers/{school.pk}/result/")
    expect(page.get_by_text("Scoring is under way")).to_be_visible()
    assert_accessible(page, "result page while scoring")
    # The worker stores the result; the page notices and shows it.
    score(declaration)
    expect(page.get_by_text("All must requirements met")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Scoring is under way")).to_have_count(0)
    assert errors == []

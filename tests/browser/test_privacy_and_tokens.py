"""The privacy notice, the rate-limited page and the token form: WCAG 2.2 AA, and reachable
by keyboard from any page's footer."""

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.factories import UserFactory
from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-123"


def test_the_privacy_notice_is_reached_from_the_footer_by_keyboard(live_server, page: Page):
    page.goto(live_server.url + "/accessibility/")
    page.get_by_role("contentinfo").get_by_role("link", name="Privacy").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Privacy notice", level=1)).to_be_visible()
    assert_accessible(page, "/privacy/")


def test_the_token_form_with_its_read_only_choice(live_server, page: Page):
    UserFactory(email="person@example.org", password=PASSWORD)
    page.goto(live_server.url + "/account/sign-in/?next=/account/tokens/new/")
    page.get_by_label("Email address").fill("person@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Create an API token")).to_be_visible()
    assert_accessible(page, "/account/tokens/new/")
    page.get_by_label("Name").fill("Reports")
    page.get_by_label("90 days").check()
    page.get_by_label("Read only").focus()
    page.keyboard.press("Space")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("(read only)")).to_be_visible()


def test_the_too_many_attempts_page(live_server, page: Page, settings):
    settings.RATE_LIMIT_MULTIPLIER = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_failures_per_address": (1, 900)}
    from django.core.cache import cache

    cache.clear()
    page.goto(live_server.url + "/account/sign-in/")
    for _ in range(2):
        page.get_by_label("Email address").fill("nobody@example.org")
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Sign in").click()
        if page.get_by_role("heading", name="Too many attempts").count():
            break
        page.goto(live_server.url + "/account/sign-in/")
    expect(page.get_by_role("heading", name="Too many attempts", level=1)).to_be_visible()
    assert_accessible(page, "rate limited")
    cache.clear()

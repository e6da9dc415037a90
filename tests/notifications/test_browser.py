"""The preferences page in a real browser: accessible, and usable at 320 px wide."""

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.services import grant_role
from notifications.models import Kind, OptOut
from tests.accounts.factories import UserFactory
from tests.browser.axe import assert_accessible
from tests.providers.factories import ProviderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_emails_is_accessible_and_fits_320_px(live_server, page: Page):
    user = UserFactory(email="head@example.org", password="pw-for-tests-123", full_name="Hana Head")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=ProviderFactory())
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/account/notifications/")
    expect(page.get_by_role("heading", name="Emails", exact=True)).to_be_visible()
    assert_accessible(page, "emails page")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_label(Kind.DEADLINE.label).uncheck()
    page.get_by_role("button", name="Save your choices").click()
    expect(page.get_by_text("Your email choices have been saved")).to_be_visible()
    expect(page.get_by_label(Kind.DEADLINE.label)).not_to_be_checked()
    expect(page.get_by_label(Kind.REVIEWED.label)).to_be_checked()
    assert list(OptOut.objects.filter(user=user).values_list("kind", flat=True)) == [Kind.DEADLINE]
    assert_accessible(page, "emails page after saving")

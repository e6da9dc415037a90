"""Setting up and using the second factor in Chromium, with the keyboard only: each page axe-clean
(WCAG 2.2 AA), errors in the GOV.UK error summary, the code pasted in."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from accounts.selectors import authenticator
from accounts.services import grant_role, new_recovery_codes
from tests.browser.axe import assert_accessible
from tests.mfa import code_for, enrol
from tests.providers.factories import AreaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-123"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def officer() -> User:
    user = User.objects.create_user("officer@example.org", PASSWORD, full_name="Omar Officer")
    grant_role(user=user, role=Role.AREA_OFFICER, scope=AreaFactory())
    return user


def type_into(page: Page, label: str, text: str) -> None:
    """Tab to the field by keyboard, then type."""
    field = page.get_by_label(label)
    for _ in range(40):
        if field.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"{label} is not reachable with the Tab key")
    page.keyboard.type(text)


def password_by_keyboard(page: Page, base: str, email: str) -> None:
    page.goto(base + "/account/sign-in/")
    type_into(page, "Email address", email)
    type_into(page, "Password", PASSWORD)
    page.keyboard.press("Enter")


def test_an_officer_sets_up_an_authenticator_app_by_keyboard(live_server, page: Page, officer):
    password_by_keyboard(page, live_server.url, officer.email)
    # Sent to set it up: nothing else until it is done.
    expect(page.get_by_role("heading", name="Set up an authenticator app", level=1)).to_be_visible()
    assert_accessible(page, "set up")
    page.goto(live_server.url + "/dashboards/")
    expect(page.get_by_role("heading", name="Set up an authenticator app", level=1)).to_be_visible()
    # The QR code is inline SVG from the server, and the key is there as text.
    expect(page.locator("svg.app-qr-code")).to_be_visible()
    secret = page.locator("#secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)
    field = page.get_by_label("Code from your authenticator app")
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert field.get_attribute("inputmode") == "numeric"

    # A wrong code: the error summary, focused, linking to the field.
    type_into(page, "Code from your authenticator app", "000000")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not correct")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "set up with an error")

    # The code from an app given the key shown, pasted in.
    key = base64.b32decode(secret.replace(" ", ""))
    code = f"{TOTP(key).token():06d}"
    page.get_by_label("Code from your authenticator app").fill("")
    page.get_by_label("Code from your authenticator app").focus()
    page.evaluate(
        """code => {
            const field = document.activeElement;
            const data = new DataTransfer();
            data.setData('text/plain', code);
            const event = new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true});
            if (field.dispatchEvent(event)) { field.value = code; }
        }""",
        code,
    )
    assert page.get_by_label("Code from your authenticator app").input_value() == code
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page, "recovery codes")
    page.get_by_role("link", name="I have saved my recovery codes").focus()
    page.keyboard.press("Enter")
    # On to the page first asked for.
    expect(page.get_by_role("heading", name="Dashboards", level=1)).to_be_visible()


def test_an_officer_signs_in_with_a_code_then_a_recovery_code(live_server, page: Page, officer):
    device = enrol(officer)
    codes = new_recovery_codes(user=officer)
    password_by_keyboard(page, live_server.url, officer.email)
    expect(
        page.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    assert_accessible(page, "code")
    type_into(page, "Code from your authenticator app", "123")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the code as 6 digits")
    assert_accessible(page, "code with an error")
    page.get_by_label("Code from your authenticator app").fill("")
    type_into(page, "Code from your authenticator app", code_for(device))
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"You are signed in as {officer.email}")).to_be_visible()

    # Signed out, then in again without the app: a recovery code.
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    password_by_keyboard(page, live_server.url, officer.email)
    page.get_by_role("link", name="use a recovery code").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Enter a recovery code")).to_be_visible()
    assert_accessible(page, "recovery code")
    type_into(page, "Recovery code", codes[0])
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"You are signed in as {officer.email}")).to_be_visible()
    assert authenticator(user=officer) is not None

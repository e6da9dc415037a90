"""Signing in with a second factor in tests.

- Django test clients: `client.force_login(user)` signs in *and* marks the session's second
  factor as verified (tests/conftest.py makes this the default for every client), giving the
  person an authenticator with TEST_TOTP_KEY if they have none. Tests about the second factor
  itself use `force_login_unverified`.
- Browsers: `sign_in(page, base, email, password)` fills in the password and then the current
  code of the person's authenticator, which it reads from the database (a demo account's is the
  published demo secret; anyone else gets TEST_TOTP_KEY first if they need one).
"""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts import selectors
from accounts.models import User
from common.shared_cache import cache_is_shared

# RFC 6238's test secret, as hex.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"

_plain_force_login = Client.force_login


def read_unless_shared() -> int:
    """How many times a page, once the caches are warm, reads each thing kept only where the
    cache is shared by every process (common/shared_cache.py: the session's second factor, the
    person's role grants, an area's plan coverage): never where it is shared, else once a
    request."""
    return 0 if cache_is_shared() else 1


def enrol(user: User, key: str = TEST_TOTP_KEY) -> TOTPDevice:
    """The person's confirmed authenticator, set up with `key` unless they have one."""
    # Made directly, not through the service, so that signing in leaves no audit entry behind.
    device = selectors.authenticator(user=user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", key=key, confirmed=True)
    return device


def code_for(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the device's app shows now; a step on if this step's code was already used
    (a code works once), which the device still accepts within its tolerance."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def force_login_verified(client: Client, user: Any, backend: str | None = None) -> None:
    """Sign `user` in on `client` with their second factor verified."""
    _plain_force_login(client, user, backend)
    device = enrol(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def force_login_unverified(client: Client, user: Any, backend: str | None = None) -> None:
    """Sign `user` in with the password step only: their second factor not (yet) verified."""
    _plain_force_login(client, user, backend)


def sign_in(page: Page, base: str, email: str, password: str, *, check: Any = None) -> None:
    """Sign in through the pages, keyboard-free helpers aside: email and password, then the
    code if asked. `check(page, label)` runs on each page (for example an axe check)."""
    user = User.objects.get(email__iexact=email)
    if selectors.second_factor_required(user=user):
        enrol(user)
    page.goto(base + "/account/sign-in/")
    if check:
        check(page, "sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    device = selectors.authenticator(user=user)
    if device is not None:
        expect(
            page.get_by_role("heading", name="Enter the code from your authenticator app")
        ).to_be_visible()
        if check:
            check(page, "second factor")
        page.get_by_label("Code from your authenticator app").fill(code_for(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()

"""The second factor: who must use it, setting it up, signing in with a code or a recovery
code, wrong codes, the admin's reset, and the demo's published secret."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, Role, User
from accounts.selectors import recovery_codes_left
from accounts.services import enrol_authenticator, grant_role, new_recovery_codes
from core.demo import DEMO_TOTP_SECRET, demo_totp_key
from tests.mfa import TEST_TOTP_KEY, code_for, enrol, force_login_unverified
from tests.providers.factories import AreaFactory, IcbFactory, ProviderFactory, TrustFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # django-otp refuses any code for a second after a wrong one: the tests that want to show
    # a right code after a wrong one would otherwise wait. Its throttling is its own test below.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def person_with(role: str | None, email: str = "person@example.org") -> User:
    user = User.objects.create_user(email, PASSWORD)
    scopes = {
        Role.PROVIDER_EDITOR: ProviderFactory,
        Role.PROVIDER_VIEWER: ProviderFactory,
        Role.TRUST_OFFICER: TrustFactory,
        Role.AREA_OFFICER: AreaFactory,
        Role.ICB_OFFICER: IcbFactory,
    }
    if role is not None:
        grant_role(user=user, role=role, scope=scopes[role]() if role in scopes else None)
    return user


def password_step(client: Client, email: str, password: str = PASSWORD, next_: str = ""):
    data = {"username": email, "password": password}
    if next_:
        data["next"] = next_
    return client.post("/account/sign-in/", data)


def signed_in_as(client: Client) -> User | None:
    user = client.get("/accessibility/").context["user"]
    return user if user.is_authenticated else None


REQUIRED = [
    Role.AREA_OFFICER,
    Role.ICB_OFFICER,
    Role.NATIONAL_ANALYST,
    Role.STANDARDS_ADMIN,
    Role.SITE_ADMIN,
]
OPTIONAL = [Role.PROVIDER_EDITOR, Role.PROVIDER_VIEWER, Role.TRUST_OFFICER, None]


# Who must use it.


@pytest.mark.parametrize("role", REQUIRED)
@pytest.mark.parametrize(
    "path", ["/", "/dashboards/", "/standards/", "/account/tokens/", "/admin/"]
)
def test_required_roles_cannot_skip_setting_it_up(client, role, path):
    user = person_with(role)
    response = password_step(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    # Signed in by password, but every page sends them to set it up first.
    page = client.get(path)
    assert page.status_code == 302
    assert page["Location"].startswith("/account/two-factor/set-up/?next=")
    assert client.get("/account/two-factor/set-up/").status_code == 200
    # The API treats the session as signed out.
    api = client.get("/api/v1/providers/")
    assert api.status_code in (401, 403)


@pytest.mark.parametrize("role", OPTIONAL)
def test_provider_editors_and_others_may_skip_it(client, role):
    user = person_with(role)
    assert password_step(client, user.email)["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert f"You are signed in as {user.email}" in home.content.decode()
    offered = client.get("/account/two-factor/").content.decode()
    assert "Set up an authenticator app" in offered and "optional for your role" in offered


def test_staff_without_any_grant_must_use_it(client):
    User.objects.create_superuser("root@example.org", PASSWORD)
    password_step(client, "root@example.org")
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/set-up/")


def test_a_role_granted_later_needs_it_from_the_next_page(client):
    user = person_with(Role.PROVIDER_EDITOR)
    password_step(client, user.email)
    assert client.get("/").status_code == 200
    grant_role(user=user, role=Role.AREA_OFFICER, scope=AreaFactory())
    assert client.get("/")["Location"].startswith("/account/two-factor/set-up/")


# Setting it up.


def test_setting_it_up_shows_a_qr_code_and_the_secret_then_recovery_codes(client):
    user = person_with(Role.AREA_OFFICER)
    password_step(client, user.email)
    page = client.get("/account/two-factor/set-up/?next=/dashboards/")
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # A QR code made on the server, as inline SVG with a text alternative, and the secret as text.
    assert re.search(r'<svg role="img" focusable="false" [^>]*class="app-qr-code"', html)
    assert "<title>QR code for setting up your authenticator app</title>" in html
    secret = re.search(r'<code class="app-secret" id="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") == __import__("base64").b32encode(device.bin_key).decode()
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert "captcha" not in html.lower() and "onpaste" not in html.lower()
    # The same secret on a second look, until it is confirmed.
    assert secret in client.get("/account/two-factor/set-up/").content.decode()

    done = client.post(
        "/account/two-factor/set-up/", {"code": code_for(device), "next": "/dashboards/"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/account/two-factor/recovery-codes/?next=%2Fdashboards%2F"
    shown = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
    assert len(codes) == 10
    assert 'href="/dashboards/"' in shown
    # Shown once only.
    assert not re.findall(r"<li><code>", client.get(done["Location"]).content.decode())
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="second factor set up", actor=user).count() == 1
    assert client.get("/").status_code == 200


def test_a_wrong_code_at_set_up_shows_the_error_summary(client):
    user = person_with(Role.ICB_OFFICER)
    password_step(client, user.email)
    client.get("/account/two-factor/set-up/")
    for code, message in [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12ab", "Enter the code as 6 digits, for example 123456"),
        ("000000", "The code is not correct or has expired"),
    ]:
        response = client.post("/account/two-factor/set-up/", {"code": code})
        html = response.content.decode()
        assert response.status_code == 200
        assert html.startswith("<!DOCTYPE html>") or "<html" in html
        assert "<title>Error: Set up an authenticator app" in html
        assert 'class="govuk-error-summary"' in html and f'href="#id_code">{message}' in html
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/")["Location"].startswith("/account/two-factor/set-up/")


def test_pasted_codes_with_spaces_work(client):
    user = person_with(Role.NATIONAL_ANALYST)
    password_step(client, user.email)
    client.get("/account/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=user)
    code = code_for(device)
    response = client.post("/account/two-factor/set-up/", {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302 and "recovery-codes" in response["Location"]


# Signing in with it.


def test_sign_in_with_a_code_from_the_app(client):
    user = person_with(Role.AREA_OFFICER)
    device = enrol(user)
    response = password_step(client, user.email, next_="/dashboards/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/code/?next=%2Fdashboards%2F"
    # Not signed in until the code is right.
    assert signed_in_as(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "Enter the code from your authenticator app" in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    done = client.post("/account/sign-in/code/", {"code": code_for(device), "next": "/dashboards/"})
    assert done.status_code == 302 and done["Location"] == "/dashboards/"
    assert signed_in_as(client) == user
    assert client.get("/").status_code == 200


def test_a_code_works_once(client):
    user = person_with(Role.AREA_OFFICER)
    device = enrol(user)
    password_step(client, user.email)
    code = code_for(device)
    assert client.post("/account/sign-in/code/", {"code": code}).status_code == 302
    other = Client()
    password_step(other, user.email)
    again = other.post("/account/sign-in/code/", {"code": code})
    assert again.status_code == 200
    assert "The code is not correct or has expired" in again.content.decode()
    assert signed_in_as(other) is None


def test_sign_in_with_a_recovery_code_which_works_once(client):
    user = person_with(Role.SITE_ADMIN)
    enrol(user)
    codes = new_recovery_codes(user=user)
    password_step(client, user.email)
    page = client.get("/account/sign-in/recovery-code/").content.decode()
    assert "Enter a recovery code" in page
    done = client.post("/account/sign-in/recovery-code/", {"code": codes[0].upper()})
    assert done.status_code == 302
    assert signed_in_as(client) == user
    assert recovery_codes_left(user=user) == 9
    assert AuditEvent.objects.filter(action="recovery code used", actor=user).exists()

    other = Client()
    password_step(other, user.email)
    again = other.post("/account/sign-in/recovery-code/", {"code": codes[0]})
    assert again.status_code == 200
    assert "The recovery code is not correct or has been used" in again.content.decode()
    assert signed_in_as(other) is None


def test_a_wrong_code_shows_the_error_summary(client):
    user = person_with(Role.AREA_OFFICER)
    enrol(user)
    password_step(client, user.email)
    response = client.post("/account/sign-in/code/", {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Enter the code from your authenticator app" in html
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_code">The code is not correct or has expired' in html
    assert 'aria-describedby="id_code-hint id_code-error"' in html
    assert signed_in_as(client) is None


def test_wrong_codes_lock_the_account_and_a_correct_password_does_not_reset_the_count(
    client, settings
):
    user = person_with(Role.AREA_OFFICER)
    device = enrol(user)
    limit = settings.AXES_FAILURE_LIMIT
    password_step(client, user.email)
    for _ in range(limit - 2):
        client.post("/account/sign-in/code/", {"code": "000000"})
    # Starting again from the password does not wipe the wrong codes.
    fresh = Client()
    assert password_step(fresh, user.email)["Location"].startswith("/account/sign-in/code/")
    fresh.post("/account/sign-in/code/", {"code": "000000"})
    locked = fresh.post("/account/sign-in/code/", {"code": "000000"})
    assert locked.status_code == 429
    assert "You have been locked out" in locked.content.decode()
    # Now neither the right code nor the right password gets in.
    again = fresh.post("/account/sign-in/code/", {"code": code_for(device)})
    assert again["Location"] == "/account/sign-in/"
    assert signed_in_as(fresh) is None
    assert password_step(Client(), user.email).status_code == 429


def test_wrong_codes_are_throttled_by_the_device(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = person_with(Role.AREA_OFFICER)
    device = enrol(user)
    password_step(client, user.email)
    client.post("/account/sign-in/code/", {"code": "000000"})
    refused = client.post("/account/sign-in/code/", {"code": code_for(device)})
    assert refused.status_code == 200 and signed_in_as(client) is None


def test_the_code_page_needs_the_password_first(client):
    response = client.get("/account/sign-in/code/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    assert client.post("/account/sign-in/code/", {"code": "123456"})["Location"].startswith(
        "/account/sign-in/"
    )


def test_provider_editors_who_chose_it_sign_in_with_it(client):
    user = person_with(Role.PROVIDER_EDITOR)
    device = enrol(user)
    assert password_step(client, user.email)["Location"].startswith("/account/sign-in/code/")
    assert signed_in_as(client) is None
    client.post("/account/sign-in/code/", {"code": code_for(device)})
    assert signed_in_as(client) == user


# The administration site.


def test_the_admin_needs_the_second_factor_verified(client):
    admin = User.objects.create_superuser("boss@example.org", PASSWORD)
    enrol(admin)
    force_login_unverified(client, admin)
    assert client.get("/admin/")["Location"].startswith("/account/sign-in/code/")
    login = Client().get("/admin/login/?next=/admin/")
    assert login.status_code == 302 and login["Location"] == "/account/sign-in/?next=/admin/"
    verified = Client()
    verified.force_login(admin)
    assert verified.get("/admin/").status_code == 200


def test_a_site_admin_resets_a_second_factor_and_it_is_audited(client):
    admin = person_with(Role.SITE_ADMIN, "boss@example.org")
    officer = person_with(Role.AREA_OFFICER, "officer@example.org")
    enrol(officer)
    new_recovery_codes(user=officer)
    officer_client = Client()
    officer_client.force_login(officer)
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [officer.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Reset the second factor of 1 person(s)" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    assert not StaticToken.objects.filter(device__user=officer).exists()
    event = AuditEvent.objects.get(action="second factor reset")
    assert event.actor == admin and event.object_id == str(officer.pk)
    # Signed out everywhere; at the next sign-in they set up a new app.
    assert signed_in_as(officer_client) is None
    fresh = Client()
    password_step(fresh, officer.email)
    assert fresh.get("/")["Location"].startswith("/account/two-factor/set-up/")


def test_only_site_admins_reach_the_reset(client):
    standards_admin = person_with(Role.STANDARDS_ADMIN, "std@example.org")
    officer = person_with(Role.AREA_OFFICER, "officer@example.org")
    enrol(officer)
    client.force_login(standards_admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [officer.pk]},
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=officer).exists()
    assert not AuditEvent.objects.filter(action="second factor reset").exists()


def test_nobody_reads_device_secrets_in_the_admin(client):
    admin = User.objects.create_superuser("boss@example.org", PASSWORD)
    client.force_login(admin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


# Recovery codes and the account page.


def test_new_recovery_codes_replace_the_old(client):
    user = person_with(Role.AREA_OFFICER)
    enrol(user)
    old = new_recovery_codes(user=user)
    client.force_login(user)
    page = client.get("/account/two-factor/").content.decode()
    assert "You have 10 unused recovery codes" in page
    response = client.post("/account/two-factor/recovery-codes/", {})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10 and not set(codes) & set(old)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == (
        set(codes)
    )


# The demo's published secret.


def test_demo_code_prints_the_current_code_of_a_demo_account(settings):
    user = User.objects.create_user("officer@example.org", PASSWORD)
    device = enrol_authenticator(user=user, key=demo_totp_key())
    out = io.StringIO()
    call_command("demo_code", "Officer@example.org", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    import base64

    key = base64.b32decode(DEMO_TOTP_SECRET)
    assert code in {
        f"{TOTP(key, drift=d).token():06d}" for d in (-1, 0, 1)
    }  # the step may turn between the two
    assert device.verify_token(code)


def test_demo_code_is_refused_in_production(settings):
    user = User.objects.create_user("officer@example.org", PASSWORD)
    enrol_authenticator(user=user, key=demo_totp_key())
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="refuses to run with production settings"):
        call_command("demo_code", "officer@example.org", stdout=io.StringIO())


def test_demo_code_is_refused_for_other_accounts():
    user = User.objects.create_user("someone@example.org", PASSWORD)
    enrol_authenticator(user=user, key=demo_totp_key())
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_code", "someone@example.org", stdout=io.StringIO())


def test_demo_code_is_refused_for_a_demo_email_with_its_own_secret():
    user = User.objects.create_user("officer@example.org", PASSWORD)
    enrol_authenticator(user=user, key=TEST_TOTP_KEY)
    with pytest.raises(CommandError, match="no second factor with the demo secret"):
        call_command("demo_code", "officer@example.org", stdout=io.StringIO())


def test_the_demo_secret_is_published_where_newcomers_look():
    from pathlib import Path

    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert DEMO_TOTP_SECRET in readme and "manage.py demo_code" in readme


def test_the_export_of_a_persons_data_says_whether_they_use_it_and_hides_its_secrets(client):
    import json

    admin = person_with(Role.SITE_ADMIN, "boss@example.org")
    officer = person_with(Role.AREA_OFFICER, "officer@example.org")
    device = enrol(officer)
    codes = new_recovery_codes(user=officer)
    client.force_login(admin)
    response = client.get(f"/account/people/{officer.pk}/data.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["second_factor"] == {"authenticator_app": True, "recovery_codes_left": 10}
    text = response.content.decode()
    assert device.key not in text and not any(code in text for code in codes)


def test_api_tokens_are_not_asked_for_a_code(client):
    from api.services import create_token

    officer = person_with(Role.AREA_OFFICER, "officer@example.org")
    raw = create_token(user=officer, name="Nightly").raw
    response = client.get("/api/v1/providers/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert "results" in response.json()

"""The account page's API tokens: create (shown once), list, revoke."""

import re

import pytest
from django.test import Client

from accounts.models import User
from accounts.selectors import authenticator
from api.models import ApiToken
from api.services import create_token, token_for_request
from tests.accounts.factories import UserFactory
from tests.mfa import code_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> User:
    return UserFactory(email="person@example.org", password="pw-for-tests-123")


def confirm(person: User) -> dict[str, str]:
    """The password and the current code that creating a token asks for again."""
    return {"password": "pw-for-tests-123", "code": code_for(authenticator(user=person))}


@pytest.fixture
def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_pages_need_sign_in(client):
    for path in ("/account/tokens/", "/account/tokens/new/", "/account/tokens/1/revoke/"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_home_links_to_the_token_page(signed_in):
    assert 'href="/account/tokens/"' in signed_in.get("/").content.decode()


def test_create_shows_the_token_once(signed_in, person):
    assert "You have no API tokens" in signed_in.get("/account/tokens/").content.decode()
    response = signed_in.post(
        "/account/tokens/new/", {"name": "School MIS", "expiry": "90", **confirm(person)}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    raw = re.search(r'value="(csp_[^"]+)"', html).group(1)
    token = token_for_request(raw)
    assert token is not None and token.user == person and token.name == "School MIS"
    assert token.expires_at is not None
    listing = signed_in.get("/account/tokens/").content.decode()
    assert "School MIS" in listing and token.prefix in listing and raw not in listing
    assert "Not used yet" in listing and "Active" in listing


def test_there_is_no_token_without_an_expiry(signed_in):
    response = signed_in.post("/account/tokens/new/", {"name": "Forever", "expiry": "never"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "No expiry" not in signed_in.get("/account/tokens/new/").content.decode()
    assert not ApiToken.objects.exists()


def test_create_a_read_only_token_on_the_page(signed_in, person):
    response = signed_in.post(
        "/account/tokens/new/",
        {"name": "Reports", "expiry": "365", "read_only": "on", **confirm(person)},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.read_only is True
    assert "(read only)" in signed_in.get("/account/tokens/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "expiry": "30"}, "Enter a name for the token"),
        ({"name": "x" * 101, "expiry": "30"}, "The name must be 100 characters or fewer"),
        ({"name": "MIS"}, "Select when the token should expire"),
        ({"name": "MIS", "expiry": "forever"}, "Select a valid choice"),
    ],
)
def test_create_errors_use_the_error_summary(signed_in, person, data, message):
    response = signed_in.post("/account/tokens/new/", {**data, **confirm(person)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Create an API token" in html
    assert "govuk-error-summary" in html and message in html
    assert not ApiToken.objects.exists()


def test_revoke_after_confirming(signed_in, person):
    created = create_token(user=person, name="Old MIS")
    page = signed_in.get(f"/account/tokens/{created.token.pk}/revoke/")
    assert "Are you sure you want to revoke “Old MIS”?" in page.content.decode()
    response = signed_in.post(f"/account/tokens/{created.token.pk}/revoke/", follow=True)
    assert "The token “Old MIS” has been revoked" in response.content.decode()
    assert token_for_request(created.raw) is None
    assert "Revoked" in response.content.decode()


def test_someone_elses_token_is_404(signed_in):
    other = UserFactory(email="other@example.org", password="pw-for-tests-123")
    token = create_token(user=other, name="Theirs").token
    assert signed_in.get(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert signed_in.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    listing = signed_in.get("/account/tokens/")
    assert listing.status_code == 200
    assert "API tokens" in listing.content.decode() and "Theirs" not in listing.content.decode()


def test_forms_need_csrf(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.post("/account/tokens/new/", {"name": "x", "expiry": "30"}).status_code == 403


def test_site_admins_can_revoke_tokens_in_the_admin(person):
    token = create_token(user=person, name="Compromised").token
    admin = UserFactory(email="sa@example.org", password="pw-for-tests-123", superuser=True)
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/api/apitoken/")
    assert listing.status_code == 200 and "Compromised" in listing.content.decode()
    change = client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert change.status_code == 200 and "Compromised" in change.content.decode()
    assert token.token_hash not in change.content.decode()
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


# Creating a token on the page asks for the password, and the second factor, again.


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password": ""}, "password", "Enter your password"),
        ({"password": "not-my-password"}, "password", "Your password is not correct"),
        ({"code": ""}, "code", "Enter the 6-digit code from your authenticator app"),
        ({"code": "000000"}, "code", "The code is not correct or has expired"),
    ],
)
def test_creating_a_token_needs_the_password_and_code_again(
    signed_in, person, settings, change, field, message
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    data = {"name": "MIS", "expiry": "30", **confirm(person), **change}
    response = signed_in.post("/account/tokens/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Create an API token" in html
    assert f'<a href="#id_{field}">{message}' in html
    assert 'value="MIS"' in html  # the answers are kept
    assert not ApiToken.objects.exists()


def test_the_page_asks_for_the_code_only_of_those_with_a_second_factor(person):
    from tests.mfa import force_login_unverified

    client = Client()
    force_login_unverified(client, person)  # a person with no role and no authenticator
    page = client.get("/account/tokens/new/").content.decode()
    assert 'id="id_password"' in page and 'autocomplete="current-password"' in page
    assert 'id="id_code"' not in page
    response = client.post(
        "/account/tokens/new/", {"name": "MIS", "expiry": "30", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 200 and ApiToken.objects.filter(name="MIS").exists()

    verified = Client()
    verified.force_login(person)  # now with an authenticator
    page = verified.get("/account/tokens/new/").content.decode()
    assert 'id="id_code"' in page and 'autocomplete="one-time-code"' in page


def test_wrong_passwords_on_the_token_page_count_towards_the_lock_out(signed_in, person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        signed_in.post("/account/tokens/new/", {"name": "MIS", "expiry": "30", "password": "guess"})
    response = signed_in.post(
        "/account/tokens/new/", {"name": "MIS", "expiry": "30", **confirm(person)}
    )
    assert "There have been too many wrong attempts" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert (
        Client()
        .post("/account/sign-in/", {"username": person.email, "password": "pw-for-tests-123"})
        .status_code
        == 429
    )


def test_the_command_needs_no_password():
    import io

    from django.core.management import call_command

    User.objects.create_user("ops@example.org", "pw-for-tests-123")
    out = io.StringIO()
    call_command("create_api_token", "ops@example.org", "--name", "Nightly", stdout=out)
    assert ApiToken.objects.filter(name="Nightly", user__email="ops@example.org").exists()

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def person() -> User:
    return User.objects.create_user("Head@Example.org", PASSWORD)


def test_sign_in_with_email_and_password(client: Client, person: User):
    response = client.post(
        "/account/sign-in/", {"username": "head@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == person


def test_email_is_case_insensitive(client: Client, person: User):
    response = client.post(
        "/account/sign-in/", {"username": "HEAD@example.ORG", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_wrong_password_shows_the_error_summary_and_keeps_the_email(client: Client, person: User):
    response = client.post(
        "/account/sign-in/", {"username": "head@example.org", "password": "nope"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert 'value="head@example.org"' in html
    assert "nope" not in html


def test_empty_form_names_each_field(client: Client):
    html = client.post("/account/sign-in/", {}).content.decode()
    assert 'href="#id_username">Enter your email address' in html
    assert 'href="#id_password">Enter your password' in html


def test_lock_out_after_repeated_failures(client: Client, person: User, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/account/sign-in/", {"username": "head@example.org", "password": "wrong"})
    response = client.post(
        "/account/sign-in/", {"username": "head@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "You have been locked out" in response.content.decode()


def test_the_lock_out_is_of_the_account_in_any_letter_case_not_of_the_address(
    client: Client, person: User, settings
):
    other = User.objects.create_user("officer@example.org", PASSWORD)
    for n in range(settings.AXES_FAILURE_LIMIT):
        email = "HEAD@example.org" if n % 2 else "head@example.org"
        client.post("/account/sign-in/", {"username": email, "password": "wrong"})
    locked = client.post(
        "/account/sign-in/", {"username": "Head@Example.org", "password": PASSWORD}
    )
    assert locked.status_code == 429
    # Someone else at the same address still signs in.
    response = Client().post("/account/sign-in/", {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_sign_out_needs_a_post(client: Client, person: User):
    client.force_login(person)
    assert client.get("/account/sign-out/").status_code == 405
    client.post("/account/sign-out/")
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_sends_a_link(client: Client, person: User):
    response = client.post("/account/password-reset/", {"email": "head@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/account/password-reset/" in mail.outbox[0].body


def test_password_reset_for_unknown_address_reveals_nothing(client: Client):
    response = client.post("/account/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_sessions_expire(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 * 12

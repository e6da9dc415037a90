"""Personal API tokens: stored hashed, sent as Bearer, expiring, revocable; sessions need CSRF."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent, User
from api.models import ApiToken
from api.services import (
    MAX_ACTIVE_TOKENS,
    create_token,
    hash_token,
    note_use,
    revoke_token,
    token_for_request,
)
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> User:
    return UserFactory(email="person@example.org", password="pw-for-tests-123")


def test_only_a_hash_and_a_short_prefix_are_stored(person):
    created = create_token(user=person, name="School MIS")
    token = ApiToken.objects.get()
    assert created.raw.startswith("csp_") and len(created.raw) >= 40
    assert token.token_hash == hash_token(created.raw) != created.raw
    assert created.raw.startswith(token.prefix) and len(token.prefix) == 12
    assert created.raw not in str(list(ApiToken.objects.values()))
    assert AuditEvent.objects.filter(action="api token created").exists()


def test_create_validates(person):
    with pytest.raises(ValidationError) as exc:
        create_token(user=person, name="  ", expires_at=timezone.now() - dt.timedelta(days=1))
    assert set(exc.value.message_dict) == {"name", "expires_at"}
    for n in range(MAX_ACTIVE_TOKENS):
        create_token(user=person, name=f"t{n}")
    with pytest.raises(ValidationError):
        create_token(user=person, name="one too many")


def test_bearer_token_authenticates_as_its_user(person):
    other = UserFactory(email="other@example.org", password="pw-for-tests-123")
    token = create_token(user=person, name="x")
    other_raw = create_token(user=other, name="x").raw
    client = APIClient()
    for header in (f"Bearer {token.raw}", f"bearer {token.raw}"):
        response = client.get("/api/v1/standards/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 200
        request = response.renderer_context["request"]
        assert request.user == person and request.auth.pk == token.token.pk
    response = client.get("/api/v1/standards/", HTTP_AUTHORIZATION=f"Bearer {other_raw}")
    assert response.renderer_context["request"].user == other


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer csp_unknown",
        "Bearer a b",
        "Bearer not-our-token",
        "Bearer " + "x" * 5000,
        "Token abc",
        "Basic cGVyc29uOnB3",
    ],
)
def test_no_valid_token_is_401_with_www_authenticate(header):
    client = APIClient()
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/declarations/", **kwargs)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Authentication required"
    assert body["errors"] == {}


def test_non_ascii_header_is_401():
    response = APIClient().get(
        "/api/v1/declarations/", HTTP_AUTHORIZATION="Bearer csp_é".encode().decode("latin-1")
    )
    assert response.status_code == 401


def test_expired_revoked_and_deactivated_tokens_are_refused(person):
    expired = create_token(user=person, name="e", expires_at=timezone.now() + dt.timedelta(days=1))
    ApiToken.objects.filter(pk=expired.token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2),
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    assert token_for_request(expired.raw) is None
    revoked = create_token(user=person, name="r")
    revoke_token(token=revoked.token, user=person)
    revoke_token(token=revoked.token, user=person)  # twice changes nothing
    assert token_for_request(revoked.raw) is None
    assert AuditEvent.objects.filter(action="api token revoked").count() == 1
    live = create_token(user=person, name="l")
    person.is_active = False
    person.save()
    for raw in (expired.raw, revoked.raw, live.raw):
        assert (
            APIClient().get("/api/v1/standards/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
            == 401
        )


def test_someone_else_cannot_revoke_a_token(person):
    token = create_token(user=person, name="x").token
    other = UserFactory(email="other@example.org", password="pw-for-tests-123")
    with pytest.raises(ValidationError):
        revoke_token(token=token, user=other)


def test_last_use_is_recorded_at_most_once_a_minute(person, django_assert_num_queries):
    created = create_token(user=person, name="x")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {created.raw}")
    client.get("/api/v1/standards/")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/standards/")
    assert ApiToken.objects.get().last_used_at == first
    token = ApiToken.objects.get()
    with django_assert_num_queries(0):
        note_use(token=token, now=first + dt.timedelta(seconds=30))
    with django_assert_num_queries(1):
        note_use(token=token, now=first + dt.timedelta(seconds=61))
    assert ApiToken.objects.get().last_used_at == first + dt.timedelta(seconds=61)


def test_session_auth_works_and_enforces_csrf(person):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.get("/api/v1/standards/").status_code == 200
    response = client.post("/api/v1/declarations/", {"provider": 1}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_command_prints_the_token_alone_once(person):
    out = StringIO()
    call_command("create_api_token", "PERSON@example.org", "--name", "Nightly export", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    token = token_for_request(lines[0])
    assert token is not None and token.user == person and token.name == "Nightly export"
    # A year, the longest a token lives; never "no expiry".
    assert 364 < (token.expires_at - timezone.now()).days + 1 <= 365


def test_command_with_expiry_and_errors(person):
    out = StringIO()
    call_command(
        "create_api_token", person.email, "--name", "x", "--expires-in-days", "30", stdout=out
    )
    token = token_for_request(out.getvalue().strip())
    assert token is not None and token.expires_at is not None
    with pytest.raises(CommandError, match="no account"):
        call_command("create_api_token", "nobody@example.org", "--name", "x")
    with pytest.raises(CommandError, match="between"):
        call_command("create_api_token", person.email, "--name", "x", "--expires-in-days", "0")
    with pytest.raises(CommandError, match="name"):
        call_command("create_api_token", person.email, "--name", " ")

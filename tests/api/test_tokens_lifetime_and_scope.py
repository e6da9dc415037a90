"""API tokens: at most a year's life and never none, an optional read-only scope that is
enforced, and revocation when the owner's password is reset, a role is removed or the account
is deactivated."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Role, User
from accounts.services import grant_role, revoke_role
from api.models import ApiToken
from api.services import create_token, revoke_all_tokens, token_for_request
from tests.accounts.factories import UserFactory
from tests.api.factories import ApiTokenFactory

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="person@example.org", password=PASSWORD)


def _bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_token_lasts_a_year_unless_told_less(person):
    token = create_token(user=person, name="default").token
    assert dt.timedelta(days=364) < token.expires_at - timezone.now() <= dt.timedelta(days=365)
    shorter = create_token(
        user=person, name="short", expires_at=timezone.now() + dt.timedelta(days=30)
    ).token
    assert (shorter.expires_at - timezone.now()).days in (29, 30)


def test_no_token_lives_longer_than_the_maximum(person, settings):
    with pytest.raises(ValidationError) as exc:
        create_token(user=person, name="long", expires_at=timezone.now() + dt.timedelta(days=366))
    assert "at most 365 days" in exc.value.message_dict["expires_at"][0]
    settings.API_TOKEN_MAX_DAYS = 30
    assert (create_token(user=person, name="x").token.expires_at - timezone.now()).days < 30


def test_the_database_refuses_a_token_without_an_expiry(person):
    with pytest.raises(IntegrityError):
        ApiTokenFactory(user=person, expires_at=None)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_only_token_reads_and_is_refused_anything_else(person, method):
    raw = create_token(user=person, name="reader", read_only=True).raw
    client = _bearer(raw)
    assert client.get("/api/v1/standards/").status_code == 200
    response = getattr(client, method)("/api/v1/declarations/1/", {}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_a_full_token_is_not_refused_for_its_scope(person):
    raw = create_token(user=person, name="writer").raw
    response = _bearer(raw).post("/api/v1/declarations/", {}, format="json")
    assert response.status_code == 400  # the body is wrong; the token may write


def test_create_api_token_command_makes_read_only_tokens(person):
    out = StringIO()
    call_command("create_api_token", person.email, "--name", "r", "--read-only", stdout=out)
    assert token_for_request(out.getvalue().strip()).read_only is True


def _active(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()


def test_tokens_are_revoked_when_the_password_is_reset_by_email(person, client: Client):
    raw = create_token(user=person, name="a").raw
    create_token(user=person, name="b")
    client.post("/account/password-reset/", {"email": person.email})
    link = re.search(r"(/account/password-reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-pass-2026", "new_password2": "a-new-long-pass-2026"},
    )
    assert done.status_code == 302
    assert _active(person) == 0
    assert token_for_request(raw) is None
    assert set(ApiToken.objects.values_list("revoked_reason", flat=True)) == {"password changed"}
    assert AuditEvent.objects.filter(action="api tokens revoked").count() == 1


def test_tokens_are_revoked_when_the_password_is_changed_anywhere(person):
    create_token(user=person, name="a")
    person.set_password("changed-by-an-admin-99")
    person.save()
    assert _active(person) == 0


def test_saving_a_person_without_changing_the_password_keeps_the_tokens(person):
    create_token(user=person, name="a")
    person.full_name = "New Name"
    person.save()
    assert _active(person) == 1


def test_tokens_are_revoked_when_a_role_is_removed(person):
    grant = grant_role(user=person, role=Role.NATIONAL_ANALYST)
    raw = create_token(user=person, name="a").raw
    assert _bearer(raw).get("/api/v1/standards/").status_code == 200
    revoke_role(grant=grant)
    assert _bearer(raw).get("/api/v1/standards/").status_code == 401
    assert ApiToken.objects.get().revoked_reason == "a role was removed"


def test_revoking_all_twice_revokes_nothing_more(person):
    create_token(user=person, name="a")
    assert revoke_all_tokens(user=person, reason="test") == 1
    assert revoke_all_tokens(user=person, reason="test") == 0


def test_revoke_api_tokens_command_revokes_everyones(person):
    other = UserFactory(email="other@example.org", password=PASSWORD)
    create_token(user=person, name="a")
    create_token(user=other, name="b")
    out = StringIO()
    call_command("revoke_api_tokens", "--all", "--reason", "secret key rotated", stdout=out)
    assert out.getvalue().strip() == "2 tokens revoked"
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_tokens_without_expiry_one_a_year_away():
    executor = MigrationExecutor(connection)
    executor.migrate([("api", "0001_api_tokens")])
    old = executor.loader.project_state([("api", "0001_api_tokens")]).apps
    OldUser = old.get_model("accounts", "User")
    OldToken = old.get_model("api", "ApiToken")
    user = OldUser.objects.create(email="old@example.org", password="!")
    OldToken.objects.create(user=user, name="old", prefix="csp_old", token_hash="1" * 64)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    token = ApiToken.objects.get(name="old")
    assert dt.timedelta(days=364) < token.expires_at - timezone.now() <= dt.timedelta(days=365)
    assert token.read_only is False


def test_the_new_password_page_says_tokens_will_be_revoked(person, client: Client):
    client.post("/account/password-reset/", {"email": person.email})
    link = re.search(r"(/account/password-reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body).group(1)
    html = client.get(link, follow=True).content.decode()
    assert "A new password revokes any API tokens you have." in html
    assert "<li></li>" not in html

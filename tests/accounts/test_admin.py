"""Site admins invite people and grant roles in the admin; every change is audited."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import AuditEvent, Role, RoleGrant, User
from tests.accounts.factories import AuditEventFactory, UserFactory
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(django_capture_on_commit_callbacks) -> Client:
    admin = UserFactory(email="boss@example.org", password="pw-for-tests-123", superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def inline(prefix: str = "grants", **rows) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows.get("forms", []))),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, form in enumerate(rows.get("forms", [])):
        for key, value in form.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def test_adding_a_person_sends_an_invitation_and_grants_roles(
    admin_client: Client, django_capture_on_commit_callbacks
):
    area = AreaFactory()
    data = {
        "email": "New.Officer@example.org",
        "full_name": "New Officer",
        **inline(forms=[{"role": Role.AREA_OFFICER, "area": str(area.pk)}]),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email__iexact="new.officer@example.org")
    assert not user.has_usable_password()
    assert RoleGrant.objects.filter(user=user, role=Role.AREA_OFFICER, area=area).exists()
    assert len(mail.outbox) == 1 and "password-reset" in mail.outbox[0].body
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"person invited", "role granted"} <= actions


def test_a_role_without_its_scope_is_explained_at_the_field(admin_client: Client):
    area = AreaFactory()
    data = {
        "email": "someone@example.org",
        "full_name": "Some One",
        **inline(
            forms=[
                {"role": Role.PROVIDER_EDITOR, "area": str(area.pk)},
                {"role": Role.NATIONAL_ANALYST, "area": str(area.pk)},
            ]
        ),
    }
    response = admin_client.post("/admin/accounts/user/add/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the provider this provider editor works for" in html
    assert "A provider editor has no local authority area: leave this empty" in html
    assert "A national analyst has no local authority area: leave this empty" in html
    assert "is violated" not in html
    assert not User.objects.filter(email__iexact="someone@example.org").exists()


def test_audit_trail_is_read_only_in_the_admin(admin_client: Client):
    AuditEventFactory(action="role granted", object_type="accounts.rolegrant", actor_label="x")
    event = AuditEvent.objects.get()
    assert admin_client.get(f"/admin/accounts/auditevent/{event.pk}/change/").status_code == 200
    assert (
        admin_client.post(
            f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.count() == 1

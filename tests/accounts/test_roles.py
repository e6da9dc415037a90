import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.access import access_for
from accounts.models import AuditEvent, Role, RoleGrant, User
from accounts.services import grant_role, invite_user, revoke_role
from tests.accounts.factories import RoleGrantFactory, UserFactory
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> User:
    return UserFactory(email="person@example.org", password="pw-for-tests-123")


def test_grant_is_audited_and_idempotent(person: User):
    area = AreaFactory()
    admin = UserFactory(email="boss@example.org", password="pw-for-tests-123", superuser=True)
    grant_role(user=person, role=Role.AREA_OFFICER, scope=area, granted_by=admin)
    grant_role(user=person, role=Role.AREA_OFFICER, scope=area, granted_by=admin)
    assert RoleGrant.objects.filter(user=person).count() == 1
    event = AuditEvent.objects.get(action="role granted")
    assert event.actor == admin
    assert event.changes["role"] == "area_officer"
    assert access_for(User.objects.get(pk=person.pk)).area_ids == {area.pk}


def test_revoke_is_audited_and_removes_access(person: User):
    grant = grant_role(user=person, role=Role.PROVIDER_EDITOR, scope=ProviderFactory())
    revoke_role(grant=grant)
    assert not RoleGrant.objects.exists()
    assert AuditEvent.objects.filter(action="role revoked").count() == 1
    assert access_for(User.objects.get(pk=person.pk)).edit_provider_ids == frozenset()


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.AREA_OFFICER, None), (Role.NATIONAL_ANALYST, "area"), (Role.PROVIDER_EDITOR, "area")],
)
def test_a_role_needs_exactly_its_kind_of_scope(person: User, role, scope):
    area = AreaFactory()
    with pytest.raises(ValidationError):
        grant_role(user=person, role=role, scope=area if scope else None)


def test_the_database_refuses_a_grant_with_the_wrong_scope(person: User):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrantFactory(user=person, role=Role.AREA_OFFICER, provider=ProviderFactory())


def test_standards_and_site_admin_roles_drive_the_admin_flags(person: User):
    grant = grant_role(user=person, role=Role.STANDARDS_ADMIN)
    person.refresh_from_db()
    assert person.is_staff and not person.is_superuser
    assert person.has_perm("standards.change_requirement")
    site = grant_role(user=person, role=Role.SITE_ADMIN)
    person.refresh_from_db()
    assert person.is_superuser
    revoke_role(grant=site)
    revoke_role(grant=grant)
    person = User.objects.get(pk=person.pk)
    assert not person.is_staff and not person.is_superuser
    assert not person.has_perm("standards.change_requirement")


def test_invite_creates_an_account_without_a_password_and_emails_a_link(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        user = invite_user(email="New.Person@Example.org", full_name="New Person", invited_by=None)
    assert user.email == "new.person@example.org"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/account/password-reset/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="person invited", object_id=str(user.pk)).exists()


def test_invite_refuses_an_existing_address(person: User):
    with pytest.raises(ValidationError):
        invite_user(email="PERSON@example.org", invited_by=None)

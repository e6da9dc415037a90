import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.access import access_for
from accounts.models import AuditEvent, RoleGrant, User
from core.demo import DEMO_PASSWORD
from providers.demo import DEMO_HEADTEACHER_SCHOOL_URN
from providers.models import Area, IntegratedCareBoard, Provider
from standards.models import Requirement, StandardVersion, VersionStatus

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot() -> tuple:
    return (
        list(StandardVersion.objects.values_list("id", "status", "content_hash")),
        Requirement.objects.count(),
        list(
            User.objects.order_by("email").values_list(
                "id", "email", "password", "is_staff", "is_superuser"
            )
        ),
        list(RoleGrant.objects.order_by("id").values_list("id", "user_id", "role")),
        list(
            Provider.objects.order_by("id").values_list("id", "name", "urn", "status", "updated_at")
        ),
        Area.objects.count(),
        IntegratedCareBoard.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_loads_and_publishes_the_default_standard_and_creates_sign_ins():
    out = seed()
    version = StandardVersion.objects.get(standard__slug="send-statutory-baseline")
    assert version.status == VersionStatus.PUBLISHED
    assert version.requirements.count() >= 100
    standards_admin = User.objects.get(email="standards@example.org")
    assert standards_admin.check_password(DEMO_PASSWORD)
    assert standards_admin.has_perm("standards.change_standardversion")
    assert User.objects.get(email="admin@example.org").is_superuser
    assert "standards@example.org" in out and DEMO_PASSWORD in out


def test_seed_creates_areas_providers_and_scoped_demo_users():
    seed()
    assert Area.objects.count() == 153
    school = Provider.objects.get(urn=DEMO_HEADTEACHER_SCHOOL_URN)
    head = access_for(User.objects.get(email="headteacher@example.org"))
    officer = access_for(User.objects.get(email="officer@example.org"))
    icb = access_for(User.objects.get(email="icb@example.org"))
    assert head.edit_provider_ids == {school.pk}
    assert officer.area_ids == {school.area_id}
    assert IntegratedCareBoard.objects.filter(
        pk__in=icb.icb_ids, coverage__area=school.area
    ).exists()
    assert access_for(User.objects.get(email="analyst@example.org")).national
    types = set(Provider.objects.values_list("provider_type", flat=True))
    assert {
        "early_years_setting",
        "mainstream_school",
        "further_education_college",
        "local_authority",
        "integrated_care_board",
    } <= types


def test_seed_twice_changes_nothing_and_fails_on_nothing():
    seed()
    before = snapshot()
    seed()
    assert snapshot() == before


def test_seed_refuses_production_settings(settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="refuses to run with production settings"):
        seed()
    assert not StandardVersion.objects.exists()

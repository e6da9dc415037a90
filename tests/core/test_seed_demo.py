import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from core.demo import DEMO_PASSWORD
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

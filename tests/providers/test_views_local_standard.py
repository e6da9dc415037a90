"""Area officers, and standards admins for any area, load a local standard on the area's page."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditEvent, Role, User
from accounts.services import grant_role
from standards.models import StandardVersion
from tests.providers.factories import AreaFactory
from tests.standards.builders import as_yaml, make_version
from tests.standards.test_local_standards import local_doc, national_with_thresholds, raised

pytestmark = pytest.mark.django_db


@pytest.fixture
def national() -> StandardVersion:
    return make_version(national_with_thresholds(), publish=True)


@pytest.fixture
def area():
    AreaFactory(code="998", name="Elsewhere")
    return AreaFactory(code="999", name="Testshire")


def client_for(role: str, scope: Any = None) -> Client:
    user = User.objects.create_user(f"{role}@example.org", "pw-for-tests-123")
    grant_role(user=user, role=role, scope=scope)
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, doc: dict[str, Any], code: str = "999", name: str = "local.yaml"):
    return client.post(
        f"/areas/{code}/local-standard/",
        {"standard_file": SimpleUploadedFile(name, as_yaml(doc).encode(), "application/yaml")},
    )


def test_an_area_officer_loads_a_local_standard_for_their_area(national, area):
    client = client_for(Role.AREA_OFFICER, area)
    page = client.get("/areas/999/")
    assert "Load a local standard" in page.content.decode()
    response = upload(client, local_doc(raised()))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Local standard loaded as a draft" in html
    version = StandardVersion.objects.get(standard__slug="testshire-local")
    assert version.extends == national and version.is_draft
    assert AuditEvent.objects.filter(action="Local standard loaded").exists()
    assert "Testshire version 1.0" in client.get("/areas/999/").content.decode()


def test_every_problem_is_named_in_the_error_summary_and_nothing_is_loaded(national, area):
    client = client_for(Role.AREA_OFFICER, area)
    doc = local_doc(raised(strength="should", rule={"op": "number_at_least", "value": 10}))
    response = upload(client, doc)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in html and "There is a problem" in html
    assert "sections[0].requirements[0].strength" in html
    assert "never lowers a threshold" in html
    assert not StandardVersion.objects.filter(standard__slug="testshire-local").exists()


def test_an_officer_cannot_load_a_file_for_another_area(national, area):
    client = client_for(Role.AREA_OFFICER, area)
    response = upload(client, local_doc(area="998"))
    assert response.status_code == 400
    assert "for area 999 only" in response.content.decode()
    assert upload(client, local_doc(area="998"), code="998").status_code == 404


def test_a_national_file_is_refused_on_the_page(national, area):
    client = client_for(Role.AREA_OFFICER, area)
    response = upload(client, national_with_thresholds() | {"version": "2.0"})
    assert response.status_code == 400
    assert "this is not a local standard" in response.content.decode()
    assert not StandardVersion.objects.filter(version="2.0").exists()


@pytest.mark.parametrize(
    ("role", "scoped", "code", "expected"),
    [
        (Role.AREA_OFFICER, True, "999", 200),
        (Role.AREA_OFFICER, True, "998", 404),
        (Role.STANDARDS_ADMIN, False, "999", 200),
        (Role.STANDARDS_ADMIN, False, "998", 200),
        (Role.NATIONAL_ANALYST, False, "999", 404),
    ],
)
def test_who_may_open_the_page(area, role, scoped, code, expected):
    client = client_for(role, area if scoped else None)
    assert client.get(f"/areas/{code}/local-standard/").status_code == expected

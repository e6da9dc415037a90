"""Area officers upload a GIAS extract for their area in the browser."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditEvent, Role
from accounts.services import grant_role
from providers.models import Area, Provider
from tests.accounts.factories import UserFactory
from tests.providers.builders import HEADER_2024, edit_cells, establishment, gias_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(areas) -> Client:
    user = UserFactory(email="officer@example.org", password="pw-for-tests-123")
    grant_role(user=user, role=Role.AREA_OFFICER, scope=Area.objects.get(code="213"))
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes, name: str = "edubasealldata.csv"):
    return client.post(
        "/areas/213/import/", {"extract": SimpleUploadedFile(name, content, "text/csv")}
    )


def test_upload_updates_only_the_officers_area_and_reports(officer_client: Client):
    rows = [
        establishment(URN="999001", EstablishmentName="Westminster Primary"),
        establishment(URN="999002", **{"LA (code)": "202", "LA (name)": "Camden"}),
    ]
    response = upload(officer_client, gias_bytes(rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Providers updated" in html
    assert Provider.objects.filter(urn="999001", area__code="213").exists()
    assert not Provider.objects.filter(urn="999002").exists()
    assert "outside your area" in html
    assert AuditEvent.objects.filter(action="GIAS extract imported").exists()


def test_a_bad_file_changes_nothing_and_lists_every_problem(officer_client: Client):
    rows = [
        establishment(URN="999001", OpenDate="31/02/2024"),
        establishment(URN="999003", CloseDate="not a date"),
    ]
    response = upload(officer_client, gias_bytes(rows))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in html
    assert "There is a problem" in html
    assert "edubasealldata.csv:2" in html and "edubasealldata.csv:3" in html
    assert not Provider.objects.filter(urn__in=["999001", "999003"]).exists()


def test_a_row_with_an_extra_cell_changes_nothing(officer_client: Client):
    street = HEADER_2024.index("Street")
    data = gias_bytes([establishment(URN="999001"), establishment(URN="999002")])
    data = edit_cells(data, 3, lambda cells: cells.insert(street + 1, b"Flat 1"))
    response = upload(officer_client, data)
    assert response.status_code == 400
    assert "edubasealldata.csv:3: has 141 cells but the header has 140 columns" in (
        response.content.decode()
    )
    assert not Provider.objects.exists()


def test_upload_audits_each_provider_as_the_officer(officer_client: Client):
    response = upload(officer_client, gias_bytes([establishment(URN="999001")]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="provider created by GIAS import")
    assert event.actor_label == "officer@example.org"
    assert event.object_id == str(Provider.objects.get(urn="999001").pk)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("extract.xlsx", b"x", "The selected file must be a CSV"),
        ("extract.csv", b"", "The selected file is empty"),
    ],
)
def test_upload_form_errors(officer_client: Client, name, content, message):
    response = upload(officer_client, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_no_file_selected(officer_client: Client):
    response = officer_client.post("/areas/213/import/", {})
    assert response.status_code == 400
    assert "Select a GIAS extract file" in response.content.decode()


def test_missing_required_column_is_named(officer_client: Client):
    response = upload(officer_client, gias_bytes([establishment()], drop=("EstablishmentName",)))
    assert response.status_code == 400
    assert "EstablishmentName" in response.content.decode()


def test_officer_of_another_area_cannot_upload(areas):
    user = UserFactory(email="camden@example.org", password="pw-for-tests-123")
    grant_role(user=user, role=Role.AREA_OFFICER, scope=Area.objects.get(code="202"))
    client = Client()
    client.force_login(user)
    assert client.get("/areas/213/import/").status_code == 404
    assert upload(client, gias_bytes([establishment()])).status_code == 404


def test_the_command_line_import_is_audited(areas, tmp_path):
    from django.core.management import call_command

    from tests.providers.builders import write_gias

    path = write_gias(tmp_path, [establishment(URN="999010")])
    call_command("import_gias", str(path), stdout=__import__("io").StringIO())
    event = AuditEvent.objects.get(object_label=str(path))
    assert event.actor is None and "created: 1" in event.changes["summary"]

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.standards.builders import document, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    first = make_version(publish=True)
    doc = document(version="1.1")
    doc["sections"][0]["requirements"][0]["weight"] = 5
    second = make_version(doc, publish=True)
    draft = make_version(document(version="2.0"))
    return first, second, draft


@pytest.fixture
def author(client: Client) -> Client:
    user = UserFactory(email="author@example.org", password="pw-for-tests-123")
    user.user_permissions.add(Permission.objects.get(codename="change_standardversion"))
    client.force_login(user)
    return client


def page(client: Client, url: str) -> str:
    """The page's HTML, once it is the page asked for (an error page would not do)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_list_shows_published_and_superseded_versions_but_not_drafts(client: Client, versions):
    html = page(client, "/standards/")
    assert "Version 1.0" in html
    assert "Version 1.1" in html
    assert "Superseded" in html
    assert "Version 2.0" not in html


def test_version_page_lists_sections_and_requirements(client: Client, versions):
    response = client.get("/standards/test-standard/1.1/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 requirements" in html
    assert "Leadership" in html
    assert "SCH-POLICY-URL" in html
    assert versions[1].content_hash in html


def test_version_page_filters_by_provider_type(client: Client, versions):
    html = page(client, "/standards/test-standard/1.1/?provider_type=local_authority")
    assert "1 requirement<" in html
    assert "Showing the requirements that apply to: Local authority." in html
    assert "LA-LOCAL-OFFER" in html
    assert "SCH-POLICY-URL" not in html
    assert "Leadership" not in html


def test_unknown_provider_type_is_a_clear_error(client: Client, versions):
    response = client.get("/standards/test-standard/1.1/?provider_type=castle")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error:" in html


def test_drafts_are_hidden_from_the_public(client: Client, versions):
    assert client.get("/standards/test-standard/2.0/").status_code == 404
    assert (
        client.get("/standards/test-standard/2.0/requirements/SCH-POLICY-URL/").status_code == 404
    )


def test_drafts_are_visible_to_standards_authors(author: Client, versions):
    assert author.get("/standards/test-standard/2.0/").status_code == 200


def test_requirement_page_shows_guidance_rule_and_citations(client: Client, versions):
    response = client.get("/standards/test-standard/1.1/requirements/SCH-POLICY-REVIEWED/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "When was your SEN policy last reviewed?" in html
    assert "The answer must be a date in the 12 months before the assessment." in html
    assert "SEND Code of Practice, 6.79" in html


def test_unknown_requirement_is_404(client: Client, versions):
    assert client.get("/standards/test-standard/1.1/requirements/NOPE-NOPE/").status_code == 404


def test_diff_page_compares_two_versions(client: Client, versions):
    response = client.get("/standards/test-standard/compare/?from=1.0&to=1.1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Requirements changed" in html
    assert "SCH-POLICY-URL" in html
    assert "Weight" in html


def test_diff_page_shows_section_changes(client: Client):
    make_version(publish=True)
    doc = document(version="1.1")
    doc["sections"][0]["weight"] = 5
    make_version(doc, publish=True)
    html = page(client, "/standards/test-standard/compare/?from=1.0&to=1.1")
    assert "What changed in the section" in html
    assert "only their sections differ" in html


def test_diff_page_rejects_unknown_versions(client: Client, versions):
    response = client.get("/standards/test-standard/compare/?from=9.9&to=1.1")
    assert response.status_code == 400
    assert "Select the version to compare from" in response.content.decode()


def test_diff_of_unknown_standard_is_404(client: Client):
    assert client.get("/standards/nope/compare/").status_code == 404

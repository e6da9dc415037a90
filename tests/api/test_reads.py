"""Standards, versions, requirements, areas and providers: read, filter, order, paginate."""

from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.models import Role, User
from accounts.services import grant_role
from providers.models import ProviderStatus
from standards.vocabulary import ProviderType
from tests.accounts.factories import UserFactory
from tests.api.conftest import bearer_client
from tests.providers.factories import AreaFactory, ProviderFactory
from tests.standards.builders import document, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst() -> User:
    user = UserFactory(email="analyst@example.org", password="pw-for-tests-123")
    grant_role(user=user, role=Role.NATIONAL_ANALYST)
    return user


def ids(response) -> list:
    assert response.status_code == 200, response.content
    return [r.get("id", r.get("code", r.get("key"))) for r in response.json()["results"]]


def test_standards_show_only_public_versions_to_non_authors(editor_api, choices_version):
    doc = document(version="2.0")
    doc["standard"]["slug"] = "send-statutory-baseline"
    draft = make_version(doc)
    body = editor_api.get("/api/v1/standards/").json()
    assert [v["version"] for v in body["results"][0]["versions"]] == ["1.0"]
    assert editor_api.get(f"/api/v1/versions/{draft.pk}/").status_code == 404
    assert (
        editor_api.get("/api/v1/standards/send-statutory-baseline/").json()["slug"]
        == "send-statutory-baseline"
    )
    assert editor_api.get("/api/v1/standards/nope/").status_code == 404
    admin = UserFactory(email="sa@example.org", password="pw-for-tests-123", superuser=True)
    assert bearer_client(admin).get(f"/api/v1/versions/{draft.pk}/").status_code == 200


def test_version_detail_has_sections(editor_api, choices_version):
    body = editor_api.get(f"/api/v1/versions/{choices_version.pk}/").json()
    assert [s["code"] for s in body["sections"]] == ["GOVERNANCE", "LOCAL-OFFER"]
    assert body["content_hash"] == choices_version.content_hash
    assert (
        editor_api.get(
            "/api/v1/versions/?status=published&standard=send-statutory-baseline"
        ).json()["count"]
        == 1
    )
    assert editor_api.get("/api/v1/versions/?status=draft").json()["count"] == 0


def test_requirements_filter_by_provider_type(editor_api, choices_version):
    url = f"/api/v1/versions/{choices_version.pk}/requirements/"
    assert ids(editor_api.get(url))[-1] == "LA-LOCAL-OFFER"
    school_keys = ids(editor_api.get(f"{url}?provider_type=mainstream_school"))
    assert "LA-LOCAL-OFFER" not in school_keys and len(school_keys) == 7
    assert ids(editor_api.get(f"{url}?provider_type=local_authority")) == ["LA-LOCAL-OFFER"]
    assert ids(editor_api.get(f"{url}?section=LOCAL-OFFER&strength=must")) == ["LA-LOCAL-OFFER"]
    requirement = editor_api.get(f"{url}?provider_type=local_authority").json()["results"][0]
    assert requirement["rule"] == {"op": "is_yes"}
    assert requirement["rule_text"].startswith("The answer must be")
    assert requirement["citations"][0]["document"] == "Children and Families Act 2014"
    bad = editor_api.get(f"{url}?provider_type=castle")
    assert bad.status_code == 400 and "provider_type" in bad.json()["errors"]
    assert editor_api.get("/api/v1/versions/999/requirements/").status_code == 404


def test_providers_filter_by_area_type_status_and_identifier(analyst):
    area, other = AreaFactory(name="Ownshire"), AreaFactory(name="Othershire")
    a = ProviderFactory(area=area, name="Alpha School", urn="100001", ukprn="10000001")
    b = ProviderFactory(area=area, name="Beta School", status=ProviderStatus.CLOSED)
    c = ProviderFactory(area=other, name="Gamma School")
    la = ProviderFactory(area=area, local_authority=True)
    client = bearer_client(analyst)
    assert ids(client.get("/api/v1/providers/")) == [a.pk, b.pk, c.pk, la.pk]
    assert ids(client.get(f"/api/v1/providers/?area={area.code}")) == [a.pk, b.pk, la.pk]
    assert ids(client.get(f"/api/v1/providers/?area={area.gss_code.lower()}")) == [
        a.pk,
        b.pk,
        la.pk,
    ]
    assert ids(client.get(f"/api/v1/providers/?provider_type={ProviderType.LOCAL_AUTHORITY}")) == [
        la.pk
    ]
    assert ids(client.get("/api/v1/providers/?status=closed")) == [b.pk]
    assert ids(client.get("/api/v1/providers/?urn=100001")) == [a.pk]
    assert ids(client.get("/api/v1/providers/?ukprn=10000001")) == [a.pk]
    assert ids(client.get("/api/v1/providers/?name=gamma")) == [c.pk]
    assert ids(client.get("/api/v1/providers/?ordering=-name&provider_type=mainstream_school")) == [
        c.pk,
        b.pk,
        a.pk,
    ]
    assert client.get(f"/api/v1/providers/{a.pk}/").json()["area"] == {
        "code": area.code,
        "name": "Ownshire",
    }


def test_pagination_is_stable_and_validated(analyst):
    area = AreaFactory()
    made = [ProviderFactory(area=area, name="Same name").pk for _ in range(5)]
    client = bearer_client(analyst)
    first = client.get("/api/v1/providers/?page_size=2&ordering=name").json()
    second = client.get("/api/v1/providers/?page_size=2&ordering=name&page=2").json()
    third = client.get("/api/v1/providers/?page_size=2&ordering=name&page=3").json()
    seen = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert seen == made and first["count"] == 5
    assert parse_qs(urlsplit(first["next"]).query) == {
        "page": ["2"],
        "page_size": ["2"],
        "ordering": ["name"],
    }
    assert third["next"] is None
    beyond = client.get("/api/v1/providers/?page=9")
    assert beyond.status_code == 404 and beyond.json()["status"] == 404


def test_areas_are_scoped(editor_api, officer, school, analyst):
    AreaFactory(name="Othershire")
    assert ids(editor_api.get("/api/v1/areas/")) == []
    assert ids(bearer_client(officer).get("/api/v1/areas/")) == [school.area.code]
    assert (
        bearer_client(officer).get(f"/api/v1/areas/{school.area.code}/").json()["name"]
        == "Ownshire"
    )
    assert len(ids(bearer_client(analyst).get("/api/v1/areas/?ordering=-name"))) == 2
    assert editor_api.get(f"/api/v1/areas/{school.area.code}/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "q=Brook",
        "q=100200",
        "provider_type=special_school",
        "status=closed",
        "area=213",
        "q=brook&provider_type=mainstream_school",
    ],
)
def test_the_providers_page_and_the_api_filter_alike(analyst, query):
    from django.test import Client

    area = AreaFactory(code="213", name="Ownshire")
    ProviderFactory(area=area, name="Brook Primary School", urn="100100")
    ProviderFactory(
        area=area, name="Hill Special School", urn="100200", provider_type="special_school"
    )
    ProviderFactory(name="Brook Academy", urn="100300", status=ProviderStatus.CLOSED)
    ProviderFactory(name="Elsewhere School", urn="100400")
    body = bearer_client(analyst).get(f"/api/v1/providers/?{query}&ordering=name").json()
    from_api = [p["name"] for p in body["results"]]
    page = Client()
    page.force_login(analyst)
    response = page.get(f"/providers/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    shown = [name for name in sorted(from_api) if f">{name}<" in html]
    assert from_api and shown == from_api
    hidden = {"Brook Primary School", "Hill Special School", "Brook Academy", "Elsewhere School"}
    assert not any(f">{name}<" in html for name in hidden - set(from_api))


def test_a_list_in_a_fixed_order_refuses_ordering(analyst):
    response = bearer_client(analyst).get("/api/v1/standards/?ordering=id")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "ordering": ["This field is not known. Check its spelling."]
    }

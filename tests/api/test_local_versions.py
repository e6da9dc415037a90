"""A declaration's local standard version through the API: named with the national one, or null."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from audits.models import Declaration
from standards.services import load_version, publish_version
from tests.api.conftest import bearer_client
from tests.audits.factories import make_declaration
from tests.standards.builders import as_yaml

pytestmark = pytest.mark.django_db

LOCAL_KEY = "OWNSHIRE-PROVISION-MAP"


def local_document(area_code: str) -> dict:
    return {
        "format": 1,
        "standard": {"slug": "ownshire-local", "title": "Ownshire", "owner": "Ownshire"},
        "extends": {"slug": "send-statutory-baseline", "version": "1.0"},
        "area": area_code,
        "version": "1.0",
        "effective_from": "2026-09-01",
        "sections": [
            {
                "code": "OWNSHIRE-OAP",
                "title": "Ownshire ordinarily available provision",
                "requirements": [
                    {
                        "key": LOCAL_KEY,
                        "title": "Provision map kept",
                        "question": "Do you keep a provision map?",
                        "theme": "ordinarily_available_provision",
                        "applies_to": ["mainstream_school"],
                        "strength": "good_practice",
                        "answer": {"type": "yes_no"},
                        "rule": {"op": "is_yes"},
                        "citations": [{"document": "Local offer", "reference": "OAP 1"}],
                    }
                ],
            }
        ],
    }


@pytest.fixture
def local(school, choices_version):
    load_version(text=as_yaml(local_document(school.area.code)))
    return publish_version(slug="ownshire-local", version="1.0")


def test_a_new_declaration_names_the_areas_local_version_and_asks_its_questions_last(
    editor_api, school, local
):
    response = editor_api.post("/api/v1/declarations/", {"provider": school.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["local_version"] == {
        "id": local.pk,
        "standard": "ownshire-local",
        "version": "1.0",
        "content_hash": local.content_hash,
    }
    assert len(local.content_hash) == 64
    assert body["version"]["standard"] == "send-statutory-baseline"
    assert [a["requirement_key"] for a in body["answers"]][-1] == LOCAL_KEY
    # The local answer is changed like any other.
    changed = editor_api.patch(
        f"/api/v1/declarations/{body['id']}/",
        {"answers": {LOCAL_KEY: {"value": True}}},
        format="json",
        HTTP_IF_MATCH=body["etag"],
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["local_version"]["id"] == local.pk
    listed = editor_api.get("/api/v1/declarations/").json()["results"]
    assert [d["local_version"]["standard"] for d in listed] == ["ownshire-local"]
    assert Declaration.objects.get(pk=body["id"]).local_version == local


def test_without_a_local_standard_the_local_version_is_null(editor_api, school, choices_version):
    body = editor_api.post("/api/v1/declarations/", {"provider": school.pk}, format="json").json()
    assert body["local_version"] is None
    listed = editor_api.get("/api/v1/declarations/").json()["results"]
    assert [d["local_version"] for d in listed] == [None]


def test_reading_a_declaration_with_a_local_version_costs_no_more_queries(editor, school, local):
    declaration = make_declaration(provider=school, version=local.extends)
    Declaration.objects.filter(pk=declaration.pk).update(local_version=local)
    client = bearer_client(editor)
    client.get(f"/api/v1/declarations/{declaration.pk}/")  # last-use write happens once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/declarations/{declaration.pk}/")
    assert response.status_code == 200
    assert response.json()["local_version"]["content_hash"] == local.content_hash
    # token+user, role grants, declaration (+provider, versions, standards), answers
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_the_schema_documents_the_local_version():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    schemas = schema["components"]["schemas"]
    for name in ("Declaration", "DeclarationDetail"):
        field = schemas[name]["properties"]["local_version"]
        assert field["nullable"] is True
        assert field["allOf"] == [{"$ref": "#/components/schemas/LocalVersionRef"}]
        assert "local_version" in schemas[name]["required"]
    assert set(schemas["LocalVersionRef"]["properties"]) == {
        "id",
        "standard",
        "version",
        "content_hash",
    }

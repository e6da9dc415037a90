"""Property-based tests against the OpenAPI schema: every operation, with at least the checks
not_a_server_error, response_schema_conformance and content_type_conformance.

Requests go through WSGI in-process, as a provider editor whose school has a draft
declaration. Generated ids are swapped for real ones half of the time (and If-Match for the
real ETag), so that the success paths are exercised as well as the 4xx ones.
"""

from dataclasses import dataclass

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from api.services import create_token
from audits.models import Declaration
from scoring.models import Gap
from scoring.services import score_declaration
from scoring.specs import clear_caches
from tests.audits.factories import make_declaration

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@dataclass
class Data:
    token: str
    declaration: Declaration
    submitted: Declaration
    gap: Gap
    ids: dict[str, str]


@pytest.fixture
def data(editor, school, choices_version) -> Data:
    clear_caches()
    submitted = make_declaration(
        provider=school, version=choices_version, period="2025/26", submitted=True
    )
    score_declaration(declaration_id=submitted.pk)
    return Data(
        token=create_token(user=editor, name="schemathesis").raw,
        declaration=make_declaration(
            provider=school, version=choices_version, answers={"SCH-YES": True}
        ),
        submitted=submitted,
        gap=Gap.objects.filter(provider=school).first(),
        ids={
            "providers": str(school.pk),
            "versions": str(choices_version.pk),
            "areas": school.area.code,
            "standards": choices_version.standard.slug,
        },
    )


def use_real_objects(case, data: Data) -> None:
    parameters = case.path_parameters or {}
    resource = case.path.split("/")[3]
    for name in ("id", "code", "slug"):
        if name not in parameters or hash(str(parameters[name])) % 2:
            continue
        if resource == "declarations":
            chosen = data.submitted if case.path.endswith("/revise/") else data.declaration
            parameters[name] = chosen.pk
        elif resource == "gaps":
            parameters[name] = data.gap.pk
        elif resource in data.ids:
            parameters[name] = data.ids[resource]
    if case.headers and "If-Match" in case.headers and isinstance(parameters.get("id"), int):
        if hash(case.headers["If-Match"]) % 2 == 0:
            return
        if resource == "gaps":
            gap = Gap.objects.filter(pk=parameters["id"]).first()
            if gap is not None:
                case.headers["If-Match"] = f'"gap-{gap.pk}-{gap.row_version}"'
        else:
            current = Declaration.objects.filter(pk=parameters["id"]).first()
            if current is not None:
                case.headers["If-Match"] = current.etag


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case, data, keep_db_connection):
    use_real_objects(case, data)
    case.call_and_validate(headers={"Authorization": f"Bearer {data.token}"}, checks=CHECKS)

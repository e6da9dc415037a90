"""Reading a provider's result, through the page and the API: a fixed number of queries
whatever the size of the standard, a published version's requirements read once (Django's
cache), and the same answers behind both doors."""

import html

import pytest
from django.test import Client
from rest_framework.renderers import JSONRenderer

from accounts.models import Role
from accounts.services import grant_role
from api.serializers.results import SectionResultSerializer, section_data
from audits.models import Answer
from scoring.selectors import result_for
from tests.accounts.factories import UserFactory
from tests.api.conftest import bearer_client
from tests.mfa import read_unless_shared
from tests.providers.factories import IcbAreaCoverageFactory, IcbFactory
from tests.scoring.builders import CHOICES, MANY, ONE, declare, req, score, worked_document
from tests.standards.builders import make_version

pytestmark = pytest.mark.django_db

# Read once a version (then from the cache): its sections, its requirements, a run's layout.
VERSION_TABLES = ("standards_section", "standards_requirement", "scoring_outcomelayout")
# The API: the token, the reader's roles (unless kept in a shared cache), the provider, the
# latest declaration, the current results (with local ones), the answers.
API_QUERIES = 5 + read_unless_shared()
# The page: the session, the person, their second factor (unless kept in a shared cache), then
# as the API after the token.
PAGE_QUERIES = 6 + 2 * read_unless_shared()


def every_type_version(label="1.0", *, extra=0):
    """The worked standard with a section of answers that read differently from their values
    (a percentage, choices by label, "none of these"), and `extra` requirements more."""
    doc = worked_document()
    doc["version"] = label
    doc["sections"].append(
        {
            "code": "EXTRA",
            "title": "Extra",
            "weight": 1,
            "requirements": [
                req(
                    "X1-SHARE",
                    "should",
                    {"type": "number", "min": 0, "max": 100, "unit": "%"},
                    {"op": "number_at_least", "value": 50},
                ),
                req("X2-ONE", "should", ONE, {"op": "choice_in", "values": ["alpha"]}),
                req("X3-MANY", "should", MANY, {"op": "answered"}),
                req("X4-NONE", "should", MANY, {"op": "answered"}),
                *(
                    req(f"X{n}-MORE", "should", {"type": "yes_no"}, {"op": "is_yes"})
                    for n in range(5, 5 + extra)
                ),
            ],
        }
    )
    return make_version(doc, publish=True)


ANSWERS = {
    "L1-POLICY": True,
    "L2-REVIEWED": "2025-06-01",
    "O1-COVERAGE": 95,
    "X1-SHARE": "62.5",
    "X2-ONE": "beta",
    "X3-MANY": ["alpha", "gamma"],
    "X4-NONE": [],
}


def officer_of(area):
    user = UserFactory(email=f"officer-{area.code}@example.org")
    grant_role(user=user, role=Role.AREA_OFFICER, scope=area)
    return user


def page_client(user):
    client = Client()
    client.force_login(user)
    return client


def rows_of(body):
    return {r["key"]: r for s in body["sections"] for r in s["requirements"]}


def test_the_api_reads_a_result_in_a_fixed_number_of_queries(
    school, area, django_assert_num_queries
):
    version = every_type_version()
    score(declare(school, version, ANSWERS))
    api = bearer_client(officer_of(area))
    url = f"/api/v1/providers/{school.pk}/result/"
    assert api.get(url).status_code == 200  # reads the version once, and records the token's use
    with django_assert_num_queries(API_QUERIES) as captured:
        body = api.get(url).json()
    assert body["state"] == "ready" and len(rows_of(body)) == 12
    assert not [q for q in captured.captured_queries if any(t in q["sql"] for t in VERSION_TABLES)]


def test_the_number_of_queries_does_not_grow_with_the_standard(
    school, area, django_assert_num_queries
):
    version = every_type_version(extra=40)
    score(declare(school, version, ANSWERS))
    api = bearer_client(officer_of(area))
    url = f"/api/v1/providers/{school.pk}/result/"
    api.get(url)
    with django_assert_num_queries(API_QUERIES):
        assert len(rows_of(api.get(url).json())) == 52


def test_the_page_reads_a_result_in_a_fixed_number_of_queries(
    school, area, django_assert_num_queries
):
    version = every_type_version()
    score(declare(school, version, ANSWERS))
    client = page_client(officer_of(area))
    url = f"/providers/{school.pk}/result/"
    assert client.get(url).status_code == 200
    with django_assert_num_queries(PAGE_QUERIES) as captured:
        assert client.get(url).status_code == 200
    assert not [q for q in captured.captured_queries if any(t in q["sql"] for t in VERSION_TABLES)]


def test_answers_read_as_the_declaration_shows_them(school, area):
    version = every_type_version()
    declaration = declare(school, version, ANSWERS)
    score(declaration)
    rows = rows_of(
        bearer_client(officer_of(area)).get(f"/api/v1/providers/{school.pk}/result/").json()
    )
    answers = Answer.objects.filter(declaration=declaration).select_related("requirement")
    for answer in answers:
        shown = answer.display_value
        if answer.not_applicable:
            shown += f": {answer.not_applicable_reason}"
        assert rows[answer.requirement_key]["answer"] == shown, answer.requirement_key
    assert rows["X1-SHARE"]["answer"] == "62.5%"
    assert rows["X2-ONE"]["answer"] == "Beta"
    assert rows["X3-MANY"]["answer"] == "Alpha, Gamma"
    assert rows["X4-NONE"]["answer"] == "None of these"
    assert rows["O2-SENCO"]["answer"] == "Not applicable: We have no SENCO"
    assert [c["label"] for c in CHOICES] == ["Alpha", "Beta", "Gamma"]


def test_answers_declared_against_an_earlier_version_read_with_their_own_options(
    school, area, django_assert_num_queries
):
    v1 = every_type_version("1.0")
    declaration = declare(school, v1, ANSWERS)
    score(declaration)
    doc_v2 = every_type_version("2.0")  # published: v1 is superseded, and the same answers
    score(declaration)  # are scored against v2
    api = bearer_client(officer_of(area))
    url = f"/api/v1/providers/{school.pk}/result/"
    first = api.get(url).json()
    assert first["version"]["version"] == "2.0"
    assert first["run"]["declaration"] == declaration.pk
    assert rows_of(first)["X2-ONE"]["answer"] == "Beta"
    assert rows_of(first)["X1-SHARE"]["answer"] == "62.5%"
    # Both versions' options are in the cache now.
    with django_assert_num_queries(API_QUERIES):
        assert api.get(url).json() == first
    assert doc_v2.pk != v1.pk


def test_the_page_and_the_api_give_the_same_result(school, area):
    version = every_type_version()
    score(declare(school, version, ANSWERS))
    user = officer_of(area)
    body = bearer_client(user).get(f"/api/v1/providers/{school.pk}/result/").json()
    page = page_client(user).get(f"/providers/{school.pk}/result/").content.decode()
    for key, row in rows_of(body).items():
        start = page.index(f'id="requirement-{key}"')
        cells = page[start : page.index("</tr>", start)]
        for field in ("title", "answer", "why", "rule"):
            assert html.escape(row[field]) in cells, (key, field)


def test_the_api_writes_a_results_sections_as_its_serializers_describe_them(school, area):
    """result_data writes the sections by hand, for speed; the serializers are the schema."""
    version = every_type_version()
    score(declare(school, version, ANSWERS))
    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=area)
    health_reader = UserFactory(email="icb@example.org")
    grant_role(user=health_reader, role=Role.ICB_OFFICER, scope=icb)
    renderer = JSONRenderer()
    for user in (officer_of(area), health_reader):
        result = result_for(user=user, provider_id=school.pk)
        assert result.sections
        written = renderer.render([section_data(s) for s in result.sections])
        described = renderer.render(SectionResultSerializer(result.sections, many=True).data)
        assert written == described

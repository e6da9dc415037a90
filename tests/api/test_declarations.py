"""Declarations through the API: start a draft, change many answers at once, submit, revise."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Role
from accounts.services import grant_role
from audits.models import Answer, Declaration, DeclarationStatus
from audits.periods import next_period, period_for
from audits.services import today
from tests.accounts.factories import UserFactory
from tests.api.conftest import bearer_client
from tests.audits.factories import DeclarationRoundFactory, make_declaration
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = period_for(today())
NEXT_YEAR = next_period(THIS_YEAR)

COMPLETE = {
    "SCH-POLICY-URL": {"value": "https://www.example.org/sen-policy"},
    "SCH-POLICY-REVIEWED": {"value": "2026-09-01"},
    "SCH-COUNT": {"value": 95},
    "SCH-ONE": {"value": "a"},
    "SCH-MANY": {"value": ["b", "a"]},
    "SCH-TEXT": {"not_applicable": True, "not_applicable_reason": "We have no such lead"},
    "SCH-YES": {"value": True, "evidence_url": "https://www.example.org/plan"},
}


@pytest.fixture
def draft(editor_api, school, choices_version) -> dict:
    response = editor_api.post("/api/v1/declarations/", {"provider": school.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def patch(client, declaration: dict, answers, etag: str | None = None):
    headers = {} if etag == "" else {"HTTP_IF_MATCH": etag or declaration["etag"]}
    return client.patch(
        f"/api/v1/declarations/{declaration['id']}/", {"answers": answers}, format="json", **headers
    )


def by_key(body: dict) -> dict[str, dict]:
    return {a["requirement_key"]: a for a in body["answers"]}


# ---- create ---------------------------------------------------------------------------------


def test_create_returns_the_draft_with_its_etag_and_location(editor_api, school, choices_version):
    response = editor_api.post("/api/v1/declarations/", {"provider": school.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert response["ETag"] == body["etag"] == f'"{body["id"]}-1"'
    assert response["Location"] == f"/api/v1/declarations/{body['id']}/"
    assert body["provider"]["id"] == school.pk
    assert body["version"] == {
        "id": choices_version.pk,
        "standard": "send-statutory-baseline",
        "version": "1.0",
    }
    assert body["status"] == "draft" and body["answers_scope"] == "all"
    assert body["total"] == 7 and body["answered"] == 0
    assert [a["requirement_key"] for a in body["answers"]][:2] == [
        "SCH-POLICY-URL",
        "SCH-POLICY-REVIEWED",
    ]


def test_create_again_returns_the_open_draft(editor_api, school, draft):
    response = editor_api.post("/api/v1/declarations/", {"provider": school.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == draft["id"]


def test_create_with_period_and_version(editor_api, school, choices_version):
    response = editor_api.post(
        "/api/v1/declarations/",
        {"provider": school.pk, "period": NEXT_YEAR, "version": choices_version.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["period"] == NEXT_YEAR


@pytest.mark.parametrize("period", ["0000/01", "1900/01", "9999/00", "2019/20"])
def test_create_refuses_a_year_the_pages_do_not_offer(editor_api, school, choices_version, period):
    response = editor_api.post(
        "/api/v1/declarations/", {"provider": school.pk, "period": period}, format="json"
    )
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400 and error["title"] == "Invalid request"
    assert error["errors"] == {
        "period": [f"Declare for one of these academic years: {THIS_YEAR}, {NEXT_YEAR}"]
    }
    assert not Declaration.objects.exists()


def test_create_for_the_year_of_a_round_of_the_area(editor_api, school, choices_version, officer):
    DeclarationRoundFactory(
        area=school.area,
        version=choices_version,
        period="2019/20",
        deadline=dt.date(2020, 7, 31),
        opened_by=officer,
    )
    response = editor_api.post(
        "/api/v1/declarations/", {"provider": school.pk, "period": "2019/20"}, format="json"
    )
    assert response.status_code == 201 and response.json()["period"] == "2019/20"


def test_the_schema_documents_the_location_of_a_new_declaration():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/declarations/", "/api/v1/declarations/{id}/revise/"):
        headers = schema["paths"][path]["post"]["responses"]["201"]["headers"]
        assert "Location" in headers and "ETag" in headers


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "provider"),
        ({"provider": "abc"}, "provider"),
        ({"provider": 10**30}, "provider"),
        ({"provider": 999999}, "provider"),
        ({"provider": "SCHOOL", "period": "2026-27"}, "period"),
        ({"provider": "SCHOOL", "period": "2026/28"}, "period"),
        ({"provider": "SCHOOL", "version": 999999}, "version"),
        ({"provider": "SCHOOL", "colour": "blue"}, "colour"),
    ],
)
def test_create_refuses_bad_input_with_field_errors(
    editor_api, school, choices_version, body, field
):
    body = {k: (school.pk if v == "SCHOOL" else v) for k, v in body.items()}
    response = editor_api.post("/api/v1/declarations/", body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400 and error["title"] == "Invalid request"
    assert field in error["errors"], error


def test_create_for_a_provider_out_of_scope_is_the_same_as_a_missing_one(
    editor_api, choices_version
):
    elsewhere = ProviderFactory(area=AreaFactory(name="Elsewhere"))
    response = editor_api.post("/api/v1/declarations/", {"provider": elsewhere.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "provider": ["There is no provider with this id that you can see"]
    }


def test_create_for_a_provider_seen_but_not_edited_is_forbidden(officer, school, choices_version):
    response = bearer_client(officer).post(
        "/api/v1/declarations/", {"provider": school.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["title"] == "Forbidden"


def test_create_against_a_draft_version_is_refused(editor_api, school, choices_version):
    from tests.standards.builders import document, make_version

    doc = document(version="2.0")
    doc["standard"]["slug"] = "send-statutory-baseline"
    draft_version = make_version(doc)
    admin = UserFactory(email="sa@example.org", password="pw-for-tests-123", superuser=True)
    editor_admin = bearer_client(admin)
    response = editor_admin.post(
        "/api/v1/declarations/", {"provider": school.pk, "version": draft_version.pk}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


# ---- read -----------------------------------------------------------------------------------


def test_read_has_typed_values_and_etag(editor_api, school, choices_version):
    declaration = make_declaration(
        provider=school,
        version=choices_version,
        answers={
            "SCH-COUNT": "12.5",
            "SCH-POLICY-REVIEWED": "2026-09-01",
            "SCH-MANY": ["a"],
            "SCH-YES": False,
        },
        not_applicable={"SCH-TEXT": "None here"},
    )
    response = editor_api.get(f"/api/v1/declarations/{declaration.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == declaration.etag
    answers = by_key(response.json())
    assert answers["SCH-COUNT"]["value"] == "12.5"
    assert answers["SCH-POLICY-REVIEWED"]["value"] == "2026-09-01"
    assert answers["SCH-MANY"]["value"] == ["a"]
    assert answers["SCH-YES"]["value"] is False
    assert answers["SCH-TEXT"]["not_applicable"] is True
    assert answers["SCH-TEXT"]["not_applicable_reason"] == "None here"
    assert answers["SCH-ONE"]["value"] is None
    assert response.json()["answered"] == 5


def test_read_costs_a_fixed_number_of_queries(editor, school, choices_version):
    declaration = make_declaration(
        provider=school, version=choices_version, answers={"SCH-YES": True}
    )
    client = bearer_client(editor)
    client.get(f"/api/v1/declarations/{declaration.pk}/")  # last-use write happens once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/declarations/{declaration.pk}/")
    assert response.status_code == 200
    # token+user, role grants, declaration (+provider, version, standard), answers
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_list_carries_the_provider_and_filters(editor_api, school, choices_version):
    old = make_declaration(
        provider=school, version=choices_version, period="2025/26", submitted=True
    )
    new = make_declaration(provider=school, version=choices_version, period="2026/27")
    body = editor_api.get("/api/v1/declarations/").json()
    assert [d["id"] for d in body["results"]] == [old.pk, new.pk]
    assert body["results"][0]["provider"]["id"] == school.pk
    assert "answers" not in body["results"][0]
    assert [
        d["id"] for d in editor_api.get("/api/v1/declarations/?status=draft").json()["results"]
    ] == [new.pk]
    assert [
        d["id"] for d in editor_api.get("/api/v1/declarations/?period=2025/26").json()["results"]
    ] == [old.pk]
    assert [
        d["id"]
        for d in editor_api.get(f"/api/v1/declarations/?urn={school.urn}&ordering=-id").json()[
            "results"
        ]
    ] == [new.pk, old.pk]
    assert editor_api.get("/api/v1/declarations/?provider=999999").json()["count"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "status=done",
        "ordering=name",
        "provider=abc",
        "provider=-1",
        "page=0",
        "page=x",
        "page_size=1000",
        "colour=red",
        "version=1e3",
    ],
)
def test_list_refuses_bad_parameters(editor_api, query):
    response = editor_api.get(f"/api/v1/declarations/?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert name in response.json()["errors"]


def test_icb_officer_reads_only_health_answers(school, choices_version):
    from tests.providers.factories import IcbAreaCoverageFactory, IcbFactory

    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=school.area)
    officer = UserFactory(email="icb@example.org", password="pw-for-tests-123")
    grant_role(user=officer, role=Role.ICB_OFFICER, scope=icb)
    declaration = make_declaration(provider=school, version=choices_version)
    body = bearer_client(officer).get(f"/api/v1/declarations/{declaration.pk}/").json()
    assert body["answers_scope"] == "health"
    assert body["answers"] == []  # the test version has no health requirements


def test_the_icb_review_is_reported_apart_from_the_areas(school, officer):
    from audits.services import review_declaration
    from tests.audits.factories import health_version
    from tests.providers.factories import IcbAreaCoverageFactory, IcbFactory

    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=school.area)
    icb_officer = UserFactory(email="icb@example.org", password="pw-for-tests-123")
    grant_role(user=icb_officer, role=Role.ICB_OFFICER, scope=icb)
    declaration = make_declaration(
        provider=school,
        version=health_version(),
        submitted=True,
        answers={"SCH-POLICY-URL": "https://x.example.org", "SCH-HEALTH": True},
    )
    review_declaration(
        declaration=declaration,
        reviewer=icb_officer,
        accept=False,
        challenges={"SCH-HEALTH": "Name the service"},
        comment="One question",
    )
    body = bearer_client(officer).get(f"/api/v1/declarations/{declaration.pk}/").json()
    assert (body["review_status"], body["health_review_status"]) == ("not_reviewed", "returned")
    assert body["health_review_comment"] == "One question" and body["health_reviewed_at"]
    answers = {a["requirement_key"]: a for a in body["answers"]}
    assert (answers["SCH-HEALTH"]["review_state"], answers["SCH-HEALTH"]["reviewed_as"]) == (
        "challenged",
        "icb",
    )
    assert answers["SCH-POLICY-URL"]["reviewed_as"] == ""
    listed = bearer_client(officer).get("/api/v1/declarations/").json()["results"]
    assert [d["health_review_status"] for d in listed if d["id"] == declaration.pk] == ["returned"]


# ---- patch ----------------------------------------------------------------------------------


def test_patch_saves_many_answers_as_a_map(editor_api, draft):
    response = patch(editor_api, draft, COMPLETE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert response["ETag"] == body["etag"] != draft["etag"]
    answers = by_key(body)
    assert answers["SCH-COUNT"]["value"] == "95"
    assert answers["SCH-MANY"]["value"] == ["a", "b"]  # the standard's order
    assert answers["SCH-POLICY-REVIEWED"]["value"] == "2026-09-01"
    assert answers["SCH-TEXT"]["not_applicable"] is True
    assert answers["SCH-YES"]["evidence_url"] == "https://www.example.org/plan"
    assert body["answered"] == body["total"] == 7


def test_patch_accepts_a_list_and_numbers_as_strings(editor_api, draft):
    response = patch(
        editor_api,
        draft,
        [
            {"requirement_key": "SCH-COUNT", "value": "92.25"},
            {"requirement_key": "SCH-YES", "value": "yes"},
        ],
    )
    assert response.status_code == 200, response.content
    answers = by_key(response.json())
    assert answers["SCH-COUNT"]["value"] == "92.25"
    assert answers["SCH-YES"]["value"] is True


def test_patch_changes_only_the_fields_given(editor_api, draft):
    first = patch(
        editor_api, draft, {"SCH-YES": {"value": True, "evidence_note": "In the handbook"}}
    )
    second = patch(editor_api, draft, {"SCH-YES": {"value": False}}, etag=first["ETag"])
    assert second.status_code == 200
    answer = by_key(second.json())["SCH-YES"]
    assert answer["value"] is False and answer["evidence_note"] == "In the handbook"


def test_a_value_clears_not_applicable_and_null_clears_the_value(editor_api, draft):
    first = patch(
        editor_api, draft, {"SCH-TEXT": {"not_applicable": True, "not_applicable_reason": "n/a"}}
    )
    second = patch(editor_api, draft, {"SCH-TEXT": {"value": "Ms Lead"}}, etag=first["ETag"])
    answer = by_key(second.json())["SCH-TEXT"]
    assert answer["not_applicable"] is False and answer["not_applicable_reason"] == ""
    third = patch(editor_api, draft, {"SCH-TEXT": {"value": None}}, etag=second["ETag"])
    assert by_key(third.json())["SCH-TEXT"]["value"] is None


def test_patch_is_all_or_nothing_with_errors_by_key_and_field(editor_api, draft):
    response = patch(
        editor_api,
        draft,
        {
            "SCH-COUNT": {"value": 150},
            "SCH-ONE": {"value": "z"},
            "SCH-YES": {"value": True},
            "SCH-POLICY-URL": {"value": "http://insecure.example.org"},
            "SCH-POLICY-REVIEWED": {"value": "2026-02-30"},
            "SCH-MANY": {"value": "a", "evidence_url": "ftp://x"},
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {
        "answers.SCH-COUNT.value",
        "answers.SCH-ONE.value",
        "answers.SCH-POLICY-URL.value",
        "answers.SCH-POLICY-REVIEWED.value",
        "answers.SCH-MANY.evidence_url",
    }
    assert errors["answers.SCH-COUNT.value"] == ["Enter a number that is 100% or less"]
    assert Answer.objects.get(declaration_id=draft["id"], requirement_key="SCH-YES").value is None
    assert Declaration.objects.get(pk=draft["id"]).row_version == 1


@pytest.mark.parametrize(
    ("answers", "path"),
    [
        ({"NOPE": {"value": True}}, "answers.NOPE"),
        ({"SCH-YES": {"value": True, "colour": "red"}}, "answers.SCH-YES.colour"),
        ({"SCH-YES": {"value": {"a": 1}}}, "answers.SCH-YES.value"),
        ({"SCH-YES": {"value": [1, 2]}}, "answers.SCH-YES.value"),
        ({"SCH-YES": True}, "answers.SCH-YES"),
        ({"SCH-YES": {"not_applicable": "perhaps"}}, "answers.SCH-YES.not_applicable"),
        (
            {"SCH-YES": {"not_applicable": True, "not_applicable_reason": "x"}},
            "answers.SCH-YES.value",
        ),
        (
            {"SCH-TEXT": {"not_applicable": True, "value": "x", "not_applicable_reason": "y"}},
            "answers.SCH-TEXT.value",
        ),
        ({"SCH-TEXT": {"not_applicable": True}}, "answers.SCH-TEXT.not_applicable_reason"),
        ({"SCH-TEXT": {"value": "a\x00b"}}, "answers.SCH-TEXT.value"),
        ({"SCH-TEXT": {"evidence_note": "a\x00b"}}, "answers.SCH-TEXT.evidence_note"),
        (
            {"SCH-TEXT": {"evidence_url": "https://e.org/" + "a" * 600}},
            "answers.SCH-TEXT.evidence_url",
        ),
        ({"SCH-TEXT": {"value": "x" * 20000}}, "answers.SCH-TEXT.value"),
        ({"SCH-COUNT": {"value": 10**100}}, "answers.SCH-COUNT.value"),
        ({"SCH-COUNT": {"value": 1e308}}, "answers.SCH-COUNT.value"),
        ({"SCH-COUNT": {"value": "1e999999"}}, "answers.SCH-COUNT.value"),
        ({"SCH-COUNT": {"value": True}}, "answers.SCH-COUNT.value"),
        ({"SCH-POLICY-REVIEWED": {"value": "2026-13-01"}}, "answers.SCH-POLICY-REVIEWED.value"),
        ({"SCH-POLICY-REVIEWED": {"value": 20260901}}, "answers.SCH-POLICY-REVIEWED.value"),
        ([{"value": True}], "answers.0.requirement_key"),
        ([{"requirement_key": "SCH-YES"}, {"requirement_key": "SCH-YES"}], "answers.SCH-YES"),
        ([], "answers"),
        ({}, "answers"),
        ("SCH-YES", "answers"),
    ],
)
def test_patch_refuses_bad_answers(editor_api, draft, answers, path):
    response = patch(editor_api, draft, answers)
    assert response.status_code == 400, response.content
    assert path in response.json()["errors"], response.json()


def test_patch_without_if_match_is_428_and_with_a_stale_one_412(editor_api, draft):
    assert patch(editor_api, draft, {"SCH-YES": {"value": True}}, etag="").status_code == 428
    fresh = patch(editor_api, draft, {"SCH-YES": {"value": True}})
    assert fresh.status_code == 200
    stale = patch(editor_api, draft, {"SCH-YES": {"value": False}})  # the first ETag again
    assert stale.status_code == 412
    assert stale.json()["title"] == "Precondition failed"
    assert (
        patch(editor_api, draft, {"SCH-YES": {"value": False}}, etag='"nonsense"').status_code
        == 412
    )
    assert (
        patch(
            editor_api, draft, {"SCH-YES": {"value": False}}, etag=f'"x", {fresh["ETag"]}'
        ).status_code
        == 200
    )


def test_a_reader_who_cannot_edit_gets_403(officer, draft):
    response = patch(bearer_client(officer), draft, {"SCH-YES": {"value": True}})
    assert response.status_code == 403


def test_patch_on_someone_elses_declaration_is_404(draft, choices_version):
    other_school = ProviderFactory(area=AreaFactory(name="Elsewhere"))
    other_editor = UserFactory(email="other@example.org", password="pw-for-tests-123")
    grant_role(user=other_editor, role=Role.PROVIDER_EDITOR, scope=other_school)
    response = patch(bearer_client(other_editor), draft, {"SCH-YES": {"value": True}})
    assert response.status_code == 404


# ---- submit and revise ----------------------------------------------------------------------


def submit(client, declaration_id: int, etag: str | None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.post(f"/api/v1/declarations/{declaration_id}/submit/", format="json", **headers)


def test_submit_an_incomplete_draft_names_every_missing_answer(editor_api, draft):
    response = submit(editor_api, draft["id"], draft["etag"])
    assert response.status_code == 400
    error = response.json()
    assert error["detail"].startswith("7 answers are missing")
    assert error["errors"]["answers.SCH-YES.value"] == ["Select yes or no"]
    assert error["errors"]["answers.SCH-YES.evidence_url"] == [
        "Enter a web address or a note for the evidence"
    ]


def test_fill_and_submit(editor_api, draft, django_capture_on_commit_callbacks):
    filled = patch(editor_api, draft, COMPLETE)
    assert submit(editor_api, draft["id"], None).status_code == 428
    assert submit(editor_api, draft["id"], draft["etag"]).status_code == 412
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = submit(editor_api, draft["id"], filled["ETag"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert response["ETag"] == body["etag"] != filled["ETag"]
    assert len(callbacks) == 1  # scoring is queued on commit
    # A submitted declaration cannot change: 409 for both PATCH and submit.
    assert (
        patch(editor_api, draft, {"SCH-YES": {"value": False}}, etag=body["etag"]).status_code
        == 409
    )
    assert submit(editor_api, draft["id"], body["etag"]).status_code == 409


def test_revise_a_submitted_declaration(editor_api, school, choices_version):
    submitted = make_declaration(
        provider=school, version=choices_version, submitted=True, answers={"SCH-YES": True}
    )
    response = editor_api.post(f"/api/v1/declarations/{submitted.pk}/revise/", format="json")
    assert response.status_code == 201, response.content
    revision = response.json()
    assert revision["revision"] == 2 and revision["revises"] == submitted.pk
    assert by_key(revision)["SCH-YES"]["value"] is True
    again = editor_api.post(f"/api/v1/declarations/{submitted.pk}/revise/", format="json")
    assert again.status_code == 200 and again.json()["id"] == revision["id"]
    assert Declaration.objects.filter(provider=school, status=DeclarationStatus.DRAFT).count() == 1


def test_submit_by_a_viewer_is_forbidden(school, choices_version):
    viewer = UserFactory(email="viewer@example.org", password="pw-for-tests-123")
    grant_role(user=viewer, role=Role.PROVIDER_VIEWER, scope=school)
    declaration = make_declaration(provider=school, version=choices_version)
    response = submit(bearer_client(viewer), declaration.pk, declaration.etag)
    assert response.status_code == 403


def test_dates_and_times_are_iso(editor_api, draft):
    assert dt.datetime.fromisoformat(draft["created_at"].replace("Z", "+00:00"))


# ---- review ---------------------------------------------------------------------------------


@pytest.fixture
def area_officer_api(school):
    officer = UserFactory(email="officer@example.org", password="pw-for-tests-123")
    grant_role(user=officer, role=Role.AREA_OFFICER, scope=school.area)
    return bearer_client(officer)


def _submitted(editor_api, draft) -> dict:
    body = patch(editor_api, draft, COMPLETE).json()
    response = editor_api.post(
        f"/api/v1/declarations/{draft['id']}/submit/", HTTP_IF_MATCH=body["etag"]
    )
    assert response.status_code == 200, response.content
    return response.json()


def review(client, declaration: dict, body: dict, etag: str | None = None):
    headers = {} if etag == "" else {"HTTP_IF_MATCH": etag or declaration["etag"]}
    return client.post(
        f"/api/v1/declarations/{declaration['id']}/review/", body, format="json", **headers
    )


def test_an_area_officer_returns_then_accepts_a_declaration(editor_api, area_officer_api, draft):
    submitted = _submitted(editor_api, draft)
    response = review(
        area_officer_api,
        submitted,
        {
            "decision": "return",
            "challenges": {"SCH-COUNT": "Show the count from the census"},
            "comment": "Nearly there",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["review_status"], body["review_comment"]) == ("returned", "Nearly there")
    assert by_key(body)["SCH-COUNT"]["review_state"] == "challenged"
    assert response["ETag"] == body["etag"] != submitted["etag"]
    accepted = review(area_officer_api, body, {"decision": "accept"})
    assert accepted.status_code == 200 and accepted.json()["review_status"] == "accepted"


def test_a_review_is_refused_with_field_errors_and_needs_if_match(
    editor_api, area_officer_api, draft
):
    submitted = _submitted(editor_api, draft)
    assert review(area_officer_api, submitted, {"decision": "accept"}, etag="").status_code == 428
    assert (
        review(area_officer_api, submitted, {"decision": "accept"}, etag='"1-1"').status_code == 412
    )
    bad = review(area_officer_api, submitted, {"decision": "maybe"})
    assert bad.status_code == 400 and "decision" in bad.json()["errors"]
    empty = review(area_officer_api, submitted, {"decision": "return"})
    assert empty.status_code == 400
    assert empty.json()["errors"]["challenges"] == [
        "Enter a comment on at least one answer you challenge"
    ]
    assert Declaration.objects.get(pk=submitted["id"]).review_status == "not_reviewed"


def test_a_draft_is_a_conflict_and_the_editor_cannot_review(editor_api, area_officer_api, draft):
    response = review(area_officer_api, draft, {"decision": "accept"})
    assert response.status_code == 409
    submitted = _submitted(editor_api, draft)
    refused = review(editor_api, submitted, {"decision": "accept"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You cannot review this declaration."

"""Scoring results and gaps through the API, with the scoring tests' worked standard."""

import datetime as dt

import pytest

from accounts.models import Role, User
from accounts.services import grant_role
from scoring.models import Gap
from scoring.specs import clear_caches
from tests.accounts.factories import UserFactory
from tests.api.conftest import bearer_client
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    ProviderFactory,
)
from tests.scoring.builders import declare, score, worked_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_spec_cache():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def worked(db):
    return worked_version()


@pytest.fixture
def scored(school, worked):
    declaration = declare(school, worked)
    score(declaration)
    return declaration


@pytest.fixture
def icb_officer(school) -> User:
    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=school.area)
    user = UserFactory(email="icb@example.org", password="pw-for-tests-123")
    grant_role(user=user, role=Role.ICB_OFFICER, scope=icb)
    return user


def test_result_is_none_before_any_submission(editor_api, school, worked):
    body = editor_api.get(f"/api/v1/providers/{school.pk}/result/?standard=scoring-test").json()
    assert body["state"] == "none" and body["run"] is None and body["sections"] == []


def test_result_is_pending_until_scored_then_ready(editor_api, school, worked):
    declaration = declare(school, worked)
    pending = editor_api.get(f"/api/v1/providers/{school.pk}/result/").json()
    assert pending["state"] == "pending" and pending["latest_declaration"] == declaration.pk
    score(declaration)
    ready = editor_api.get(f"/api/v1/providers/{school.pk}/result/").json()
    assert ready["state"] == "ready"
    assert ready["run"]["declaration"] == declaration.pk
    assert ready["version"]["standard"] == "scoring-test"
    assert 0 <= ready["score"] <= 100
    rows = {r["key"]: r for s in ready["sections"] for r in s["requirements"]}
    assert rows["L1-POLICY"]["outcome"] == "pass"
    assert rows["O4-HEALTH"]["outcome"] == "not_answered"
    assert rows["O4-HEALTH"]["why"] and rows["O4-HEALTH"]["rule"]
    assert {c["outcome"] for c in ready["counts"]} >= {"pass", "fail"}


def test_icb_officer_reads_health_outcomes_but_no_scores(icb_officer, school, scored):
    """As on the result page: every score counts requirements outside health."""
    body = bearer_client(icb_officer).get(f"/api/v1/providers/{school.pk}/result/").json()
    assert body["state"] == "ready" and body["health_only"] is True
    assert body["run"]["declaration"] == scored.pk
    assert body["score"] is None and body["all_musts_met"] is None
    [section] = body["sections"]
    assert section["code"] == "OFFER" and section["title"] and section["weight"] == 1
    assert section["score"] is None and section["count"] is None
    [row] = section["requirements"]
    assert row["key"] == "O4-HEALTH" and row["outcome"] == "not_answered"
    assert row["answer"] and row["rule"] and row["why"]
    assert row["points_available"] is None and row["points_earned"] is None
    assert sum(c["total"] for c in body["counts"]) == 1


def test_result_parameters_are_validated(editor_api, school, scored):
    assert editor_api.get(f"/api/v1/providers/{school.pk}/result/?version=9.9").status_code == 404
    assert (
        editor_api.get(f"/api/v1/providers/{school.pk}/result/?standard=no%20such").status_code
        == 400
    )
    assert editor_api.get(f"/api/v1/providers/{school.pk}/result/?colour=red").status_code == 400
    other = ProviderFactory(area=AreaFactory(name="Elsewhere"))
    assert editor_api.get(f"/api/v1/providers/{other.pk}/result/").status_code == 404


def test_provider_gaps_and_one_gap(editor_api, school, scored):
    body = editor_api.get(f"/api/v1/providers/{school.pk}/gaps/").json()
    keys = [g["requirement_key"] for g in body["results"]]
    assert "O4-HEALTH" in keys and body["count"] == len(keys)
    gap = body["results"][0]
    assert gap["provider"] == school.pk and gap["status"] == "open"
    detail = editor_api.get(f"/api/v1/gaps/{gap['id']}/")
    assert detail.status_code == 200
    assert detail["ETag"] == detail.json()["etag"]
    assert detail.json()["can_change"] is True
    assert all(event["by"] is None for event in detail.json()["events"])  # only scoring so far
    assert (
        editor_api.get(f"/api/v1/providers/{school.pk}/gaps/?include_closed=maybe").status_code
        == 400
    )


def test_plan_and_accept_a_gap(editor_api, editor, school, scored):
    gap = Gap.objects.filter(provider=school).first()
    url = f"/api/v1/gaps/{gap.pk}/"
    etag = editor_api.get(url)["ETag"]
    assert editor_api.patch(url, {"status": "in_progress"}, format="json").status_code == 428
    bad = editor_api.patch(url, {"status": "in_progress"}, format="json", HTTP_IF_MATCH=etag)
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"action_plan", "owner", "due_date"}
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    planned = editor_api.patch(
        url,
        {
            "status": "in_progress",
            "action_plan": "Write the policy",
            "owner": "Head",
            "due_date": due,
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert planned.status_code == 200, planned.content
    assert planned.json()["status"] == "in_progress" and planned.json()["owner"] == "Head"
    assert (
        editor_api.patch(url, {"owner": "SENCO"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 412
    )
    owner = editor_api.patch(url, {"owner": "SENCO"}, format="json", HTTP_IF_MATCH=planned["ETag"])
    assert owner.status_code == 200 and owner.json()["action_plan"] == "Write the policy"
    assert (
        editor_api.patch(
            url, {"status": "resolved"}, format="json", HTTP_IF_MATCH=owner["ETag"]
        ).status_code
        == 400
    )
    assert editor_api.patch(url, {}, format="json", HTTP_IF_MATCH=owner["ETag"]).status_code == 400


def test_gap_permissions(school, scored):
    gap = Gap.objects.filter(provider=school).first()
    viewer = UserFactory(email="viewer@example.org", password="pw-for-tests-123")
    grant_role(user=viewer, role=Role.PROVIDER_VIEWER, scope=school)
    client = bearer_client(viewer)
    etag = client.get(f"/api/v1/gaps/{gap.pk}/")["ETag"]
    assert (
        client.patch(
            f"/api/v1/gaps/{gap.pk}/", {"owner": "x"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 403
    )
    stranger = UserFactory(email="stranger@example.org", password="pw-for-tests-123")
    assert bearer_client(stranger).get(f"/api/v1/gaps/{gap.pk}/").status_code == 404
    assert bearer_client(stranger).get("/api/v1/gaps/999999/").status_code == 404
    assert bearer_client(stranger).get("/api/v1/gaps/abc/").status_code == 404


def test_notes_on_a_gap(editor_api, school, scored):
    gap = Gap.objects.filter(provider=school).first()
    url = f"/api/v1/gaps/{gap.pk}/notes/"
    etag = editor_api.get(f"/api/v1/gaps/{gap.pk}/")["ETag"]
    response = editor_api.post(url, {"note": "Discussed with governors."}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["events"][0]["action"] == "note added"
    assert body["events"][0]["note"] == "Discussed with governors."
    assert response["ETag"] == etag  # a note changes nothing else
    for bad in ({}, {"note": ""}, {"note": "x" * 2001}, {"note": "ok", "extra": 1}):
        refused = editor_api.post(url, bad, format="json")
        assert refused.status_code == 400, bad
        assert refused.json()["errors"]
    viewer = UserFactory(email="reader@example.org", password="pw-for-tests-123")
    grant_role(user=viewer, role=Role.PROVIDER_VIEWER, scope=school)
    assert bearer_client(viewer).post(url, {"note": "x"}, format="json").status_code == 403
    stranger = UserFactory(email="nobody@example.org", password="pw-for-tests-123")
    assert bearer_client(stranger).post(url, {"note": "x"}, format="json").status_code == 404


def test_area_gaps_and_icb_health_only(officer, icb_officer, school, scored):
    body = bearer_client(officer).get(f"/api/v1/areas/{school.area.code}/gaps/").json()
    assert body["count"] >= 2
    assert (
        bearer_client(officer)
        .get(f"/api/v1/areas/{school.area.code}/gaps/?status=closed")
        .status_code
        == 400
    )
    client = bearer_client(icb_officer)
    health = client.get(f"/api/v1/areas/{school.area.code}/gaps/").json()
    assert {g["theme"] for g in health["results"]} == {"health"}
    result = client.get(f"/api/v1/providers/{school.pk}/result/").json()
    assert result["health_only"] is True
    assert {r["key"] for s in result["sections"] for r in s["requirements"]} == {"O4-HEALTH"}
    other = AreaFactory(name="Othershire")
    assert client.get(f"/api/v1/areas/{other.code}/gaps/").status_code == 404


def test_area_summary_has_the_dashboard_numbers(officer, editor_api, school, worked):
    from dashboards.selectors import area_dashboard
    from dashboards.services import clear_caches as clear_dashboard_caches
    from dashboards.services import refresh_all

    clear_dashboard_caches()
    score(declare(school, worked))
    refresh_all(standard_slug="scoring-test")
    client = bearer_client(officer)
    response = client.get(f"/api/v1/areas/{school.area.code}/summary/?standard=scoring-test")
    assert response.status_code == 200, response.content
    body = response.json()
    board = area_dashboard(user=officer, code=school.area.code, standard_slug="scoring-test")
    assert body["area"] == {"code": school.area.code, "name": "Ownshire"}
    assert body["headline"]["results"] == board.headline.results == 1
    assert body["headline"]["average_score"] == board.headline.average_score
    tables = {t["key"]: t for t in body["tables"]}
    assert {"types", "sections", "failed", "gaps"} <= set(tables)
    gaps = {row["label"]: row["gaps"] for row in tables["gaps"]["rows"]}
    assert gaps["All active gaps"] >= 1
    # Out of scope, or not an area dashboard reader: 404, as for the page.
    assert editor_api.get(f"/api/v1/areas/{school.area.code}/summary/").status_code == 404
    other = AreaFactory(name="Othershire")
    hidden = client.get(f"/api/v1/areas/{other.code}/summary/")
    assert hidden.status_code == 404
    assert hidden.json() == {
        "status": 404,
        "title": "Not found",
        "detail": "Not found.",
        "errors": {},
    }
    assert (
        client.get(f"/api/v1/areas/{school.area.code}/summary/?standard=a%20b").status_code == 400
    )

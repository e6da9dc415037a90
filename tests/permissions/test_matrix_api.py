"""The API's permission matrix: every role × every endpoint × own and other scope.

A token sees exactly what its user sees in the browser: objects outside the scope answer 404
(nobody learns what exists elsewhere), objects seen but not editable answer 403, and lists
never show another scope's data. Anonymous requests answer 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Role
from api.services import create_token
from audits.models import Declaration
from audits.periods import next_period, period_for
from audits.services import today
from scoring.models import Gap
from scoring.services import score_declaration
from scoring.specs import clear_caches
from standards.models import StandardVersion
from tests.audits.factories import make_declaration
from tests.permissions.world import ROLES, World
from tests.standards.builders import document, make_version

OK, CREATED, BAD, UNAUTH, FORBIDDEN, NOT_FOUND, CONFLICT = 200, 201, 400, 401, 403, 404, 409
READS_ALL = {Role.NATIONAL_ANALYST, Role.SITE_ADMIN}
SEES_OWN_SCHOOL = {
    Role.PROVIDER_EDITOR,
    Role.PROVIDER_VIEWER,
    Role.TRUST_OFFICER,
    Role.AREA_OFFICER,
    Role.ICB_OFFICER,
    *READS_ALL,
}
NEXT_YEAR = next_period(period_for(today()))  # a year with no declaration yet
COMPLETE = {"SCH-POLICY-URL": "https://www.example.org/sen", "SCH-POLICY-REVIEWED": "2026-09-01"}


@dataclass
class ApiWorld:
    world: World
    version: StandardVersion
    school_draft: Declaration
    school_submitted: Declaration
    other_school_draft: Declaration
    la_draft: Declaration
    icb_draft: Declaration
    gap: Gap
    other_gap: Gap


def icb_document() -> dict[str, Any]:
    """The builders' standard, with a requirement for ICBs too, so that they have one to declare."""
    doc = document()
    doc["sections"][1]["requirements"].append(
        {
            "key": "ICB-HEALTH-ADVICE",
            "title": "Health advice for EHC needs assessments",
            "question": "Do you give health advice within six weeks?",
            "theme": "health",
            "applies_to": ["integrated_care_board"],
            "strength": "must",
            "answer": {"type": "yes_no"},
            "rule": {"op": "is_yes"},
            "citations": [{"document": "SEND Code of Practice", "reference": "9.52"}],
        }
    )
    return doc


@pytest.fixture
def api_world(world: World, settings) -> ApiWorld:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "100000/minute"},
    }
    cache.clear()
    clear_caches()
    version = make_version(icb_document(), publish=True)
    failing = {**COMPLETE, "SCH-POLICY-URL": "http://insecure.example.org/sen"}
    for provider in (world.school, world.other_school):
        submitted = make_declaration(
            provider=provider, version=version, period="2024/25", answers=failing, submitted=True
        )
        score_declaration(declaration_id=submitted.pk)
    gap = Gap.objects.get(provider=world.school, requirement_key="SCH-POLICY-URL")
    other_gap = Gap.objects.get(provider=world.other_school, requirement_key="SCH-POLICY-URL")
    return ApiWorld(
        world=world,
        version=version,
        school_draft=make_declaration(
            provider=world.school, version=version, period="2026/27", answers=COMPLETE
        ),
        school_submitted=make_declaration(
            provider=world.school,
            version=version,
            period="2025/26",
            answers=COMPLETE,
            submitted=True,
        ),
        other_school_draft=make_declaration(
            provider=world.other_school, version=version, answers=COMPLETE
        ),
        la_draft=make_declaration(
            provider=world.la, version=version, answers={"LA-LOCAL-OFFER": True}
        ),
        icb_draft=make_declaration(provider=world.icb_provider, version=version),
        gap=gap,
        other_gap=other_gap,
    )


def api_client(w: ApiWorld, role: str) -> APIClient:
    client = APIClient()
    user = w.world.users[role]
    if user is not None:
        raw = create_token(user=user, name="matrix").raw
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


Call = Callable[[APIClient, ApiWorld], Any]


def get(path: Callable[[ApiWorld], str]) -> Call:
    return lambda client, w: client.get(path(w))


def start(provider: str) -> Call:
    return lambda client, w: client.post(
        "/api/v1/declarations/",
        {"provider": getattr(w.world, provider).pk, "version": w.version.pk, "period": NEXT_YEAR},
        format="json",
    )


def fresh(w: ApiWorld, declaration: str) -> Declaration:
    """The declaration as it is now: an earlier call in the same test may have changed it."""
    return Declaration.objects.get(pk=getattr(w, declaration).pk)


def patch(declaration: str, answers: dict[str, Any]) -> Call:
    def call(client: APIClient, w: ApiWorld) -> Any:
        d = fresh(w, declaration)
        return client.patch(
            f"/api/v1/declarations/{d.pk}/",
            {"answers": answers},
            format="json",
            HTTP_IF_MATCH=d.etag,
        )

    return call


def submit(declaration: str) -> Call:
    def call(client: APIClient, w: ApiWorld) -> Any:
        d = fresh(w, declaration)
        return client.post(f"/api/v1/declarations/{d.pk}/submit/", HTTP_IF_MATCH=d.etag)

    return call


def patch_gap(gap: str) -> Call:
    def call(client: APIClient, w: ApiWorld) -> Any:
        current = Gap.objects.get(pk=getattr(w, gap).pk)
        return client.patch(
            f"/api/v1/gaps/{current.pk}/",
            {
                "status": "accepted",
                "accepted_reason": "Agreed with the LA",
                "accepted_until": "2099-01-01",
            },
            format="json",
            HTTP_IF_MATCH=f'"gap-{current.pk}-{current.row_version}"',
        )

    return call


def review(declaration: str) -> Call:
    def call(client: APIClient, w: ApiWorld) -> Any:
        d = fresh(w, declaration)
        return client.post(
            f"/api/v1/declarations/{d.pk}/review/",
            {"decision": "accept"},
            format="json",
            HTTP_IF_MATCH=d.etag,
        )

    return call


def revise(declaration: str) -> Call:
    return lambda client, w: client.post(
        f"/api/v1/declarations/{getattr(w, declaration).pk}/revise/"
    )


EVERYONE = dict.fromkeys(ROLES[1:], OK)

# endpoint -> (call, {role: expected status}, default for roles not listed); anonymous is 401.
ENDPOINTS: dict[str, tuple[Call, dict[str, int], int]] = {
    "standards": (get(lambda w: "/api/v1/standards/"), EVERYONE, OK),
    "standard": (get(lambda w: f"/api/v1/standards/{w.version.standard.slug}/"), EVERYONE, OK),
    "versions": (get(lambda w: "/api/v1/versions/"), EVERYONE, OK),
    "version": (get(lambda w: f"/api/v1/versions/{w.version.pk}/"), EVERYONE, OK),
    "requirements": (get(lambda w: f"/api/v1/versions/{w.version.pk}/requirements/"), EVERYONE, OK),
    "areas": (get(lambda w: "/api/v1/areas/"), EVERYONE, OK),
    "own area": (
        get(lambda w: f"/api/v1/areas/{w.world.area.code}/"),
        {Role.AREA_OFFICER: OK, Role.ICB_OFFICER: OK, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "other area": (
        get(lambda w: f"/api/v1/areas/{w.world.other_area.code}/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    "providers": (get(lambda w: "/api/v1/providers/"), EVERYONE, OK),
    "own school": (
        get(lambda w: f"/api/v1/providers/{w.world.school.pk}/"),
        dict.fromkeys(SEES_OWN_SCHOOL, OK),
        NOT_FOUND,
    ),
    "other school": (
        get(lambda w: f"/api/v1/providers/{w.world.other_school.pk}/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    "own LA": (
        get(lambda w: f"/api/v1/providers/{w.world.la.pk}/"),
        {Role.AREA_OFFICER: OK, Role.ICB_OFFICER: OK, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "own ICB": (
        get(lambda w: f"/api/v1/providers/{w.world.icb_provider.pk}/"),
        {Role.ICB_OFFICER: OK, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "other ICB": (
        get(lambda w: f"/api/v1/providers/{w.world.other_icb_provider.pk}/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    "declarations": (get(lambda w: "/api/v1/declarations/"), EVERYONE, OK),
    "own school declaration": (
        get(lambda w: f"/api/v1/declarations/{w.school_draft.pk}/"),
        dict.fromkeys(SEES_OWN_SCHOOL, OK),
        NOT_FOUND,
    ),
    "other school declaration": (
        get(lambda w: f"/api/v1/declarations/{w.other_school_draft.pk}/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    "own LA declaration": (
        get(lambda w: f"/api/v1/declarations/{w.la_draft.pk}/"),
        {Role.AREA_OFFICER: OK, Role.ICB_OFFICER: OK, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "own ICB declaration": (
        get(lambda w: f"/api/v1/declarations/{w.icb_draft.pk}/"),
        {Role.ICB_OFFICER: OK, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "own school result": (
        get(lambda w: f"/api/v1/providers/{w.world.school.pk}/result/"),
        dict.fromkeys(SEES_OWN_SCHOOL, OK),
        NOT_FOUND,
    ),
    "other school result": (
        get(lambda w: f"/api/v1/providers/{w.world.other_school.pk}/result/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    "own school gaps": (
        get(lambda w: f"/api/v1/providers/{w.world.school.pk}/gaps/"),
        dict.fromkeys(SEES_OWN_SCHOOL, OK),
        NOT_FOUND,
    ),
    "other school gaps": (
        get(lambda w: f"/api/v1/providers/{w.world.other_school.pk}/gaps/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    # An ICB officer sees the school's health requirements only: this gap is not one.
    "own school gap": (
        get(lambda w: f"/api/v1/gaps/{w.gap.pk}/"),
        dict.fromkeys(SEES_OWN_SCHOOL - {Role.ICB_OFFICER}, OK),
        NOT_FOUND,
    ),
    "other school gap": (
        get(lambda w: f"/api/v1/gaps/{w.other_gap.pk}/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    "own area gaps": (
        get(lambda w: f"/api/v1/areas/{w.world.area.code}/gaps/"),
        {Role.AREA_OFFICER: OK, Role.ICB_OFFICER: OK, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "other area gaps": (
        get(lambda w: f"/api/v1/areas/{w.world.other_area.code}/gaps/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    # Area dashboards are for the area's officers and national roles; ICB officers have theirs.
    "own area summary": (
        get(lambda w: f"/api/v1/areas/{w.world.area.code}/summary/"),
        {Role.AREA_OFFICER: OK, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "other area summary": (
        get(lambda w: f"/api/v1/areas/{w.world.other_area.code}/summary/"),
        dict.fromkeys(READS_ALL, OK),
        NOT_FOUND,
    ),
    # Starting a draft: the provider is named in the body, so one you cannot see is a 400
    # ("no provider with this id that you can see"), the same as one that does not exist.
    "start own school declaration": (
        start("school"),
        {
            Role.PROVIDER_EDITOR: CREATED,
            Role.SITE_ADMIN: CREATED,
            **dict.fromkeys(SEES_OWN_SCHOOL - {Role.PROVIDER_EDITOR, Role.SITE_ADMIN}, FORBIDDEN),
        },
        BAD,
    ),
    "start other school declaration": (
        start("other_school"),
        {Role.SITE_ADMIN: CREATED, Role.NATIONAL_ANALYST: FORBIDDEN},
        BAD,
    ),
    "start own LA declaration": (
        start("la"),
        {
            Role.AREA_OFFICER: CREATED,
            Role.SITE_ADMIN: CREATED,
            Role.ICB_OFFICER: FORBIDDEN,
            Role.NATIONAL_ANALYST: FORBIDDEN,
        },
        BAD,
    ),
    "start own ICB declaration": (
        start("icb_provider"),
        {Role.ICB_OFFICER: CREATED, Role.SITE_ADMIN: CREATED, Role.NATIONAL_ANALYST: FORBIDDEN},
        BAD,
    ),
    "patch own school declaration": (
        patch("school_draft", {"SCH-POLICY-URL": {"value": "https://www.example.org/new"}}),
        {
            Role.PROVIDER_EDITOR: OK,
            Role.SITE_ADMIN: OK,
            **dict.fromkeys(SEES_OWN_SCHOOL - {Role.PROVIDER_EDITOR, Role.SITE_ADMIN}, FORBIDDEN),
        },
        NOT_FOUND,
    ),
    "patch other school declaration": (
        patch("other_school_draft", {"SCH-POLICY-URL": {"value": "https://www.example.org/new"}}),
        {Role.SITE_ADMIN: OK, Role.NATIONAL_ANALYST: FORBIDDEN},
        NOT_FOUND,
    ),
    "patch own LA declaration": (
        patch("la_draft", {"LA-LOCAL-OFFER": {"value": False}}),
        {
            Role.AREA_OFFICER: OK,
            Role.SITE_ADMIN: OK,
            Role.ICB_OFFICER: FORBIDDEN,
            Role.NATIONAL_ANALYST: FORBIDDEN,
        },
        NOT_FOUND,
    ),
    "submit own school declaration": (
        submit("school_draft"),
        {
            Role.PROVIDER_EDITOR: OK,
            Role.SITE_ADMIN: OK,
            **dict.fromkeys(SEES_OWN_SCHOOL - {Role.PROVIDER_EDITOR, Role.SITE_ADMIN}, FORBIDDEN),
        },
        NOT_FOUND,
    ),
    "submit other school declaration": (
        submit("other_school_draft"),
        {Role.SITE_ADMIN: OK, Role.NATIONAL_ANALYST: FORBIDDEN},
        NOT_FOUND,
    ),
    "patch own school gap": (
        patch_gap("gap"),
        {
            Role.PROVIDER_EDITOR: OK,
            Role.AREA_OFFICER: OK,
            Role.SITE_ADMIN: OK,
            Role.PROVIDER_VIEWER: FORBIDDEN,
            Role.TRUST_OFFICER: FORBIDDEN,
            Role.NATIONAL_ANALYST: FORBIDDEN,
        },
        NOT_FOUND,
    ),
    "patch other school gap": (
        patch_gap("other_gap"),
        {Role.SITE_ADMIN: OK, Role.NATIONAL_ANALYST: FORBIDDEN},
        NOT_FOUND,
    ),
    "revise own school declaration": (
        revise("school_submitted"),
        {
            Role.PROVIDER_EDITOR: CREATED,
            Role.SITE_ADMIN: CREATED,
            **dict.fromkeys(SEES_OWN_SCHOOL - {Role.PROVIDER_EDITOR, Role.SITE_ADMIN}, FORBIDDEN),
        },
        NOT_FOUND,
    ),
    # Reviews: the area's officers and site admins review it all, the ICB's officers its health
    # answers; those who only read it are refused (403); a draft is a state conflict (409).
    "review own school declaration": (
        review("school_submitted"),
        {
            Role.AREA_OFFICER: OK,
            Role.ICB_OFFICER: OK,
            Role.SITE_ADMIN: OK,
            **dict.fromkeys(
                SEES_OWN_SCHOOL - {Role.AREA_OFFICER, Role.ICB_OFFICER, Role.SITE_ADMIN},
                FORBIDDEN,
            ),
        },
        NOT_FOUND,
    ),
    # The site admin submitted both drafts above: nobody reviews what they submitted.
    "review own school draft": (
        review("school_draft"),
        {
            Role.AREA_OFFICER: CONFLICT,
            Role.ICB_OFFICER: CONFLICT,
            Role.SITE_ADMIN: FORBIDDEN,
            **dict.fromkeys(
                SEES_OWN_SCHOOL - {Role.AREA_OFFICER, Role.ICB_OFFICER, Role.SITE_ADMIN},
                FORBIDDEN,
            ),
        },
        NOT_FOUND,
    ),
    "review other school declaration": (
        review("other_school_draft"),
        {Role.SITE_ADMIN: FORBIDDEN, Role.NATIONAL_ANALYST: FORBIDDEN},
        NOT_FOUND,
    ),
}


@pytest.mark.parametrize("role", ROLES)
def test_endpoint_access(api_world: ApiWorld, role: str) -> None:
    """Every endpoint in turn for one role (one world per role keeps this quick); the reads
    come first and each write re-reads the declaration it changes, so the calls are
    independent of one another. Every mismatch is reported, not just the first."""
    client = api_client(api_world, role)
    wrong = []
    for endpoint, (call, expected_by_role, default) in ENDPOINTS.items():
        response = call(client, api_world)
        expected = UNAUTH if role == "anonymous" else expected_by_role.get(role, default)
        if response.status_code != expected:
            wrong.append(
                f"{endpoint}: {response.status_code}, expected {expected}: {response.content[:200]!r}"
            )
        elif response.status_code >= 400:
            assert response.json()["status"] == response.status_code
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


# Which providers each role sees, as in the page matrix.
VISIBLE = {
    "no_role": set(),
    Role.PROVIDER_EDITOR: {"Own Primary School"},
    Role.PROVIDER_VIEWER: {"Own Primary School"},
    Role.TRUST_OFFICER: {"Own Primary School"},
    Role.AREA_OFFICER: {"Own Primary School", "Ownshire Council"},
    Role.ICB_OFFICER: {"Own Primary School", "Ownshire Council", "NHS Own ICB"},
    Role.NATIONAL_ANALYST: {
        "Own Primary School",
        "Ownshire Council",
        "NHS Own ICB",
        "Other Primary School",
        "Othershire Council",
        "NHS Other ICB",
    },
    Role.STANDARDS_ADMIN: set(),
}
VISIBLE[Role.SITE_ADMIN] = VISIBLE[Role.NATIONAL_ANALYST]
AUTHENTICATED = [r for r in ROLES if r != "anonymous"]


def names(response: Any, key: str = "name") -> set[str]:
    assert response.status_code == 200
    return {
        row[key] if key != "provider" else row["provider"]["name"]
        for row in response.json()["results"]
    }


@pytest.mark.parametrize("role", AUTHENTICATED)
def test_provider_list_shows_only_the_scope(api_world: ApiWorld, role: str) -> None:
    client = api_client(api_world, role)
    assert names(client.get("/api/v1/providers/?page_size=200")) == VISIBLE[role]


@pytest.mark.parametrize("role", AUTHENTICATED)
def test_declaration_list_shows_only_the_scope(api_world: ApiWorld, role: str) -> None:
    client = api_client(api_world, role)
    with_declarations = {
        "Own Primary School",
        "Other Primary School",
        "Ownshire Council",
        "NHS Own ICB",
    }
    assert (
        names(client.get("/api/v1/declarations/"), "provider") == VISIBLE[role] & with_declarations
    )


@pytest.mark.parametrize("role", AUTHENTICATED)
def test_filtering_by_another_scope_shows_nothing(api_world: ApiWorld, role: str) -> None:
    client = api_client(api_world, role)
    w = api_world.world
    leaked = names(client.get(f"/api/v1/providers/?area={w.other_area.code}"))
    assert leaked == (
        set() if role not in READS_ALL else {"Other Primary School", "Othershire Council"}
    )
    other = client.get(f"/api/v1/declarations/?provider={w.other_school.pk}").json()["count"]
    assert other == (2 if role in READS_ALL else 0)


@pytest.mark.parametrize("role", AUTHENTICATED)
def test_area_list_shows_only_the_scope(api_world: ApiWorld, role: str) -> None:
    shown = names(api_client(api_world, role).get("/api/v1/areas/"))
    if role in READS_ALL:
        assert shown == {"Ownshire", "Othershire"}
    elif role in (Role.AREA_OFFICER, Role.ICB_OFFICER):
        assert shown == {"Ownshire"}
    else:
        assert shown == set()


@pytest.mark.parametrize("role", AUTHENTICATED)
def test_gap_lists_show_only_the_scope(api_world: ApiWorld, role: str) -> None:
    client = api_client(api_world, role)
    w = api_world.world
    own = client.get(f"/api/v1/areas/{w.area.code}/gaps/")
    if role in {*READS_ALL, Role.AREA_OFFICER, Role.ICB_OFFICER}:
        assert own.status_code == 200
        shown = {g["id"] for g in own.json()["results"]}
        # The ICB officer sees health gaps only; the school's gap is not one.
        assert shown == (set() if role == Role.ICB_OFFICER else {api_world.gap.pk})
    else:
        assert own.status_code == 404
    other = client.get(f"/api/v1/providers/{w.other_school.pk}/gaps/")
    if role in READS_ALL:
        assert other.status_code == 200
        assert {g["id"] for g in other.json()["results"]} == {api_world.other_gap.pk}
    else:
        assert other.status_code == 404


def test_icb_officer_reads_a_school_declaration_health_answers_only(api_world: ApiWorld) -> None:
    body = (
        api_client(api_world, Role.ICB_OFFICER)
        .get(f"/api/v1/declarations/{api_world.school_draft.pk}/")
        .json()
    )
    assert body["answers_scope"] == "health" and body["answers"] == []
    own = (
        api_client(api_world, Role.ICB_OFFICER)
        .get(f"/api/v1/declarations/{api_world.icb_draft.pk}/")
        .json()
    )
    assert own["answers_scope"] == "all"


def test_icb_officer_reads_a_school_result_without_its_scores(api_world: ApiWorld) -> None:
    """As on the result page: the score and "all musts met" count requirements outside health."""
    path = f"/api/v1/providers/{api_world.world.school.pk}/result/"
    full = api_client(api_world, Role.AREA_OFFICER).get(path).json()
    assert full["health_only"] is False
    assert full["score"] is not None and full["all_musts_met"] is False
    body = api_client(api_world, Role.ICB_OFFICER).get(path).json()
    assert body["health_only"] is True
    assert body["run"] == full["run"] and body["state"] == full["state"]
    assert body["score"] is None and body["all_musts_met"] is None
    # No health requirement applies to the school here, so none is listed or counted.
    assert body["sections"] == [] and {c["total"] for c in body["counts"]} == {0}

"""The self-audit pages: every role × every page and object × own and other scope.

Own scope is area A (its school, its LA, its ICB); other scope is area B. A page outside a
person's scope answers 404; lists never show another scope's data.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import Role
from audits.models import Declaration, DeclarationRound
from audits.services import start_revision, today
from tests.audits.factories import (
    DeclarationRoundFactory,
    make_declaration,
    make_submitted_declaration,
)
from tests.permissions.world import ROLES, World, build_world
from tests.standards.builders import document, make_version

OK, NOT_FOUND = 200, 404
SIGN_IN = "sign in"  # a redirect to the sign-in page
REDIRECT = "redirect"  # a redirect elsewhere: the action was allowed

READS_ALL = {Role.NATIONAL_ANALYST, Role.SITE_ADMIN}
SEES_OWN_SCHOOL = {
    Role.PROVIDER_EDITOR,
    Role.PROVIDER_VIEWER,
    Role.TRUST_OFFICER,
    Role.AREA_OFFICER,
    Role.ICB_OFFICER,
    *READS_ALL,
}
SEES_OWN_AREA = {Role.AREA_OFFICER, Role.ICB_OFFICER, *READS_ALL}


@dataclass
class AuditWorld:
    world: World
    submitted: Declaration
    draft: Declaration
    other_submitted: Declaration
    other_draft: Declaration
    la_draft: Declaration
    round: DeclarationRound
    other_round: DeclarationRound


HEALTH_REQUIREMENT = {
    "key": "SCH-HEALTH-ADVICE",
    "title": "Health advice sought",
    "question": "Do you ask health professionals for advice?",
    "theme": "health",
    "applies_to": ["mainstream_school"],
    "strength": "should",
    "answer": {"type": "yes_no"},
    "rule": {"op": "is_yes"},
    "citations": [{"document": "Doc", "reference": "1"}],
}


def _school_answers() -> dict:
    return {"SCH-POLICY-URL": "https://own.example.org/sen", "SCH-POLICY-REVIEWED": "2026-09-01"}


@pytest.fixture
def audit_world(db) -> AuditWorld:
    world = build_world()
    doc = document()
    doc["standard"]["slug"] = "send-statutory-baseline"
    doc["sections"][0]["requirements"].append(HEALTH_REQUIREMENT)
    version = make_version(doc, publish=True)
    period = "2026/27"
    submitted = make_submitted_declaration(
        provider=world.school, version=version, answers=_school_answers()
    )
    other_submitted = make_submitted_declaration(
        provider=world.other_school, version=version, answers=_school_answers()
    )
    editor = world.users[Role.PROVIDER_EDITOR]
    draft = start_revision(declaration=submitted, user=editor).declaration
    other_draft = make_declaration(provider=world.other_school, version=version, revision=2)
    la_draft = make_declaration(provider=world.la, version=version, period=period)
    deadline = today() + dt.timedelta(days=60)
    return AuditWorld(
        world=world,
        submitted=submitted,
        draft=draft,
        other_submitted=other_submitted,
        other_draft=other_draft,
        la_draft=la_draft,
        round=DeclarationRoundFactory(
            area=world.area, version=version, period=period, deadline=deadline
        ),
        other_round=DeclarationRoundFactory(
            area=world.other_area, version=version, period=period, deadline=deadline
        ),
    )


def client_for(aw: AuditWorld, role: str) -> Client:
    client = Client()
    user = aw.world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def only(roles, status=OK, default=NOT_FOUND):
    """Expected statuses: `status` for these roles, sign-in for anonymous, `default` otherwise."""
    return ({"anonymous": SIGN_IN, **dict.fromkeys(roles, status)}, default)


EDITS_OWN_SCHOOL = {Role.PROVIDER_EDITOR, Role.SITE_ADMIN}
REVIEWS_OWN = {Role.AREA_OFFICER, Role.ICB_OFFICER, Role.SITE_ADMIN}

# page name -> (method, path builder, (expected by role, default))
PAGES = {
    "own school self-audit": (
        "get",
        lambda a: f"/providers/{a.world.school.pk}/self-audit/",
        only(SEES_OWN_SCHOOL),
    ),
    "other school self-audit": (
        "get",
        lambda a: f"/providers/{a.world.other_school.pk}/self-audit/",
        only(READS_ALL),
    ),
    "own LA self-audit": (
        "get",
        lambda a: f"/providers/{a.world.la.pk}/self-audit/",
        only(SEES_OWN_AREA),
    ),
    "own ICB self-audit": (
        "get",
        lambda a: f"/providers/{a.world.icb_provider.pk}/self-audit/",
        only({Role.ICB_OFFICER, *READS_ALL}),
    ),
    "other ICB self-audit": (
        "get",
        lambda a: f"/providers/{a.world.other_icb_provider.pk}/self-audit/",
        only(READS_ALL),
    ),
    "start own school": (
        "post",
        lambda a: f"/providers/{a.world.school.pk}/self-audit/start/",
        only(EDITS_OWN_SCHOOL, REDIRECT),
    ),
    "start other school": (
        "post",
        lambda a: f"/providers/{a.world.other_school.pk}/self-audit/start/",
        only({Role.SITE_ADMIN}, REDIRECT),
    ),
    "start own LA": (
        "post",
        lambda a: f"/providers/{a.world.la.pk}/self-audit/start/",
        only({Role.AREA_OFFICER, Role.SITE_ADMIN}, REDIRECT),
    ),
    "own task list": (
        "get",
        lambda a: f"/declarations/{a.draft.pk}/tasks/",
        only(EDITS_OWN_SCHOOL),
    ),
    "other task list": (
        "get",
        lambda a: f"/declarations/{a.other_draft.pk}/tasks/",
        only({Role.SITE_ADMIN}),
    ),
    "own LA task list": (
        "get",
        lambda a: f"/declarations/{a.la_draft.pk}/tasks/",
        only({Role.AREA_OFFICER, Role.SITE_ADMIN}),
    ),
    "own question": (
        "get",
        lambda a: f"/declarations/{a.draft.pk}/questions/SCH-POLICY-URL/",
        only(EDITS_OWN_SCHOOL),
    ),
    "other question": (
        "get",
        lambda a: f"/declarations/{a.other_draft.pk}/questions/SCH-POLICY-URL/",
        only({Role.SITE_ADMIN}),
    ),
    "save own answer": (
        "post",
        lambda a: f"/declarations/{a.draft.pk}/questions/SCH-POLICY-URL/",
        only(EDITS_OWN_SCHOOL, REDIRECT),
    ),
    "save other answer": (
        "post",
        lambda a: f"/declarations/{a.other_draft.pk}/questions/SCH-POLICY-URL/",
        only({Role.SITE_ADMIN}, REDIRECT),
    ),
    "own check answers": (
        "get",
        lambda a: f"/declarations/{a.draft.pk}/check/",
        only(EDITS_OWN_SCHOOL),
    ),
    "other check answers": (
        "get",
        lambda a: f"/declarations/{a.other_draft.pk}/check/",
        only({Role.SITE_ADMIN}),
    ),
    "own confirmation": (
        "get",
        lambda a: f"/declarations/{a.submitted.pk}/submitted/",
        only(EDITS_OWN_SCHOOL),
    ),
    "other confirmation": (
        "get",
        lambda a: f"/declarations/{a.other_submitted.pk}/submitted/",
        only({Role.SITE_ADMIN}),
    ),
    "own declaration": ("get", lambda a: f"/declarations/{a.submitted.pk}/", only(SEES_OWN_SCHOOL)),
    "own draft declaration": (
        "get",
        lambda a: f"/declarations/{a.draft.pk}/",
        only(SEES_OWN_SCHOOL),
    ),
    "other declaration": (
        "get",
        lambda a: f"/declarations/{a.other_submitted.pk}/",
        only(READS_ALL),
    ),
    "own LA declaration": ("get", lambda a: f"/declarations/{a.la_draft.pk}/", only(SEES_OWN_AREA)),
    "own history": (
        "get",
        lambda a: f"/declarations/{a.submitted.pk}/history/",
        only(SEES_OWN_SCHOOL),
    ),
    "other history": (
        "get",
        lambda a: f"/declarations/{a.other_submitted.pk}/history/",
        only(READS_ALL),
    ),
    "revise own": (
        "post",
        lambda a: f"/declarations/{a.submitted.pk}/revise/",
        only(EDITS_OWN_SCHOOL, REDIRECT),
    ),
    "revise other": (
        "post",
        lambda a: f"/declarations/{a.other_submitted.pk}/revise/",
        only({Role.SITE_ADMIN}, REDIRECT),
    ),
    "review own": ("get", lambda a: f"/declarations/{a.submitted.pk}/review/", only(REVIEWS_OWN)),
    "review other": (
        "get",
        lambda a: f"/declarations/{a.other_submitted.pk}/review/",
        only({Role.SITE_ADMIN}),
    ),
    "review own draft": ("get", lambda a: f"/declarations/{a.draft.pk}/review/", only(set())),
    "declarations to review": ("get", lambda a: "/reviews/", only(REVIEWS_OWN)),
    "own area rounds": (
        "get",
        lambda a: f"/areas/{a.world.area.code}/rounds/",
        only(SEES_OWN_AREA),
    ),
    "other area rounds": (
        "get",
        lambda a: f"/areas/{a.world.other_area.code}/rounds/",
        only(READS_ALL),
    ),
    "open own area round": (
        "get",
        lambda a: f"/areas/{a.world.area.code}/rounds/new/",
        only({Role.AREA_OFFICER, Role.SITE_ADMIN}),
    ),
    "open other area round": (
        "get",
        lambda a: f"/areas/{a.world.other_area.code}/rounds/new/",
        only({Role.SITE_ADMIN}),
    ),
    "own round": ("get", lambda a: f"/rounds/{a.round.pk}/", only(SEES_OWN_AREA)),
    "other round": ("get", lambda a: f"/rounds/{a.other_round.pk}/", only(READS_ALL)),
}


def outcome(response) -> int | str:
    if response.status_code == 302:
        return SIGN_IN if response["Location"].startswith("/account/sign-in/") else REDIRECT
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_page_access(audit_world: AuditWorld, role: str) -> None:
    """Every page for one role (building the world once per role keeps this fast).

    Reads come first, then the posts, which only ever reopen what exists already.
    """
    client = client_for(audit_world, role)
    wrong = []
    for page, (method, build, (expected_by_role, default)) in sorted(
        PAGES.items(), key=lambda item: item[1][0] == "post"
    ):
        path = build(audit_world)
        if method == "post":
            data = {"row_version": "1", "value": "https://x.example.org/sen", "action": "later"}
            response = client.post(path, data)
        else:
            response = client.get(path)
        expected = expected_by_role.get(role, default)
        if outcome(response) != expected:
            wrong.append(
                f"{page} ({method.upper()} {path}): {outcome(response)}, expected {expected}"
            )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_nothing_changes_outside_the_scope(audit_world: AuditWorld, role: str) -> None:
    """Posting to another scope's pages neither saves, starts nor revises anything."""
    client = client_for(audit_world, role)
    before = Declaration.objects.count()
    client.post(
        f"/declarations/{audit_world.other_draft.pk}/questions/SCH-POLICY-URL/",
        {"row_version": "1", "value": "https://evil.example.org", "action": "later"},
    )
    client.post(f"/declarations/{audit_world.other_submitted.pk}/revise/")
    client.post(f"/providers/{audit_world.world.other_school.pk}/self-audit/start/")
    client.post(f"/declarations/{audit_world.other_submitted.pk}/review/", {"decision": "accept"})
    other = Declaration.objects.get(pk=audit_world.other_submitted.pk)
    if role == Role.SITE_ADMIN:
        return
    assert Declaration.objects.count() == before
    assert audit_world.other_draft.answers.get(requirement_key="SCH-POLICY-URL").value is None
    assert other.review_status == "not_reviewed"


@pytest.mark.parametrize("role", [Role.AREA_OFFICER, Role.ICB_OFFICER, Role.SITE_ADMIN])
def test_review_list_shows_only_the_scope(audit_world: AuditWorld, role: str) -> None:
    # A declaration being revised is not listed for review: drop the revision.
    audit_world.draft.delete()
    html = client_for(audit_world, role).get("/reviews/?status=all").content.decode()
    assert ">Own Primary School</a>" in html
    assert (">Other Primary School</a>" in html) == (role == Role.SITE_ADMIN)


@pytest.mark.parametrize("role", [Role.AREA_OFFICER, Role.ICB_OFFICER, Role.NATIONAL_ANALYST])
def test_round_page_lists_only_its_own_area(audit_world: AuditWorld, role: str) -> None:
    html = client_for(audit_world, role).get(f"/rounds/{audit_world.round.pk}/").content.decode()
    assert "Own Primary School" in html and "Other Primary School" not in html
    assert "Othershire" not in html


@pytest.mark.parametrize(
    "role", [r for r in ROLES if r not in ("anonymous", "no_role", Role.STANDARDS_ADMIN)]
)
def test_self_audit_history_shows_only_that_providers_declarations(
    audit_world: AuditWorld, role: str
) -> None:
    response = client_for(audit_world, role).get(
        f"/providers/{audit_world.world.school.pk}/self-audit/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/declarations/{audit_world.submitted.pk}/" in html
    links = {
        f"/declarations/{d.pk}/" for d in (audit_world.other_submitted, audit_world.other_draft)
    }
    assert not any(link in html for link in links)


def test_icb_officer_sees_only_health_answers_of_a_school(audit_world: AuditWorld) -> None:
    html = (
        client_for(audit_world, Role.ICB_OFFICER)
        .get(f"/declarations/{audit_world.submitted.pk}/")
        .content.decode()
    )
    assert "You can see the answers about health only." in html
    assert "Health advice sought" in html and "SEN policy published" not in html
    html = (
        client_for(audit_world, Role.AREA_OFFICER)
        .get(f"/declarations/{audit_world.submitted.pk}/")
        .content.decode()
    )
    assert "SEN policy published" in html

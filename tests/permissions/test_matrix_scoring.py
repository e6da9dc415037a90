"""Every role × the result and gap pages × own and other scope, and who may change a gap.

Pages outside a person's scope answer 404. Integrated care board officers see a school only
through their ICB, so only its health requirements' results and gaps. Gaps may be changed by
the provider's editors, the officers of its area and site admins; everyone else who can see
them reads only (403 on a change).
"""

import pytest
from django.test import Client

from accounts.models import Role
from scoring.models import Gap, GapEvent
from scoring.specs import clear_caches
from tests.permissions.world import ROLES, World
from tests.scoring.builders import declare, score, worked_version

OK, NOT_FOUND, SIGN_IN, FORBIDDEN, SAVED = 200, 404, 302, 403, 302
READS_ALL = {Role.NATIONAL_ANALYST, Role.SITE_ADMIN}
SEES_OWN_SCHOOL = {
    Role.PROVIDER_EDITOR,
    Role.PROVIDER_VIEWER,
    Role.TRUST_OFFICER,
    Role.AREA_OFFICER,
    Role.ICB_OFFICER,
    *READS_ALL,
}


@pytest.fixture
def scored(world: World):
    clear_caches()
    version = worked_version()
    for school in (world.school, world.other_school):
        score(declare(school, version))
    yield world
    clear_caches()


def gap(provider, key):
    return Gap.objects.get(provider=provider, requirement_key=key)


def only(roles, status=OK, default=NOT_FOUND):
    return {"anonymous": SIGN_IN, **dict.fromkeys(roles, status)}, default


PAGES = {
    "own school result": (lambda w: f"/providers/{w.school.pk}/result/", *only(SEES_OWN_SCHOOL)),
    "own school result status": (
        lambda w: f"/providers/{w.school.pk}/result/status.json",
        *only(SEES_OWN_SCHOOL),
    ),
    "other school result": (lambda w: f"/providers/{w.other_school.pk}/result/", *only(READS_ALL)),
    "other school result status": (
        lambda w: f"/providers/{w.other_school.pk}/result/status.json",
        *only(READS_ALL),
    ),
    "own LA result": (
        lambda w: f"/providers/{w.la.pk}/result/",
        *only({Role.AREA_OFFICER, Role.ICB_OFFICER, *READS_ALL}),
    ),
    "own ICB result": (
        lambda w: f"/providers/{w.icb_provider.pk}/result/",
        *only({Role.ICB_OFFICER, *READS_ALL}),
    ),
    "other ICB gaps": (lambda w: f"/providers/{w.other_icb_provider.pk}/gaps/", *only(READS_ALL)),
    "own school gaps": (lambda w: f"/providers/{w.school.pk}/gaps/", *only(SEES_OWN_SCHOOL)),
    "other school gaps": (lambda w: f"/providers/{w.other_school.pk}/gaps/", *only(READS_ALL)),
    "own school gap": (
        lambda w: f"/providers/{w.school.pk}/gaps/{gap(w.school, 'L2-REVIEWED').pk}/",
        # An ICB officer sees only the school's health gaps; this one is not.
        *only(SEES_OWN_SCHOOL - {Role.ICB_OFFICER}),
    ),
    "own school health gap": (
        lambda w: f"/providers/{w.school.pk}/gaps/{gap(w.school, 'O4-HEALTH').pk}/",
        *only(SEES_OWN_SCHOOL),
    ),
    "other school gap": (
        lambda w: f"/providers/{w.other_school.pk}/gaps/{gap(w.other_school, 'L2-REVIEWED').pk}/",
        *only(READS_ALL),
    ),
    "another provider's gap under own school": (
        lambda w: f"/providers/{w.school.pk}/gaps/{gap(w.other_school, 'L2-REVIEWED').pk}/",
        *only(set()),
    ),
    "own area gaps": (
        lambda w: f"/areas/{w.area.code}/gaps/",
        *only({Role.AREA_OFFICER, Role.ICB_OFFICER, *READS_ALL}),
    ),
    "other area gaps": (lambda w: f"/areas/{w.other_area.code}/gaps/", *only(READS_ALL)),
    "re-scores": (lambda w: "/rescores/", *only({Role.STANDARDS_ADMIN, *READS_ALL})),
}


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_scoring_page_access(scored: World, page: str) -> None:
    """One page, every role (the world is built once per page: it is not cheap)."""
    build, expected_by_role, default = PAGES[page]
    wrong = []
    for role in ROLES:
        response = client_for(scored, role).get(build(scored))
        expected = expected_by_role.get(role, default)
        if response.status_code != expected:
            wrong.append(f"{role}: {response.status_code}, expected {expected}")
    assert not wrong, f"{page}: " + "; ".join(wrong)


CHANGE = {"status": "open", "action_plan": "", "owner": ""}
# Who may change a gap: provider editors of that provider, area officers of its area, site
# admins. Those who can see it but not change it get 403; those who cannot see it, 404.
CHANGES = {
    "own school gap": (
        lambda w: gap(w.school, "L2-REVIEWED"),
        {
            "anonymous": SIGN_IN,
            Role.PROVIDER_EDITOR: SAVED,
            Role.AREA_OFFICER: SAVED,
            Role.SITE_ADMIN: SAVED,
            Role.PROVIDER_VIEWER: FORBIDDEN,
            Role.TRUST_OFFICER: FORBIDDEN,
            Role.NATIONAL_ANALYST: FORBIDDEN,
        },
        NOT_FOUND,
    ),
    "own school health gap": (
        lambda w: gap(w.school, "O4-HEALTH"),
        {
            "anonymous": SIGN_IN,
            Role.PROVIDER_EDITOR: SAVED,
            Role.AREA_OFFICER: SAVED,
            Role.SITE_ADMIN: SAVED,
            Role.PROVIDER_VIEWER: FORBIDDEN,
            Role.TRUST_OFFICER: FORBIDDEN,
            Role.ICB_OFFICER: FORBIDDEN,
            Role.NATIONAL_ANALYST: FORBIDDEN,
        },
        NOT_FOUND,
    ),
    "other school gap": (
        lambda w: gap(w.other_school, "L2-REVIEWED"),
        {"anonymous": SIGN_IN, Role.SITE_ADMIN: SAVED, Role.NATIONAL_ANALYST: FORBIDDEN},
        NOT_FOUND,
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_who_may_change_a_gap(scored: World, change: str) -> None:
    find, expected_by_role, default = CHANGES[change]
    wrong = []
    for role in ROLES:
        target = find(scored)
        before = target.row_version
        response = client_for(scored, role).post(
            f"/providers/{target.provider_id}/gaps/{target.pk}/",
            {**CHANGE, "row_version": before},
        )
        expected = expected_by_role.get(role, default)
        target.refresh_from_db()
        changed = target.row_version != before
        if response.status_code != expected:
            wrong.append(f"{role}: {response.status_code}, expected {expected}")
        elif changed != (expected == SAVED and role != "anonymous"):
            wrong.append(f"{role}: changed={changed}")
    assert not wrong, f"{change}: " + "; ".join(wrong)


def test_icb_officers_see_only_health_results_of_a_school(scored: World) -> None:
    html = client_for(scored, Role.ICB_OFFICER).get(f"/providers/{scored.school.pk}/result/")
    text = html.content.decode()
    assert "O4-HEALTH" in text and "L1-POLICY" not in text and "out of 100" not in text
    gaps = client_for(scored, Role.ICB_OFFICER).get(f"/providers/{scored.school.pk}/gaps/")
    assert "O4-HEALTH" in gaps.content.decode()
    assert "L2-REVIEWED" not in gaps.content.decode()


@pytest.mark.parametrize("role", [Role.AREA_OFFICER, Role.ICB_OFFICER, Role.NATIONAL_ANALYST])
def test_area_gaps_show_only_the_areas_providers(scored: World, role: str) -> None:
    html = client_for(scored, role).get(f"/areas/{scored.area.code}/gaps/").content.decode()
    assert "Own Primary School" in html
    assert "Other Primary School" not in html


@pytest.mark.parametrize("change", CHANGES)
def test_who_may_add_a_note_to_a_gap(scored: World, change: str) -> None:
    """The same people as may change a gap, on the same page."""
    find, expected_by_role, default = CHANGES[change]
    wrong = []
    for role in ROLES:
        target = find(scored)
        notes = GapEvent.objects.filter(gap=target, action="note added")
        before = notes.count()
        response = client_for(scored, role).post(
            f"/providers/{target.provider_id}/gaps/{target.pk}/",
            {"form": "note", "note": f"A note from {role}"},
        )
        expected = expected_by_role.get(role, default)
        added = notes.count() != before
        if response.status_code != expected:
            wrong.append(f"{role}: {response.status_code}, expected {expected}")
        elif added != (expected == SAVED and role != "anonymous"):
            wrong.append(f"{role}: added={added}")
    assert not wrong, f"{change}: " + "; ".join(wrong)

"""Every role × every page and object kind × own and other scope.

A page outside a person's scope answers 404, so nobody learns what exists elsewhere; lists
never show another scope's data.
"""

import pytest
from django.test import Client

from accounts.models import Role
from tests.permissions.world import ROLES, World

OK, NOT_FOUND, SIGN_IN = 200, 404, 302

READS_ALL = {Role.NATIONAL_ANALYST, Role.SITE_ADMIN}

# page name -> (path builder, {role: expected status}); roles not listed get the default.
PAGES = {
    "provider list": (lambda w: "/providers/", {"anonymous": SIGN_IN}, OK),
    "own school": (
        lambda w: f"/providers/{w.school.pk}/",
        {
            "anonymous": SIGN_IN,
            Role.PROVIDER_EDITOR: OK,
            Role.PROVIDER_VIEWER: OK,
            Role.TRUST_OFFICER: OK,
            Role.AREA_OFFICER: OK,
            Role.ICB_OFFICER: OK,
            **dict.fromkeys(READS_ALL, OK),
        },
        NOT_FOUND,
    ),
    "other school": (
        lambda w: f"/providers/{w.other_school.pk}/",
        {"anonymous": SIGN_IN, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "own LA as provider": (
        lambda w: f"/providers/{w.la.pk}/",
        {
            "anonymous": SIGN_IN,
            Role.AREA_OFFICER: OK,
            Role.ICB_OFFICER: OK,
            **dict.fromkeys(READS_ALL, OK),
        },
        NOT_FOUND,
    ),
    "own ICB as provider": (
        lambda w: f"/providers/{w.icb_provider.pk}/",
        {"anonymous": SIGN_IN, Role.ICB_OFFICER: OK, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "other ICB as provider": (
        lambda w: f"/providers/{w.other_icb_provider.pk}/",
        {"anonymous": SIGN_IN, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "area list": (
        lambda w: "/areas/",
        {
            "anonymous": SIGN_IN,
            Role.AREA_OFFICER: OK,
            Role.ICB_OFFICER: OK,
            **dict.fromkeys(READS_ALL, OK),
        },
        NOT_FOUND,
    ),
    "own area": (
        lambda w: f"/areas/{w.area.code}/",
        {
            "anonymous": SIGN_IN,
            Role.AREA_OFFICER: OK,
            Role.ICB_OFFICER: OK,
            **dict.fromkeys(READS_ALL, OK),
        },
        NOT_FOUND,
    ),
    "other area": (
        lambda w: f"/areas/{w.other_area.code}/",
        {"anonymous": SIGN_IN, **dict.fromkeys(READS_ALL, OK)},
        NOT_FOUND,
    ),
    "own area import": (
        lambda w: f"/areas/{w.area.code}/import/",
        {"anonymous": SIGN_IN, Role.AREA_OFFICER: OK, Role.SITE_ADMIN: OK},
        NOT_FOUND,
    ),
    "other area import": (
        lambda w: f"/areas/{w.other_area.code}/import/",
        {"anonymous": SIGN_IN, Role.SITE_ADMIN: OK},
        NOT_FOUND,
    ),
    "standards": (lambda w: "/standards/", {}, OK),
    "admin": (
        lambda w: "/admin/",
        {Role.STANDARDS_ADMIN: OK, Role.SITE_ADMIN: OK},
        SIGN_IN,
    ),
    "admin people": (
        lambda w: "/admin/accounts/user/",
        {Role.SITE_ADMIN: OK, Role.STANDARDS_ADMIN: 403},
        SIGN_IN,
    ),
    "admin standards": (
        lambda w: "/admin/standards/standardversion/",
        {Role.SITE_ADMIN: OK, Role.STANDARDS_ADMIN: OK},
        SIGN_IN,
    ),
}


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_access(world: World, role: str, page: str) -> None:
    build, expected_by_role, default = PAGES[page]
    response = client_for(world, role).get(build(world))
    assert response.status_code == expected_by_role.get(role, default), (
        f"{role} on {page}: {response.status_code}"
    )


# Which providers each role sees in the provider list.
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
ALL_NAMES = VISIBLE[Role.NATIONAL_ANALYST]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_provider_list_shows_only_the_scope(world: World, role: str) -> None:
    html = client_for(world, role).get("/providers/").content.decode()
    shown = {name for name in ALL_NAMES if f">{name}<" in html}
    assert shown == VISIBLE[role]


@pytest.mark.parametrize("role", [Role.AREA_OFFICER, Role.ICB_OFFICER, Role.NATIONAL_ANALYST])
def test_area_list_shows_only_the_scope(world: World, role: str) -> None:
    html = client_for(world, role).get("/areas/").content.decode()
    assert ("Othershire" in html) == (role in READS_ALL)
    assert "Ownshire" in html


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_filtering_by_another_area_shows_nothing(world: World, role: str) -> None:
    response = client_for(world, role).get(f"/providers/?area={world.other_area.code}")
    assert response.status_code == 200
    html = response.content.decode()
    leaked = {
        name for name in ("Other Primary School", "Othershire Council") if f">{name}<" in html
    }
    assert leaked == (
        set() if role not in READS_ALL else {"Other Primary School", "Othershire Council"}
    )

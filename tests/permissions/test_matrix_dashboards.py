"""The dashboards: every role × every dashboard page and download × own and other scope.

Area dashboards are for the area's officers and national roles; ICB dashboards for the ICB's
officers and national roles; the national view for national roles. Anything else answers 404
(or sends an anonymous visitor to sign in), and no page shows another scope's providers.
"""

import pytest
from django.test import Client

from accounts.models import Role
from dashboards.services import clear_caches, refresh_all
from tests.dashboards.builders import dashboard_version, declare_and_score
from tests.permissions.world import ROLES, World, build_world

OK, NOT_FOUND, SIGN_IN = 200, 404, 302

READS_ALL = {Role.NATIONAL_ANALYST, Role.SITE_ADMIN}
AREA = {Role.AREA_OFFICER, *READS_ALL}
ICB = {Role.ICB_OFFICER, *READS_ALL}
ANY_DASHBOARD = {Role.AREA_OFFICER, Role.ICB_OFFICER, *READS_ALL}

AREA_TABLES = [
    "types",
    "phases",
    "sections",
    "failed",
    "gaps",
    "overdue",
    "trend_periods",
    "trend",
    "context",
    "providers",
    "heatmap",
]


def _pages() -> dict[str, tuple]:
    """page name → (path builder, roles answered 200)."""
    pages: dict[str, tuple] = {
        "index": (lambda w: "/dashboards/", ANY_DASHBOARD),
        "national": (lambda w: "/dashboards/national/", READS_ALL),
        "national by region": (lambda w: "/dashboards/national/?region=E12000007", READS_ALL),
        "compare": (
            lambda w: f"/dashboards/national/compare/?area={w.area.code}&area={w.other_area.code}",
            READS_ALL,
        ),
        "ICB list": (lambda w: "/dashboards/icbs/", ICB),
        "own ICB": (lambda w: f"/dashboards/icbs/{w.icb.code}/", ICB),
        "other ICB": (lambda w: f"/dashboards/icbs/{w.other_icb.code}/", READS_ALL),
        "own ICB's area": (lambda w: f"/dashboards/icbs/{w.icb.code}/areas/{w.area.code}/", ICB),
        "other ICB's area": (
            lambda w: f"/dashboards/icbs/{w.other_icb.code}/areas/{w.other_area.code}/",
            READS_ALL,
        ),
        "an area the ICB does not cover": (
            lambda w: f"/dashboards/icbs/{w.icb.code}/areas/{w.other_area.code}/",
            set(),
        ),
        "no such area": (lambda w: "/dashboards/areas/999/", set()),  # factories use 000 to 199
        "no such ICB": (lambda w: "/dashboards/icbs/E54999999/", set()),
    }
    for scope, attribute, allowed in (("own", "area", AREA), ("other", "other_area", READS_ALL)):
        for page, suffix in (
            ("dashboard", ""),
            ("providers", "providers/"),
            ("heatmap", "heatmap/"),
        ):
            pages[f"{scope} area {page}"] = (
                lambda w, a=attribute, s=suffix: f"/dashboards/areas/{getattr(w, a).code}/{s}",
                allowed,
            )
        for table in AREA_TABLES:
            for fmt in ("csv", "xlsx"):
                pages[f"{scope} area {table}.{fmt}"] = (
                    lambda w, a=attribute, t=table, f=fmt: (
                        f"/dashboards/areas/{getattr(w, a).code}/download/{t}.{f}"
                    ),
                    allowed,
                )
    for table in ("areas", "regions", "compare"):
        for fmt in ("csv", "xlsx"):
            pages[f"national {table}.{fmt}"] = (
                lambda w, t=table, f=fmt: (
                    f"/dashboards/national/download/{t}.{f}?area={w.area.code}"
                ),
                READS_ALL,
            )
    for scope, attribute, allowed in (("own", "icb", ICB), ("other", "other_icb", READS_ALL)):
        for table in ("areas", "health", "own"):
            for fmt in ("csv", "xlsx"):
                pages[f"{scope} ICB {table}.{fmt}"] = (
                    lambda w, a=attribute, t=table, f=fmt: (
                        f"/dashboards/icbs/{getattr(w, a).code}/download/{t}.{f}"
                    ),
                    allowed,
                )
    for fmt in ("csv", "xlsx"):
        pages[f"own ICB's area providers.{fmt}"] = (
            lambda w, f=fmt: (
                f"/dashboards/icbs/{w.icb.code}/areas/{w.area.code}/download/providers.{f}"
            ),
            ICB,
        )
        pages[f"uncovered area providers.{fmt}"] = (
            lambda w, f=fmt: (
                f"/dashboards/icbs/{w.icb.code}/areas/{w.other_area.code}/download/providers.{f}"
            ),
            set(),
        )
    return pages


PAGES = _pages()


@pytest.fixture
def scored_world(db) -> World:
    clear_caches()
    world = build_world()
    version = dashboard_version()
    for provider in (world.school, world.other_school, world.la, world.icb_provider):
        declare_and_score(provider, version)
    refresh_all()
    yield world
    clear_caches()


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_dashboard_page_and_download(scored_world: World, role: str) -> None:
    client = client_for(scored_world, role)
    wrong = []
    for page, (build, allowed) in PAGES.items():
        expected = SIGN_IN if role == "anonymous" else OK if role in allowed else NOT_FOUND
        status = client.get(build(scored_world)).status_code
        if status != expected:
            wrong.append(f"{page}: {status}, expected {expected}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_dashboards_accept_no_writes(scored_world: World, role: str) -> None:
    client = client_for(scored_world, role)
    response = client.post(f"/dashboards/areas/{scored_world.area.code}/")
    if role == "anonymous":
        assert response.status_code == SIGN_IN
        assert response["Location"].startswith("/account/sign-in/")
    else:
        assert response.status_code == 405
        assert response["Allow"] == "GET"


@pytest.mark.parametrize("role", [Role.AREA_OFFICER, Role.ICB_OFFICER])
def test_officers_never_see_another_scope(scored_world: World, role: str) -> None:
    client = client_for(scored_world, role)
    w = scored_world
    pages = ["/dashboards/"]
    if role == Role.AREA_OFFICER:
        pages += [
            f"/dashboards/areas/{w.area.code}/",
            f"/dashboards/areas/{w.area.code}/providers/",
            f"/dashboards/areas/{w.area.code}/heatmap/",
            f"/dashboards/areas/{w.area.code}/download/providers.csv",
        ]
    else:
        pages += [
            f"/dashboards/icbs/{w.icb.code}/",
            f"/dashboards/icbs/{w.icb.code}/areas/{w.area.code}/",
            f"/dashboards/icbs/{w.icb.code}/download/areas.csv",
        ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode("utf-8-sig")
        assert any(name in body for name in ("Ownshire", "Own Primary School", "NHS Own ICB"))
        for name in ("Othershire", "Other Primary School", "NHS Other ICB"):
            assert name not in body, f"{name} on {path}"


def test_an_icb_officer_sees_health_requirements_only(scored_world: World) -> None:
    w = scored_world
    client = client_for(w, Role.ICB_OFFICER)
    body = client.get(f"/dashboards/icbs/{w.icb.code}/").content.decode()
    assert "H1-NURSE" in body
    for key in ("L1-POLICY", "L2-REVIEW", "L3-GOVERNOR"):
        assert key not in body
    exported = client.get(f"/dashboards/icbs/{w.icb.code}/download/health.csv").content.decode()
    assert "H1-NURSE" in exported and "L1-POLICY" not in exported

"""An area's local standard on the dashboards: the area dashboard shows its figures beside the
national ones; national and ICB dashboards never include local requirements."""

import copy
import re

import pytest
from django.test import Client

from accounts.models import Role, User
from accounts.services import grant_role
from audits.models import Answer, Declaration
from dashboards import services
from scoring.services import score_declaration
from standards.services import load_version, publish_version, withdraw_version
from tests.dashboards.builders import ALL_YES, CITE, SLUG, declare, today
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    ProviderFactory,
)
from tests.standards.builders import as_yaml

pytestmark = pytest.mark.django_db

LOCAL = {
    "format": 1,
    "standard": {"slug": "ownshire-local", "title": "Ownshire expectations", "owner": "Ownshire"},
    "extends": {"slug": SLUG, "version": "1.0"},
    "area": "990",
    "version": "1.0",
    "effective_from": "2024-09-01",
    "sections": [
        {
            "code": "OWNSHIRE-OAP",
            "title": "Ownshire ordinarily available provision",
            "requirements": [
                {
                    "key": "OWNSHIRE-PROVISION-MAP",
                    "title": "Ownshire provision map kept",
                    "question": "Do you keep a provision map?",
                    "theme": "ordinarily_available_provision",
                    "applies_to": ["mainstream_school"],
                    "strength": "should",
                    "answer": {"type": "yes_no"},
                    "rule": {"op": "is_yes"},
                    "citations": CITE,
                }
            ],
        }
    ],
}


@pytest.fixture
def area():
    return AreaFactory(name="Ownshire", code="990", region_code="E12000007", region_name="London")


@pytest.fixture
def scored(version, area):
    load_version(text=as_yaml(copy.deepcopy(LOCAL)))
    local = publish_version(slug="ownshire-local", version="1.0")
    icb = IcbFactory(name="Ownshire ICB")
    IcbAreaCoverageFactory(icb=icb, area=area)
    for name in ("Alder Primary", "Birch Primary"):
        school = ProviderFactory(area=area, name=name)
        declaration = declare(school, version, ALL_YES)
        Declaration.objects.filter(pk=declaration.pk).update(local_version=local)
        requirement = local.requirements.get()
        answer = Answer(
            declaration=declaration,
            requirement=requirement,
            requirement_key=requirement.key,
            answer_type="yes_no",
        )
        answer.set_value(False)
        answer.save()
        score_declaration(declaration_id=declaration.pk, on=today())
    services.refresh_all()
    services.refresh_all(standard_slug="ownshire-local")
    return local, icb


def client_for(role, scope=None) -> Client:
    user = User.objects.create_user(f"{role}@example.org", "pw-123456789")
    grant_role(user=user, role=role, scope=scope)
    client = Client()
    client.force_login(user)
    return client


def body_of(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_area_dashboard_shows_the_national_and_the_local_figures(scored, area):
    officer = client_for(Role.AREA_OFFICER, area)
    national = body_of(officer.get(f"/dashboards/areas/{area.code}/"))
    assert "Ownshire expectations version 1.0" in national
    assert "?standard=ownshire-local" in national
    assert "OWNSHIRE-PROVISION-MAP" not in national
    local = body_of(officer.get(f"/dashboards/areas/{area.code}/?standard=ownshire-local"))
    assert "These are the figures for the local standard" in local
    assert "OWNSHIRE-PROVISION-MAP" in local
    assert "Ownshire provision map kept" in local


def test_national_and_icb_dashboards_never_include_local_requirements(scored, area):
    _, icb = scored
    analyst = client_for(Role.NATIONAL_ANALYST)
    for url in (
        "/dashboards/national/",
        "/dashboards/national/?standard=ownshire-local",
        f"/dashboards/icbs/{icb.code}/",
        f"/dashboards/icbs/{icb.code}/?standard=ownshire-local",
    ):
        page = body_of(analyst.get(url))
        assert "SEND statutory baseline" in page, url
        assert "OWNSHIRE" not in page and "Ownshire provision map" not in page, url
    # A standard asked for that is not the area's own is ignored on the area dashboard too.
    other = AreaFactory(name="Farshire", code="991")
    officer = client_for(Role.AREA_OFFICER, other)
    page = body_of(officer.get(f"/dashboards/areas/{other.code}/?standard=ownshire-local"))
    assert "OWNSHIRE" not in page


def test_publishing_or_withdrawing_a_local_standard_shows_at_once(version, area):
    """Each area's local version is kept in the cache; publishing and withdrawing forget it."""
    officer = client_for(Role.AREA_OFFICER, area)
    assert "?standard=ownshire-local" not in body_of(officer.get(f"/dashboards/areas/{area.code}/"))
    load_version(text=as_yaml(copy.deepcopy(LOCAL)))
    publish_version(slug="ownshire-local", version="1.0")
    assert "?standard=ownshire-local" in body_of(officer.get(f"/dashboards/areas/{area.code}/"))
    withdraw_version(slug="ownshire-local", version="1.0")
    assert "?standard=ownshire-local" not in body_of(officer.get(f"/dashboards/areas/{area.code}/"))

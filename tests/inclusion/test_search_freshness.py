"""A search shows what was published or accepted a moment before: nothing is kept between
searches (no cache, no copied table), so a plan published or a declaration accepted through
the services counts in the very next search."""

import pytest

from accounts.models import Role
from accounts.services import grant_role
from audits.services.reviews import review_declaration
from inclusion.entries import PlaceValues
from inclusion.models import PlaceKind
from inclusion.search import SearchQuery, find_settings
from inclusion.services.plans import add_place, publish_plan, start_plan
from tests.accounts.factories import UserFactory
from tests.audits.factories import make_submitted_declaration
from tests.inclusion.search_factories import NEEDS_KEY, family_version, make_plan, setting
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db


def _reasons(area):
    found = find_settings(query=SearchQuery(areas=(area,), age=7, need_types=("ASD",)))
    return [(r.provider.name, [x.kind for x in r.reasons]) for r in found.results]


def test_a_published_plan_counts_in_the_next_search():
    area = AreaFactory(name="Freshshire")
    setting(area, name="A school")
    b = setting(area, name="B school")
    make_plan(area, [], year="2025/26")
    assert _reasons(area) == [("A school", []), ("B school", [])]
    plan = start_plan(area=area, academic_year="2026/27", actor=None)
    plan.places.all().delete()
    values = PlaceValues(kind=PlaceKind.SEN_UNIT, need_types=["ASD"])
    add_place(plan=plan, provider=b, values=values, actor=None)
    assert _reasons(area) == [("A school", []), ("B school", [])]  # a draft does not count
    publish_plan(plan=plan, actor=None)
    assert _reasons(area) == [("B school", ["place"]), ("A school", [])]


def test_an_accepted_declaration_counts_in_the_next_search():
    area = AreaFactory(name="Freshshire")
    setting(area, name="A school")
    b = setting(area, name="B school", provider_type="mainstream_school")
    officer = UserFactory(email="officer@example.org")
    grant_role(user=officer, role=Role.AREA_OFFICER, scope=area)
    declaration = make_submitted_declaration(
        provider=b, version=family_version(), answers={NEEDS_KEY: ["asd"]}
    )
    assert _reasons(area) == [("A school", []), ("B school", [])]
    review_declaration(declaration=declaration, reviewer=officer, accept=True)
    assert _reasons(area) == [("B school", ["declared"]), ("A school", [])]

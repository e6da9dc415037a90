"""The search's written-out SQL gives exactly what the straightforward ORM search gives.

`inclusion.search` runs statements written out for speed (inclusion/search_sql.py);
tests/inclusion/search_reference.py is the search as first written, through the ORM. On a
varied area (settings of every kind, with and without ages, phases and locations, open and
closed; plans published, superseded, drafted, of older years, with places confirmed or not and
of many ages and needs; declarations accepted, not accepted and replaced), every search below
must list the same settings, in the same order, with the same reasons, distances and counts,
page by page. It runs on SQLite by default and on PostgreSQL with DATABASE_URL set.
"""

import random

import pytest

from inclusion.locations import Placement
from inclusion.models import PlaceKind, PlanStatus
from inclusion.needs import BROAD_AREA_OF, BroadArea
from inclusion.search import SearchQuery, area_of_placement, find_settings
from providers.models import LocationSource, Phase, ProviderStatus
from standards.vocabulary import ProviderType
from tests.inclusion import search_reference as reference
from tests.inclusion.search_factories import NEEDS_KEY, declare, family_version, make_plan, place
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = pytest.mark.django_db

ORIGIN = Placement(529923, 179405, LocationSource.POSTCODE)
CODES = ["ASD", "SLCN", "MLD", "SEMH", "HI", "PD", "SpLD"]
KINDS = [
    ProviderType.MAINSTREAM_SCHOOL,
    ProviderType.SPECIAL_SCHOOL,
    ProviderType.EARLY_YEARS_SETTING,
    ProviderType.FURTHER_EDUCATION_COLLEGE,
    ProviderType.ALTERNATIVE_PROVISION,
    ProviderType.INDEPENDENT_SPECIALIST_PROVIDER,
    ProviderType.MAINTAINED_NURSERY_SCHOOL,
]


def _provider(rng, area, n):
    ages = rng.choice([(4, 11), (11, 18), (2, 19), (16, 25), (3, 7), (None, None), (None, 9)])
    placed = rng.random() < 0.8
    return ProviderFactory(
        area=area,
        # Names that tie in lower case, so the order falls to the id.
        name=rng.choice(["Oak", "oak", "Ash", "Beech", "ash"]) + f" {n % 7}",
        provider_type=rng.choice(KINDS),
        phase=rng.choice([Phase.PRIMARY, Phase.SECONDARY, Phase.NOT_APPLICABLE, Phase.NURSERY]),
        status=rng.choice([ProviderStatus.OPEN] * 5 + [ProviderStatus.CLOSED]),
        statutory_low_age=ages[0],
        statutory_high_age=ages[1],
        # Some at exactly the same spot, so that distances tie too.
        easting=ORIGIN.easting + rng.choice([0, 500, -1200, 3000, 9000, 30000, 700])
        if placed
        else None,
        northing=ORIGIN.northing + rng.choice([0, 800, -2500, 6000, 20000]) if placed else None,
    )


@pytest.fixture
def world():
    rng = random.Random(20261207)
    home, added, third = AreaFactory(name="Home"), AreaFactory(name="Added"), AreaFactory()
    settings = {area: [_provider(rng, area, n) for n in range(24)] for area in (home, added, third)}

    def places(area):
        return [
            place(
                s,
                kind=rng.choice(list(PlaceKind.values)),
                need_types=rng.sample(CODES, rng.choice([1, 2, 3])),
                age_low=rng.choice([None, 4, 8]),
                age_high=rng.choice([None, 11, 16]),
                confirmed=rng.random() < 0.85,
            )
            for s in rng.sample(settings[area], 9)
        ]

    make_plan(home, places(home), year="2025/26")
    make_plan(home, places(home), year="2026/27")  # the latest: the one that counts
    make_plan(home, places(home), year="2026/27", version=2, status=PlanStatus.DRAFT)
    make_plan(added, places(added), year="2026/27")
    # A plan of one area with a place at another area's setting.
    make_plan(third, [place(settings[home][0], need_types=["ASD"])], year="2026/27")
    version = family_version()
    for s in rng.sample(settings[home] + settings[added], 14):
        choices = rng.sample(["asd", "slcn", "mld", "semh", "hi"], 2)
        if rng.random() < 0.3:
            choices = ["communication_interaction"]
        declare(s, version, {NEEDS_KEY: choices}, accepted=rng.random() < 0.7)
    replaced = settings[home][3]
    declare(replaced, version, {NEEDS_KEY: ["asd"]})
    declare(replaced, version, {NEEDS_KEY: ["asd"]}, accepted=False, revision=2)
    return home, added


def _listed(found):
    return {
        "number": found.page.number,
        "total": found.total,
        "with_support": found.with_support_count,
        "rows": [
            (
                r.provider.pk,
                r.provider.name,
                r.provider.area.name if r.provider.area else None,
                r.distance_miles,
                r.reasons,
            )
            for r in found.results
        ],
    }


def _searches(home, added):
    needs = [{}, {"broad_area": BroadArea.COMMUNICATION}, {"need_types": ("ASD",)}]
    needs += [{"need_types": ("MLD", "HI")}, {"broad_area": BroadArea.COGNITION}]
    needs += [{"broad_area": BROAD_AREA_OF["SEMH"], "need_types": ("SEMH",)}]
    wheres = [
        {"areas": (home,)},
        {"areas": (home, added)},
        {"areas": (home,), "origin": ORIGIN},
        {"areas": (home,), "origin": ORIGIN, "distance_miles": 3},
        {"areas": (home, added), "origin": ORIGIN, "distance_miles": 10},
        {"areas": (home,), "origin": ORIGIN, "distance_miles": 50},
    ]
    for where in wheres:
        for need in needs:
            for age in (1, 9, 17):
                yield SearchQuery(age=age, **where, **need)


@pytest.mark.parametrize(("per_page", "pages"), [(20, (1,)), (4, (2, 99, "x"))])
def test_the_sql_search_lists_what_the_orm_search_lists(world, per_page, pages):
    home, added = world
    compared = 0
    for query in _searches(home, added):
        for page in pages:
            expected = reference.find_settings(query=query, page=page, per_page=per_page)
            found = find_settings(query=query, page=page, per_page=per_page)
            assert _listed(found) == expected, (query, page)
            compared += 1
    assert compared == 6 * 6 * 3 * len(pages)


def test_the_sql_search_finds_reasons_of_both_kinds_here(world):
    """The data above exercises both reasons, so the comparison is not of empty groups."""
    home, added = world
    kinds = set()
    for need in ({"need_types": ("ASD",)}, {"broad_area": BroadArea.COMMUNICATION}):
        found = find_settings(query=SearchQuery(areas=(home, added), age=9, **need), per_page=200)
        kinds |= {reason.kind for r in found.results for reason in r.reasons}
    assert kinds == {"place", "declared"}


def test_the_area_of_a_postcode_is_the_reference_one(world):
    for de, dn in [(0, 0), (400, 300), (-1200, 800), (3000, 6000), (9000, 20000), (15000, 0)]:
        at = Placement(ORIGIN.easting + de, ORIGIN.northing + dn, LocationSource.POSTCODE)
        area = area_of_placement(placement=at)
        assert (area.pk if area else None) == reference.area_id_of_placement(placement=at)

"""The family search: who is listed, in what order, and why."""

import pytest
from django.http import QueryDict

from inclusion.locations import Placement
from inclusion.models import PlanStatus
from inclusion.search import SearchQuery, area_of_placement, find_settings
from inclusion.search_inputs import SearchInvalid, parse_search
from providers.models import LocationSource, Phase, ProviderStatus
from standards.vocabulary import ProviderType
from tests.inclusion.search_factories import (
    NEEDS_KEY,
    declare,
    family_version,
    make_plan,
    place,
    setting,
)
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = pytest.mark.django_db

ORIGIN = Placement(529923, 179405, LocationSource.POSTCODE)  # SW1P 3NY
MILE = 1609


def names(results):
    return [r.provider.name for r in results.results]


def query(areas, age=7, **kwargs):
    return SearchQuery(areas=tuple(areas), age=age, **kwargs)


@pytest.fixture
def home():
    return AreaFactory(code="213", name="Westminster")


def test_only_open_settings_that_take_the_age_in_the_area_are_listed(home):
    elsewhere = AreaFactory()
    setting(home, name="Primary")
    setting(home, name="Closed", status=ProviderStatus.CLOSED)
    setting(home, name="Secondary", statutory_low_age=11, statutory_high_age=18)
    setting(elsewhere, name="Far primary")
    ProviderFactory(area=home, name="Phase only", phase=Phase.PRIMARY)
    ProviderFactory(
        area=home,
        name="College",
        provider_type=ProviderType.FURTHER_EDUCATION_COLLEGE,
        phase=Phase.NOT_APPLICABLE,
    )
    ProviderFactory(area=home, local_authority=True)
    assert names(find_settings(query=query([home], age=7))) == ["Phase only", "Primary"]
    assert names(find_settings(query=query([home], age=17))) == ["College", "Secondary"]
    assert names(find_settings(query=query([home, elsewhere], age=7))) == [
        "Far primary",
        "Phase only",
        "Primary",
    ]


def test_a_distance_finds_settings_across_areas_nearest_first(home):
    other = AreaFactory()
    setting(home, name="Near", easting=ORIGIN.easting + MILE // 2, northing=ORIGIN.northing)
    setting(
        other, name="Over the border", easting=ORIGIN.easting, northing=ORIGIN.northing - 2 * MILE
    )
    setting(home, name="Too far", easting=ORIGIN.easting + 8 * MILE, northing=ORIGIN.northing)
    setting(home, name="Not placed")
    found = find_settings(query=query([home], origin=ORIGIN, distance_miles=3))
    assert names(found) == ["Near", "Over the border", "Not placed"]
    assert [r.distance_miles for r in found.results] == [0.5, 2.0, None]
    assert found.distance_available
    by_area = find_settings(query=query([home]))
    assert not by_area.distance_available
    assert names(by_area) == ["Near", "Not placed", "Too far"]


def test_settings_with_a_place_for_the_need_come_first_with_their_reason(home):
    a = setting(home, name="A school")
    setting(home, name="B school")
    c = setting(home, name="C school")
    make_plan(home, [place(c, need_types=["ASD", "SLCN"])])
    make_plan(home, [place(a, need_types=["ASD"])], version=2, status=PlanStatus.DRAFT)
    found = find_settings(query=query([home], need_types=("ASD",)))
    assert names(found) == ["C school", "A school", "B school"]
    assert found.with_support_count == 1
    reason = found.results[0].reasons[0]
    assert reason.kind == "place"
    assert "Resourced provision for autistic spectrum disorder" in reason.text
    assert "Westminster" in reason.text
    assert all(not r.reasons for r in found.results[1:])


def test_a_broad_area_matches_every_need_type_in_it(home):
    s = setting(home, name="Speech")
    setting(home, name="Another")
    make_plan(home, [place(s, need_types=["SLCN"])])
    broad = find_settings(query=query([home], broad_area="communication_interaction"))
    assert names(broad) == ["Speech", "Another"] and broad.with_support_count == 1
    other = find_settings(query=query([home], broad_area="sensory_physical"))
    assert other.with_support_count == 0 and len(other.results) == 2


@pytest.mark.parametrize(
    "variant",
    ["unconfirmed", "other_need", "draft_plan", "older_year", "age_outside_place"],
)
def test_places_that_do_not_count(home, variant):
    s = setting(home, name="School")
    fields = {
        "unconfirmed": {"confirmed": False},
        "other_need": {"need_types": ["HI"]},
        "age_outside_place": {"age_low": 9, "age_high": 11},
    }.get(variant, {})
    status = PlanStatus.DRAFT if variant == "draft_plan" else PlanStatus.PUBLISHED
    make_plan(home, [place(s, **fields)], status=status, year="2025/26")
    if variant == "older_year":
        make_plan(home, [], year="2026/27")
    found = find_settings(query=query([home], age=7, need_types=("ASD",)))
    assert found.with_support_count == 0
    assert found.results[0].reasons == []


def test_declared_provision_counts_only_from_the_latest_accepted_declaration(home):
    version = family_version()
    accepted = setting(home, name="Accepted", phase=Phase.PRIMARY)
    unaccepted = setting(home, name="Unaccepted")
    replaced = setting(home, name="Replaced")
    declare(accepted, version, {NEEDS_KEY: ["asd"]})
    declare(unaccepted, version, {NEEDS_KEY: ["asd"]}, accepted=False)
    declare(replaced, version, {NEEDS_KEY: ["asd"]})
    declare(replaced, version, {NEEDS_KEY: ["asd"]}, accepted=False, revision=2)
    found = find_settings(query=query([home], need_types=("ASD",)))
    assert names(found)[0] == "Accepted"
    assert found.with_support_count == 1
    assert found.results[0].reasons[0].kind == "declared"
    other_need = find_settings(query=query([home], need_types=("HI",)))
    assert other_need.with_support_count == 0


def test_results_are_paginated_in_the_database_keeping_the_groups(home):
    schools = [setting(home, name=f"School {n}") for n in range(5)]
    make_plan(home, [place(schools[4])])
    first = find_settings(query=query([home], need_types=("ASD",)), per_page=2)
    second = find_settings(query=query([home], need_types=("ASD",)), page=2, per_page=2)
    assert names(first) == ["School 4", "School 0"]
    assert names(second) == ["School 1", "School 2"]
    assert first.total == 5 and first.page.paginator.num_pages == 3


def test_a_placed_postcode_is_in_the_area_of_most_of_its_nearest_settings(home):
    other = AreaFactory()
    for n in range(3):
        setting(home, easting=ORIGIN.easting + 100 * n, northing=ORIGIN.northing)
    setting(other, easting=ORIGIN.easting + 50, northing=ORIGIN.northing)
    assert area_of_placement(placement=ORIGIN) == home
    far = Placement(ORIGIN.easting + 20_000, ORIGIN.northing, LocationSource.DISTRICT)
    assert area_of_placement(placement=far) is None


def _parse(**params):
    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return parse_search(data)


def test_inputs_make_a_query(home):
    setting(home, easting=ORIGIN.easting, northing=ORIGIN.northing)
    extra = AreaFactory(code="846")
    q = _parse(
        postcode="sw1p3ny",
        also="846",
        distance="5",
        year_group="year-7",
        need="cognition_learning",
        ehc="yes",
    )
    assert q.areas == (home, extra)
    assert q.origin == ORIGIN and q.distance_miles == 5
    assert q.age == 11
    assert q.need_codes == {"MLD", "SLD", "PMLD", "SpLD"}
    by_area = _parse(area="213", age="4", need_type=["ASD"])
    assert by_area.areas == (home,) and by_area.age == 4 and by_area.origin is None
    assert by_area.broad_area == "communication_interaction"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"postcode": "not a postcode", "age": "7"}, "postcode", "full postcode"),
        ({"postcode": "EH1 1AA", "age": "7"}, "postcode", "cannot find this postcode in England"),
        ({"postcode": "SW1P 9ZZ", "age": "7"}, "postcode", "pick your council"),
        ({"area": "213", "age": "26"}, "age", "from 0 to 25"),
        ({"area": "213", "age": "seven"}, "age", "as a number"),
        ({"area": "213"}, "age", "Enter your child's age"),
        ({"area": "213", "year_group": "year-99"}, "year_group", "year group"),
        ({"area": "999", "age": "7"}, "area", "Select your council"),
        ({"age": "7"}, "postcode", "Enter your postcode"),
        (
            {"area": "213", "age": "7", "distance": "5"},
            "distance",
            "postcode to search by distance",
        ),
        ({"area": "213", "age": "7", "distance": "7"}, "distance", "how far"),
        ({"area": "213", "age": "7", "need": "bad"}, "need", "main area"),
        ({"area": "213", "age": "7", "need_type": "XYZ"}, "need_type", "types of need"),
        ({"area": "213", "age": "7", "ehc": "maybe"}, "ehc", "being assessed"),
        ({"area": "213", "age": "7", "also": "999"}, "also", "another council"),
    ],
)
def test_bad_inputs_are_named(home, params, field, words):
    with pytest.raises(SearchInvalid) as raised:
        _parse(**params)
    assert field in raised.value.errors
    assert words in raised.value.errors[field]

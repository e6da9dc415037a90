"""The search's work in the database: a fixed number of queries, through the grid box.

Speed is measured by the benchmark (bench/find_setting.py); these tests pin what makes it
fast, whatever the machine: the number of queries does not grow with the settings listed, the
candidates are found through the box on the grid that the location index serves, and only the
page's settings are read.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inclusion.locations import Placement
from inclusion.search import SearchQuery, find_settings
from providers.models import LocationSource, Provider
from tests.inclusion.search_factories import (
    NEEDS_KEY,
    declare,
    family_version,
    make_plan,
    place,
    setting,
)
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db

ORIGIN = Placement(529923, 179405, LocationSource.POSTCODE)  # SW1P 3NY
# The specialist places and the accepted declarations (one statement), the check that those
# declaring the need are their settings' latest, then the page with its counts.
SEARCH_QUERIES = 3
# The area asked for, the search, and the areas for the form (kept by the process after this).
PAGE_QUERIES = SEARCH_QUERIES + 2


@pytest.fixture
def home():
    return AreaFactory(code="213", name="Westminster")


def crowd(area, count, *, with_reasons):
    """`count` placed settings around ORIGIN, every third with a place, every fifth declaring."""
    settings = [
        setting(
            area,
            name=f"School {n:03}",
            easting=ORIGIN.easting + 37 * n,
            northing=ORIGIN.northing - 23 * n,
        )
        for n in range(count)
    ]
    if with_reasons:
        make_plan(area, [place(s, need_types=["ASD"]) for s in settings[::3]])
        version = family_version()
        for s in settings[::5]:
            declare(s, version, {NEEDS_KEY: ["asd"]})
    return settings


def search(area, **kwargs):
    defaults = {"areas": (area,), "age": 7, "need_types": ("ASD",)}
    return find_settings(query=SearchQuery(**{**defaults, **kwargs}))


@pytest.mark.parametrize("count", [3, 45])
def test_a_search_costs_the_same_queries_however_many_settings_and_reasons(home, count):
    crowd(home, count, with_reasons=True)
    with CaptureQueriesContext(connection) as captured:
        found = search(home, origin=ORIGIN, distance_miles=5)
        results = [(r.provider.name, r.provider.area.name, r.reasons) for r in found.results]
    assert len(captured.captured_queries) == SEARCH_QUERIES
    assert len(results) == min(count, 20)
    assert found.total == count
    with_reasons = {n for n in range(count) if n % 3 == 0 or n % 5 == 0}
    assert found.with_support_count == len(with_reasons)
    assert all(r.reasons for r in found.results[: min(20, len(with_reasons))])


def test_candidates_are_found_through_the_box_on_the_grid(home):
    crowd(home, 25, with_reasons=False)
    with CaptureQueriesContext(connection) as captured:
        found = search(home, origin=ORIGIN, distance_miles=1)
    assert found.total == 25
    page_sql = captured.captured_queries[-1]["sql"]
    # The box's four bounds, which the (easting, northing) index serves, beside the circle.
    radius = int(1609.344) + 1
    for bound in (
        f'"easting" >= {ORIGIN.easting - radius}',
        f'"easting" <= {ORIGIN.easting + radius}',
        f'"northing" >= {ORIGIN.northing - radius}',
        f'"northing" <= {ORIGIN.northing + radius}',
    ):
        assert bound in page_sql
    # Only the page is read from the database, ordered and cut there.
    assert "LIMIT 20" in page_sql and "ORDER BY" in page_sql


def test_the_box_is_read_from_the_location_index_alone(home):
    """The box is a SELECT of its own (an OR with the areas would read every row through a
    bitmap), and every column it reads is in the location index, so PostgreSQL counts and
    orders the thousands of settings within 20 miles of a town without reading their rows."""
    crowd(home, 5, with_reasons=True)
    with CaptureQueriesContext(connection) as captured:
        search(home, origin=ORIGIN, distance_miles=20)
    page_sql = captured.captured_queries[-1]["sql"]
    candidates = page_sql.split('FROM (SELECT "id", "grp"', 1)[1].split(') AS "candidates"')[0]
    box = next(arm for arm in candidates.split(" UNION ALL ") if '"easting" >= ' in arm)
    assert '"area_id"' not in box
    index = next(i for i in Provider._meta.indexes if i.name == "provider_location_cover_idx")
    covered = {Provider._meta.get_field(f).column for f in (*index.fields, *index.include)}
    read = set(re.findall(r'p\."(\w+)"', box))
    assert read and read <= covered, read - covered


def test_the_database_orders_and_cuts_the_pages_keeping_the_groups(home):
    crowd(home, 45, with_reasons=True)
    q = SearchQuery(areas=(home,), age=7, need_types=("ASD",), origin=ORIGIN)
    pages = [find_settings(query=q, page=n) for n in (1, 2, 3)]
    listed = [r.provider.name for p in pages for r in p.results]
    with_reasons = [n for n in range(45) if n % 3 == 0 or n % 5 == 0]
    others = [n for n in range(45) if n not in with_reasons]
    # Those with a reason first, then the rest, each group nearest first.
    assert listed == [f"School {n:03}" for n in with_reasons + others]
    assert [len(p.results) for p in pages] == [20, 20, 5]
    assert pages[2].page.number == 3 and pages[2].total == 45


def test_the_results_page_costs_the_same_queries_however_many_settings(client, home):
    crowd(home, 45, with_reasons=True)
    params = {"area": "213", "age": "7", "need_type": "ASD"}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("find_a_setting:search"), params)
    assert response.status_code == 200
    assert "Settings with places or support for this need" in response.content.decode()
    assert len(captured.captured_queries) <= PAGE_QUERIES

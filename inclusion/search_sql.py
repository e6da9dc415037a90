"""The family search's SQL, written out: each statement is a string with parameters.

The search runs on every results page, and building its statements through the ORM (filters,
annotations, window expressions, then compiling them) cost more CPU than PostgreSQL spent
answering them. These statements ask for exactly what `inclusion.search` asked the ORM for,
on PostgreSQL and SQLite alike: tests/inclusion/test_search_reference.py compares the two
across varied searches, and tests/inclusion/test_search_queries.py pins their shape.

Every value from a search is a parameter; only the shape (how many areas, whether there is a
distance) changes the text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from inclusion.locations import Placement

Params = list[Any]


def marks(values: Sequence[Any]) -> str:
    """One placeholder a value: "%s, %s, %s"."""
    return ", ".join(["%s"] * len(values))


def in_list(column: str, values: Sequence[Any], params: Params) -> str:
    """`column IN (…)`; false for no values, as the ORM makes an empty `__in`."""
    if not values:
        return "1 = 0"
    params.extend(values)
    return f"{column} IN ({marks(values)})"


def json_list(value: Any) -> list[Any]:
    """A JSON column's list, whether the driver parsed it (psycopg) or not (SQLite)."""
    if value is None:
        return []
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return list(value) if isinstance(value, list) else []


def distance_sq(origin: Placement, params: Params) -> str:
    """The squared distance in metres of provider `p` from `origin` (NULL where not placed)."""
    e, n = float(origin.easting), float(origin.northing)
    params.extend([e, e, n, n])
    return (
        '((CAST(p."easting" AS DOUBLE PRECISION) - %s)'
        ' * (CAST(p."easting" AS DOUBLE PRECISION) - %s)'
        ' + (CAST(p."northing" AS DOUBLE PRECISION) - %s)'
        ' * (CAST(p."northing" AS DOUBLE PRECISION) - %s))'
    )


def box(origin: Placement, radius: float, params: Params) -> str:
    """The square holding the circle of `radius` metres: four ranges the location index serves."""
    r = int(radius) + 1
    params.extend(
        [
            max(0, origin.easting - r),
            origin.easting + r,
            max(0, origin.northing - r),
            origin.northing + r,
        ]
    )
    return '(p."easting" >= %s AND p."easting" <= %s AND p."northing" >= %s AND p."northing" <= %s)'


def reach(
    area_ids: Sequence[int], origin: Placement | None, radius: float | None, params: Params
) -> str:
    """Where settings may be (as `inclusion.search._reach`): the areas, or the box holding the
    distance with the home area's unplaced settings and any added areas."""
    if origin is None or not radius:
        return in_list('p."area_id"', area_ids, params)
    arms = [box(origin, radius, params)]
    params.append(area_ids[0])
    arms.append('(p."area_id" = %s AND p."easting" IS NULL)')
    if len(area_ids) > 1:
        arms.append(in_list('p."area_id"', area_ids[1:], params))
    return "(" + " OR ".join(arms) + ")"


def nearest_areas(origin: Placement, radius: float, limit: int) -> list[int]:
    """The areas of the `limit` nearest settings within `radius` metres, nearest first (ties by
    id), through the location index."""
    params: Params = []
    where = box(origin, radius, params)
    near = distance_sq(origin, params)
    params.append(float(radius) ** 2)
    order = distance_sq(origin, params)
    params.append(limit)
    sql = (
        f'SELECT p."area_id" FROM "providers_provider" p WHERE p."area_id" IS NOT NULL AND {where}'
        f' AND {near} <= %s ORDER BY {order}, p."id" LIMIT %s'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# Each area's latest published plan: the published plans of its latest academic year with one
# (at most one a year: the constraint inclusion_plan_one_published).
LATEST_PLANS = (
    'SELECT "id", "area_id" FROM (SELECT "id", "area_id", RANK() OVER'
    ' (PARTITION BY "area_id" ORDER BY "academic_year" DESC) AS "newest"'
    ' FROM "inclusion_inclusionplan" WHERE "status" = %s) AS "ranked" WHERE "newest" = 1'
)


PlaceRow = tuple[int, str, list[str], str]
DeclaredRow = tuple[int, int, list[Any]]


def _places_select(
    where: str, where_params: Params, age: int, published: str, codes: Sequence[str], params: Params
) -> str:
    """Confirmed specialist places in the latest published plans, at providers `p` matching
    `where`, whose ages include `age`, and whose need codes' JSON text names one of `codes` (the
    caller still checks each code), so fewer providers are looked at: 0, provider id, kind,
    need codes, plan's area name, place id."""
    params += [published, *where_params, age, age]
    named = " OR ".join(['CAST(sp."need_types" AS TEXT) LIKE %s'] * len(codes)) or "1 = 1"
    params += [f'%"{code}"%' for code in codes]
    return (
        'SELECT 0 AS "src", sp."provider_id", sp."kind", sp."need_types", a."name", sp."id"'
        ' FROM "inclusion_specialistplace" sp'
        f' INNER JOIN ({LATEST_PLANS}) pl ON pl."id" = sp."plan_id"'
        ' INNER JOIN "providers_area" a ON a."id" = pl."area_id"'
        ' INNER JOIN "providers_provider" p ON p."id" = sp."provider_id"'
        f' WHERE sp."confirmed" AND {where}'
        ' AND (sp."age_low" IS NULL OR sp."age_low" <= %s)'
        ' AND (sp."age_high" IS NULL OR sp."age_high" >= %s)'
        f" AND ({named})"
    )


def _declared_select(
    where: str,
    where_params: Params,
    keys: Sequence[str],
    accepted: str,
    submitted: str,
    params: Params,
) -> str:
    """Accepted answers to `keys` in submitted declarations the area accepted, at providers `p`
    matching `where`: 1, provider id, -, choices, -, declaration id."""
    key_sql = in_list('an."requirement_key"', keys, params)
    params += [accepted, submitted, accepted, *where_params]
    return (
        'SELECT 1 AS "src", d."provider_id", NULL, an."value_choices", NULL, an."declaration_id"'
        ' FROM "audits_answer" an'
        ' INNER JOIN "audits_declaration" d ON d."id" = an."declaration_id"'
        ' INNER JOIN "providers_provider" p ON p."id" = d."provider_id"'
        f' WHERE {key_sql} AND an."review_state" = %s AND d."status" = %s'
        f' AND d."review_status" = %s AND {where}'
    )


def reason_rows(
    *,
    where: str,
    where_params: Params,
    age: int,
    codes: Sequence[str],
    keys: Sequence[str],
    published: str,
    accepted: str,
    submitted: str,
) -> tuple[list[PlaceRow], list[DeclaredRow]]:
    """In one statement, at providers `p` matching `where`: the specialist places that may
    be for the need, (provider id, kind, need codes, plan's area name) by kind then id; and the
    accepted answers to `keys` (the needs a setting declares) in declarations the area
    accepted, (declaration id, provider id, choices)."""
    params: Params = []
    places = _places_select(where, where_params, age, published, codes, params)
    declared = _declared_select(where, where_params, keys, accepted, submitted, params)
    sql = f"{places} UNION ALL {declared} ORDER BY 1, 3, 6"
    place_found: list[PlaceRow] = []
    declared_found: list[DeclaredRow] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for src, provider_id, kind, needs, area_name, row_id in cursor:
            if src == 0:
                place_found.append((provider_id, kind, json_list(needs), area_name))
            else:
                declared_found.append((row_id, provider_id, json_list(needs)))
    return place_found, declared_found


def latest_of(declaration_ids: Sequence[int], *, submitted: str, accepted: str) -> list[int]:
    """Those of the declarations that are their provider's latest submitted one and accepted."""
    params: Params = []
    ids_sql = in_list('d."id"', declaration_ids, params)
    params += [submitted, accepted, submitted]
    sql = (
        f'SELECT d."id" FROM "audits_declaration" d WHERE {ids_sql}'
        ' AND d."status" = %s AND d."review_status" = %s AND d."id" = ('
        ' SELECT l."id" FROM "audits_declaration" l'
        ' WHERE l."provider_id" = d."provider_id" AND l."status" = %s'
        ' ORDER BY l."submitted_at" DESC, l."id" DESC LIMIT 1)'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# One page of settings: (id, squared distance, group, settings found, of them in group 0,
# name, URN, type, statutory ages, area id, area code, area name).
PageRow = tuple[
    int, float | None, int, int, int, str, str | None, str, int | None, int | None, Any, Any, Any
]


def page_rows(
    *,
    arms: Sequence[tuple[str, Params]],
    distance: str,
    distance_params: Params,
    first: Sequence[int],
    limit: int,
    offset: int,
) -> list[PageRow]:
    """The page of the candidates (providers `p` matching one of `arms`, conditions that no
    provider meets twice, each with its parameters), ordered by group (those in `first` come
    first), distance (nulls last), name in lower case and id, counting them all and those in
    `first` as it goes.

    Each arm is its own `SELECT`, joined by `UNION ALL`: an `OR` of them would be read through
    a bitmap of the indexes, which always reads the table's rows, while the box alone is read
    from the location index only (it covers the columns read here). The ordering and counting
    read only the columns they need; the page's rows are then joined to their names, kinds and
    areas."""
    params: Params = []
    selects = []
    for where, where_params in arms:
        group = "1"
        if first:
            ids = in_list('p."id"', first, params)
            group = f"CASE WHEN {ids} THEN 0 ELSE 1 END"
        params += distance_params
        params += where_params
        selects.append(
            f'SELECT p."id" AS "id", {group} AS "grp", {distance} AS "dsq",'
            f' LOWER(p."name") AS "lname" FROM "providers_provider" p WHERE {where}'
        )
    params += [limit, offset]
    candidates = " UNION ALL ".join(selects)
    page = (
        'SELECT "id", "grp", "dsq", "lname", COUNT(*) OVER () AS "found",'
        ' SUM(CASE WHEN "grp" = 0 THEN 1 ELSE 0 END) OVER () AS "found_first"'
        f' FROM ({candidates}) AS "candidates"'
        ' ORDER BY "grp", "dsq" NULLS LAST, "lname", "id" LIMIT %s OFFSET %s'
    )
    sql = (
        'SELECT c."id", c."dsq", c."grp", c."found", c."found_first", p."name", p."urn",'
        ' p."provider_type", p."statutory_low_age", p."statutory_high_age",'
        ' a."id", a."code", a."name"'
        f" FROM ({page}) AS c"
        ' INNER JOIN "providers_provider" p ON p."id" = c."id"'
        ' LEFT OUTER JOIN "providers_area" a ON a."id" = p."area_id"'
        ' ORDER BY c."grp", c."dsq" NULLS LAST, c."lname", c."id"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())

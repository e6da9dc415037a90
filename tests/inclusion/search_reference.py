"""The family search as first written, through the ORM: the reference the SQL is checked against.

`inclusion.search` runs the same search as statements written out (inclusion/search_sql.py),
to spend less CPU on every results page. This is the straightforward version, kept for the
tests only: tests/inclusion/test_search_reference.py runs both on varied data and searches and
requires the same settings, in the same order, with the same reasons and counts.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Lower

from audits.models import Answer, AnswerReviewState, Declaration, DeclarationStatus, ReviewStatus
from inclusion.locations import Placement
from inclusion.models import InclusionPlan, PlaceKind, PlanStatus, SpecialistPlace
from inclusion.needs import BROAD_AREA_OF, NeedType
from inclusion.search import (
    AREA_NEIGHBOURS,
    AREA_RADIUS_METRES,
    DECLARED_NEEDS_KEYS,
    DECLARED_TEXT,
    METRES_PER_MILE,
    PAGE_SIZE,
    PHASE_AGES,
    SETTING_TYPES,
    TYPE_AGES,
    Reason,
    SearchQuery,
)
from providers.models import OPEN_STATUSES, Phase, Provider


def _box(origin: Placement, radius: float, prefix: str = "") -> Q:
    """The square on the grid around `origin` that holds the circle of `radius` metres: four
    ranges that the (easting, northing) index serves."""
    r = int(radius) + 1
    return Q(
        **{
            f"{prefix}easting__gte": max(0, origin.easting - r),
            f"{prefix}easting__lte": origin.easting + r,
            f"{prefix}northing__gte": max(0, origin.northing - r),
            f"{prefix}northing__lte": origin.northing + r,
        }
    )


def _within(origin: Placement, radius: float) -> tuple[Q, Any]:
    """A condition for providers within `radius` metres of `origin`, and their squared distance.

    The box on the grid comes first, so that the index on easting and northing finds the rows;
    the circle is then checked on those rows.
    """
    dx = Cast(F("easting"), FloatField()) - Value(float(origin.easting))
    dy = Cast(F("northing"), FloatField()) - Value(float(origin.northing))
    return _box(origin, radius) & Q(distance_sq__lte=float(radius) ** 2), dx * dx + dy * dy


def _located(queryset: QuerySet[Provider], origin: Placement, radius: float) -> QuerySet[Provider]:
    """Providers within `radius` metres of `origin`, with their squared distance."""
    near, distance_sq = _within(origin, radius)
    return queryset.annotate(distance_sq=distance_sq).filter(near)


def _age_filter(age: int) -> Q:
    """Settings that could take a child of `age`: by GIAS ages, else phase, else kind."""
    by_phase = [phase for phase, (low, high) in PHASE_AGES.items() if low <= age <= high]
    by_type = [kind for kind, (low, high) in TYPE_AGES.items() if low <= age <= high]
    known = Q(statutory_low_age__isnull=False, statutory_high_age__isnull=False)
    return (
        (known & Q(statutory_low_age__lte=age, statutory_high_age__gte=age))
        | (~known & Q(phase__in=by_phase))
        | (~known & Q(phase=Phase.NOT_APPLICABLE, provider_type__in=by_type))
    )


def _reach(query: SearchQuery, prefix: str = "") -> Q:
    """Where the settings may be, on the provider's fields at `prefix`: the family's areas, or
    the box that holds the chosen distance (with the home area's settings whose location is
    not known, and any added areas). Within a distance this is a little more than the circle:
    the reasons are read with it, and the candidates then keep only what is in the circle."""
    area_ids = [a.pk for a in query.areas]
    if query.origin is None or not query.distance_miles:
        return Q(**{f"{prefix}area_id__in": area_ids})
    box = _box(query.origin, query.distance_miles * METRES_PER_MILE, prefix)
    unplaced = Q(**{f"{prefix}area_id__in": area_ids[:1], f"{prefix}easting__isnull": True})
    return box | unplaced | Q(**{f"{prefix}area_id__in": area_ids[1:]})


def candidates(*, query: SearchQuery) -> QuerySet[Provider]:
    """Every open setting that could take the child, in the family's areas or within reach.

    With a postcode each setting carries `distance_sq`, its squared distance in metres (None
    where its location is not known), computed in the database.
    """
    settings = Provider.objects.filter(
        status__in=OPEN_STATUSES, provider_type__in=SETTING_TYPES
    ).filter(_age_filter(query.age))
    area_ids = [a.pk for a in query.areas]
    if query.origin is None:
        return settings.filter(area_id__in=area_ids)
    if not query.distance_miles:
        distance_sq = _within(query.origin, 0)[1]
        return settings.annotate(distance_sq=distance_sq).filter(area_id__in=area_ids)
    near, distance_sq = _within(query.origin, query.distance_miles * METRES_PER_MILE)
    # Settings with no known location are found by area, as without a distance. One scan:
    # each arm of the OR uses its own index (the location, or the area).
    unplaced = Q(area_id__in=area_ids[:1], easting__isnull=True)
    return settings.annotate(distance_sq=distance_sq).filter(
        near | unplaced | Q(area_id__in=area_ids[1:])
    )


def latest_published_plans() -> QuerySet[InclusionPlan]:
    """Each area's latest published plan (its latest academic year with one)."""
    later = InclusionPlan.objects.filter(
        area=OuterRef("area"),
        status=PlanStatus.PUBLISHED,
        academic_year__gt=OuterRef("academic_year"),
    )
    return InclusionPlan.objects.filter(status=PlanStatus.PUBLISHED).exclude(Exists(later))


def _need_label(code: str) -> str:
    return NeedType(code).label if code in NeedType.values else code


def _place_text(kind: str, matched: list[str], area_name: str) -> str:
    needs = ", ".join(_need_label(c).lower() for c in matched)
    return f"{PlaceKind(kind).label} for {needs}, in {area_name} council's plan"


def matching_places(*, query: SearchQuery) -> dict[int, list[tuple[str, list[str], str]]]:
    """Confirmed specialist places for the need in the latest published plans, by setting:
    each one's kind, the need codes it matches and its plan's area name.

    One query, for the settings within the search's reach (`_reach`: by area, or the box on
    the grid, through their indexes) and places whose ages include the child's. Only places
    are returned, so the rows are few however many settings there are.
    """
    codes = query.need_codes
    found: dict[int, list[tuple[str, list[str], str]]] = {}
    if not codes:
        return found
    rows = (
        SpecialistPlace.objects.filter(
            plan__in=latest_published_plans(),
            confirmed=True,
        )
        .filter(_reach(query, "provider__"))
        .filter(Q(age_low__isnull=True) | Q(age_low__lte=query.age))
        .filter(Q(age_high__isnull=True) | Q(age_high__gte=query.age))
        .order_by("kind", "pk")
        .values_list("provider_id", "kind", "need_types", "plan__area__name")
    )
    for provider_id, kind, need_types, area_name in rows:
        matched = [c for c in (need_types or []) if c in codes]
        if matched:
            found.setdefault(provider_id, []).append((kind, matched, area_name))
    return found


def latest_accepted_declarations() -> QuerySet[Declaration]:
    """Each provider's latest submitted declaration, where the area has accepted it."""
    latest = (
        Declaration.objects.filter(
            provider=OuterRef("provider"), status=DeclarationStatus.SUBMITTED
        )
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    return Declaration.objects.filter(
        status=DeclarationStatus.SUBMITTED,
        review_status=ReviewStatus.ACCEPTED,
        pk=Subquery(latest),
    )


def declaring_settings(*, query: SearchQuery) -> set[int]:
    """The settings within the search's reach whose latest declaration, accepted by the area,
    declares provision for the need in an answer the area accepted (DECLARED_NEEDS_KEYS).

    One query, through the answers' index on their requirement key (it finds nothing, at once,
    while no standard in use has such a requirement); a second checks that the declarations
    found are their settings' latest, only when some declare provision for the need.
    """
    codes = {c.upper() for c in query.need_codes}
    broad = {BROAD_AREA_OF[c] for c in query.need_codes}
    if not codes:
        return set()
    rows = (
        Answer.objects.filter(
            requirement_key__in=DECLARED_NEEDS_KEYS,
            review_state=AnswerReviewState.ACCEPTED,
            declaration__status=DeclarationStatus.SUBMITTED,
            declaration__review_status=ReviewStatus.ACCEPTED,
        )
        .filter(_reach(query, "declaration__provider__"))
        .order_by()
        .values_list("declaration_id", "declaration__provider_id", "value_choices")
    )
    declaring: dict[int, int] = {}
    for declaration_id, provider_id, choices in rows:
        values = {str(v) for v in (choices or [])}
        if {v.upper() for v in values} & codes or values & broad:
            declaring[declaration_id] = provider_id
    if not declaring:
        return set()
    latest = latest_accepted_declarations().filter(pk__in=list(declaring))
    return {declaring[pk] for pk in latest.values_list("pk", flat=True)}


def _page_number(page: int | str) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def find_settings(
    *, query: SearchQuery, page: int | str = 1, per_page: int = PAGE_SIZE
) -> dict[str, Any]:
    """One page of settings for the query, those with places or support for the need first.

    The database does the work, in four queries whatever the number of settings: the settings
    with a reason are read first (specialist places, then accepted declarations: few rows);
    then one query finds the candidates through an index (by area, or by the box on the grid,
    then the circle), orders them by group, distance (computed there) and name, counts them
    and the first group as it goes, and returns only the page's settings with their areas.
    A page past the end shows the last page, as Django's paginator does.
    """
    places = matching_places(query=query)
    declared = declaring_settings(query=query)
    first = sorted(set(places) | declared)
    settings = candidates(query=query)
    ordering: list[Any] = []
    if first:
        settings = settings.annotate(
            group=Case(When(pk__in=first, then=Value(0)), default=Value(1))
        )
        ordering.append("group")
    if query.origin is not None:
        ordering.append(F("distance_sq").asc(nulls_last=True))
    ordering += [Lower("name"), "pk"]
    counted = (
        settings.select_related("area")
        .annotate(
            found=Window(Count("pk")),
            found_first=Window(Count("pk", filter=Q(pk__in=first))) if first else Value(0),
        )
        .order_by(*ordering)
    )
    number = _page_number(page)
    rows = list(counted[(number - 1) * per_page : number * per_page])
    if not rows and number > 1:  # past the end: the last page
        number = max(1, math.ceil(settings.count() / per_page))
        rows = list(counted[(number - 1) * per_page : number * per_page])
    listed = []
    for provider in rows:
        distance_sq = getattr(provider, "distance_sq", None)
        reasons = [
            Reason("place", _place_text(kind, matched, area_name))
            for kind, matched, area_name in places.get(provider.pk, [])
        ]
        if provider.pk in declared:
            reasons.append(Reason("declared", DECLARED_TEXT))
        listed.append(
            (
                provider.pk,
                provider.name,
                provider.area.name if provider.area else None,
                None if distance_sq is None else round(math.sqrt(distance_sq) / METRES_PER_MILE, 1),
                reasons,
            )
        )
    return {
        "number": number,
        "total": rows[0].found if rows else 0,
        "with_support": rows[0].found_first if rows else 0,
        "rows": listed,
    }


def area_id_of_placement(*, placement: Placement) -> int | None:
    """The most common area of the nearest settings within the whole radius (ties: nearest)."""
    nearby = (
        _located(Provider.objects.filter(area__isnull=False), placement, AREA_RADIUS_METRES)
        .order_by("distance_sq", "pk")
        .values_list("area_id", flat=True)[:AREA_NEIGHBOURS]
    )
    area_ids = list(nearby)
    if not area_ids:
        return None
    counts = Counter(area_ids)
    best = max(counts.values())
    return next(a for a in area_ids if counts[a] == best)

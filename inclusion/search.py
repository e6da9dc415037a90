"""Find a setting: every open setting that could take a child, those with places or support first.

The search is the same for the public pages and the public API (`inclusion.api_settings`). It
stores nothing and logs nothing about the child or the family.

A setting is listed if it is open, could take a child of this age (its GIAS statutory ages, or
else the ages its phase or kind usually take), and is in one of the family's areas or within
the chosen distance. No setting is hidden for lack of a match. A setting comes first, under
"Settings with places or support for this need", when it has one of these reasons:

- a specialist place for the need in its area's latest published local inclusion plan (entries
  an officer confirmed; nothing proposed from GIAS counts until then);
- provision for the need declared in its latest declaration, if the area has accepted that
  declaration (see DECLARED_NEEDS_KEYS).

Nothing here says a setting is suitable or unsuitable, and nothing is scored.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from audits.models import AnswerReviewState, Declaration, DeclarationStatus, ReviewStatus
from inclusion import search_sql as sql
from inclusion.areas import area_by_pk
from inclusion.locations import Placement
from inclusion.models import InclusionPlan, PlaceKind, PlanStatus
from inclusion.needs import BROAD_AREA_OF, NeedType
from providers.models import OPEN_STATUSES, Area, Phase
from standards.vocabulary import ProviderType

METRES_PER_MILE = 1609.344
DISTANCES_MILES = (1, 3, 5, 10, 20, 50)
MIN_AGE, MAX_AGE = 0, 25
PAGE_SIZE = 20
# How far to look for settings around a postcode to tell which area it is in.
AREA_RADIUS_METRES = 10_000
AREA_NEIGHBOURS = 9
AREA_NEAR_RADIUS_METRES = 2_000

# Requirements whose accepted answer lists the needs a setting makes provision for, as GIAS
# need codes in lower case ("asd", "spld") or broad areas ("communication_interaction"): the
# statutory baseline asks it from version 1.1 on; answers are read by key, whatever the version.
DECLARED_NEEDS_KEYS = ("SETTING-NEEDS-PROVIDED-FOR",)

SETTING_TYPES = [
    t for t in ProviderType.values if t not in {"local_authority", "integrated_care_board"}
]

# Ages a phase usually takes, where GIAS gives no statutory ages.
PHASE_AGES: dict[str, tuple[int, int]] = {
    Phase.NURSERY: (2, 5),
    Phase.PRIMARY: (4, 11),
    Phase.MIDDLE_DEEMED_PRIMARY: (8, 12),
    Phase.MIDDLE_DEEMED_SECONDARY: (9, 13),
    Phase.SECONDARY: (11, 18),
    Phase.SIXTEEN_PLUS: (16, 19),
    Phase.ALL_THROUGH: (4, 18),
}
# Ages a kind of setting usually takes, where neither ages nor a phase are known.
TYPE_AGES: dict[str, tuple[int, int]] = {
    ProviderType.EARLY_YEARS_SETTING: (0, 5),
    ProviderType.MAINTAINED_NURSERY_SCHOOL: (2, 5),
    ProviderType.MAINSTREAM_SCHOOL: (4, 18),
    ProviderType.SPECIAL_SCHOOL: (2, 19),
    ProviderType.ALTERNATIVE_PROVISION: (5, 16),
    ProviderType.FURTHER_EDUCATION_COLLEGE: (16, 25),
    ProviderType.INDEPENDENT_SPECIALIST_PROVIDER: (16, 25),
}

# Year groups a child will join, and the age they are at the start of that year.
YEAR_GROUPS: dict[str, tuple[str, int]] = {
    "nursery": ("Nursery", 3),
    "reception": ("Reception", 4),
    **{f"year-{n}": (f"Year {n}", n + 4) for n in range(1, 14)},
}


class EhcPlan:
    YES = "yes"
    ASSESSED = "assessed"
    NO = "no"
    CHOICES = [
        (YES, "Yes"),
        (ASSESSED, "They are being assessed for one"),
        (NO, "No"),
    ]


class SearchError(ValueError):
    """Input the search cannot use; `field` names the input, `message` says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SearchQuery:
    """What the family asks. Nothing in it is stored."""

    areas: tuple[Area, ...]  # the home area first, then any added
    age: int
    broad_area: str = ""
    need_types: tuple[str, ...] = ()
    ehc_plan: str = ""
    origin: Placement | None = None
    distance_miles: int | None = None

    @property
    def need_codes(self) -> frozenset[str]:
        """The need codes asked about: the chosen types, else every type in the broad area."""
        if self.need_types:
            return frozenset(self.need_types)
        if self.broad_area:
            return frozenset(c for c, b in BROAD_AREA_OF.items() if b == self.broad_area)
        return frozenset()


@dataclass(frozen=True)
class Reason:
    kind: str  # "place" or "declared"
    text: str


@dataclass(frozen=True, slots=True)
class ListedArea:
    pk: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ListedSetting:
    """What a results page and the API show of a setting: read with the page, no model."""

    pk: int
    name: str
    urn: str | None
    provider_type: str
    statutory_low_age: int | None
    statutory_high_age: int | None
    area: ListedArea | None

    def get_provider_type_display(self) -> str:
        return TYPE_NAMES.get(self.provider_type, self.provider_type)


TYPE_NAMES: dict[str, str] = {str(v): str(label) for v, label in ProviderType.choices}


@dataclass
class SettingResult:
    provider: ListedSetting
    distance_miles: float | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def has_places_or_support(self) -> bool:
        return bool(self.reasons)


@dataclass
class SearchResults:
    query: SearchQuery
    page: Page
    results: list[SettingResult]
    with_support_count: int
    total: int
    distance_available: bool


def area_for_code(*, code: str) -> Area:
    """The area with this 3-digit LA code or 9-character GSS code (or an alias of one)."""
    text = (code or "").strip().upper()
    area = (
        Area.objects.filter(Q(code=text) | Q(gss_code=text) | Q(aliases__code=text))
        .distinct()
        .first()
    )
    if area is None:
        raise SearchError("area", "Select your council from the list")
    return area


def area_of_placement(*, placement: Placement) -> Area | None:
    """The area a placed postcode is in: the most common area of the nearest known settings.

    Postcode districts cross the Welsh and Scottish borders, so the letters cannot say; the
    settings around the place can. None when no setting in England is near enough to judge.
    """
    # The nearest settings within a short radius first: when there are enough of them, they
    # are the nearest within the whole radius too (anything outside the short circle is
    # farther than all of them), and the index reads far fewer entries.
    area_ids: list[int] = []
    for radius in (AREA_NEAR_RADIUS_METRES, AREA_RADIUS_METRES):
        area_ids = sql.nearest_areas(placement, radius, AREA_NEIGHBOURS)
        if len(area_ids) == AREA_NEIGHBOURS:
            break
    if not area_ids:
        return None
    counts = Counter(area_ids)
    best = max(counts.values())
    chosen = next(a for a in area_ids if counts[a] == best)  # ties go to the nearest
    return area_by_pk(chosen)


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


DECLARED_TEXT = "The setting says it makes provision for this need, and the area has accepted it"


def _age_sql(age: int, params: sql.Params) -> str:
    """Settings that could take a child of `age`: by GIAS ages, else phase, else kind."""
    by_phase = [str(phase) for phase, (low, high) in PHASE_AGES.items() if low <= age <= high]
    by_type = [str(kind) for kind, (low, high) in TYPE_AGES.items() if low <= age <= high]
    params += [age, age]
    known = '(p."statutory_low_age" IS NOT NULL AND p."statutory_high_age" IS NOT NULL)'
    unknown = '(p."statutory_low_age" IS NULL OR p."statutory_high_age" IS NULL)'
    phase_in = sql.in_list('p."phase"', by_phase, params)
    params.append(str(Phase.NOT_APPLICABLE))
    type_in = sql.in_list('p."provider_type"', by_type, params)
    return (
        f'(({known} AND p."statutory_low_age" <= %s AND p."statutory_high_age" >= %s)'
        f" OR ({unknown} AND {phase_in})"
        f' OR ({unknown} AND p."phase" = %s AND {type_in}))'
    )


def _radius(query: SearchQuery) -> float | None:
    if query.origin is None or not query.distance_miles:
        return None
    return query.distance_miles * METRES_PER_MILE


def _circle_sql(origin: Placement, radius: float, params: sql.Params) -> str:
    """Provider `p` is within `radius` metres of `origin`: the box, then the circle."""
    near = sql.box(origin, radius, params)
    within = sql.distance_sq(origin, params)
    params.append(radius**2)
    return f"({near} AND {within} <= %s)"


def _candidates_sql(query: SearchQuery) -> list[tuple[str, sql.Params]]:
    """Every open setting that could take the child, in the family's areas or within reach:
    conditions on provider `p`, each with its parameters, that no setting meets twice (their
    union is the candidates).

    Within a distance: the box (which the location index serves, and covers: every column
    these conditions and the page's order read is in it, so no row is read from the table) and
    the circle; then the home area's settings with no known location; then any added areas'
    settings not already found."""
    area_ids = [a.pk for a in query.areas]
    radius = _radius(query)

    def arm(reach: str, reach_params: sql.Params) -> tuple[str, sql.Params]:
        params: sql.Params = []
        statuses = sql.in_list('p."status"', [str(s) for s in OPEN_STATUSES], params)
        types = sql.in_list('p."provider_type"', SETTING_TYPES, params)
        age = _age_sql(query.age, params)
        return f"{statuses} AND {types} AND {age} AND {reach}", params + reach_params

    if query.origin is None or radius is None:
        area_params: sql.Params = []
        return [arm(sql.in_list('p."area_id"', area_ids, area_params), area_params)]
    circle_params: sql.Params = []
    arms = [arm(_circle_sql(query.origin, radius, circle_params), circle_params)]
    unplaced = '(p."area_id" = %s AND p."easting" IS NULL)'
    arms.append(arm(unplaced, [area_ids[0]]))
    if len(area_ids) > 1:
        added_params: sql.Params = []
        added = sql.in_list('p."area_id"', area_ids[1:], added_params)
        # Not in the circle (false too where the setting has no location), nor unplaced at home.
        seen = f"COALESCE({_circle_sql(query.origin, radius, added_params)}, 1 = 0)"
        added_params.append(area_ids[0])
        arms.append(arm(f"({added} AND NOT ({seen} OR {unplaced}))", added_params))
    return arms


def _reach_sql(query: SearchQuery, params: sql.Params) -> str:
    """Where the settings may be, on provider `p`: the family's areas, or the box that holds the
    chosen distance (with the home area's settings whose location is not known, and any added
    areas). Within a distance this is a little more than the circle: the reasons are read
    with it, and the candidates then keep only what is in the circle."""
    return sql.reach([a.pk for a in query.areas], query.origin, _radius(query), params)


def reasons_for(
    *, query: SearchQuery
) -> tuple[dict[int, list[tuple[str, list[str], str]]], set[int]]:
    """The settings within the search's reach with a reason to come first:

    - confirmed specialist places for the need in the latest published plans, by setting: each
      one's kind, the need codes it matches and its plan's area name (places whose ages include
      the child's);
    - the settings whose latest declaration, accepted by the area, declares provision for the
      need in an answer the area accepted (DECLARED_NEEDS_KEYS).

    One query for both, for the settings within reach (by area, or the box on the grid, through
    their indexes): few rows however many settings there are, the answers read through their
    index on the requirement key. A second checks that the declarations found are their
    settings' latest, only when some declare provision for the need.
    """
    codes = query.need_codes
    if not codes:
        return {}, set()
    params: sql.Params = []
    where = _reach_sql(query, params)
    place_rows, declared_rows = sql.reason_rows(
        where=where,
        where_params=params,
        age=query.age,
        codes=sorted(codes),
        keys=DECLARED_NEEDS_KEYS,
        published=str(PlanStatus.PUBLISHED),
        accepted=str(AnswerReviewState.ACCEPTED),
        submitted=str(DeclarationStatus.SUBMITTED),
    )
    places: dict[int, list[tuple[str, list[str], str]]] = {}
    for provider_id, kind, need_types, area_name in place_rows:
        matched = [c for c in need_types if c in codes]
        if matched:
            places.setdefault(provider_id, []).append((kind, matched, area_name))
    return places, _latest_declaring(codes, declared_rows)


def _latest_declaring(codes: frozenset[str], rows: list[tuple[int, int, list[Any]]]) -> set[int]:
    upper = {c.upper() for c in codes}
    broad = {BROAD_AREA_OF[c] for c in codes}
    declaring: dict[int, int] = {}
    for declaration_id, provider_id, choices in rows:
        values = {str(v) for v in choices}
        if {v.upper() for v in values} & upper or values & broad:
            declaring[declaration_id] = provider_id
    if not declaring:
        return set()
    latest = sql.latest_of(
        list(declaring),
        submitted=str(DeclarationStatus.SUBMITTED),
        accepted=str(ReviewStatus.ACCEPTED),
    )
    return {declaring[pk] for pk in latest}


def _page_number(page: int | str) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def _page(query: SearchQuery, first: list[int], number: int, per_page: int) -> list[sql.PageRow]:
    distance_params: sql.Params = []
    distance = "NULL" if query.origin is None else sql.distance_sq(query.origin, distance_params)
    return sql.page_rows(
        arms=_candidates_sql(query),
        distance=distance,
        distance_params=distance_params,
        first=first,
        limit=per_page,
        offset=(number - 1) * per_page,
    )


def _result(row: sql.PageRow, places: dict[int, list[Any]], declared: set[int]) -> SettingResult:
    pk, distance_sq, _group, _found, _first, name, urn, kind, low, high = row[:10]
    area_id, area_code, area_name = row[10:]
    reasons = [
        Reason("place", _place_text(place_kind, matched, plan_area))
        for place_kind, matched, plan_area in places.get(pk, [])
    ]
    if pk in declared:
        reasons.append(Reason("declared", DECLARED_TEXT))
    area = None if area_id is None else ListedArea(area_id, area_code, area_name)
    return SettingResult(
        provider=ListedSetting(pk, name, urn, kind, low, high, area),
        distance_miles=None
        if distance_sq is None
        else round(math.sqrt(distance_sq) / METRES_PER_MILE, 1),
        reasons=reasons,
    )


def find_settings(
    *, query: SearchQuery, page: int | str = 1, per_page: int = PAGE_SIZE
) -> SearchResults:
    """One page of settings for the query, those with places or support for the need first.

    The database does the work, in two queries whatever the number of settings (three when
    some settings declare provision for the need): the settings with a reason are read first
    (specialist places and accepted declarations, in one statement: few rows);
    then one query finds the candidates through an index (by area, or by the box on the grid,
    then the circle), orders them by group, distance (computed there) and name, counts them
    and the first group as it goes, and returns only the page's settings with their areas.
    A page past the end shows the last page, as Django's paginator does. The statements are
    written out in `inclusion.search_sql`.
    """
    places, declared = reasons_for(query=query)
    first = sorted(set(places) | declared)
    number = _page_number(page)
    rows = _page(query, first, number, per_page)
    if not rows and number > 1:  # past the end: the last page
        counted = _page(query, first, 1, 1)
        number = max(1, math.ceil((counted[0][3] if counted else 0) / per_page))
        rows = _page(query, first, number, per_page)
    paginator = Paginator(rows, per_page)
    paginator.count = rows[0][3] if rows else 0  # type: ignore[misc]
    results = [_result(row, places, declared) for row in rows]
    return SearchResults(
        query=query,
        page=Page(rows, number, paginator),
        results=results,
        with_support_count=int(rows[0][4] or 0) if rows else 0,
        total=paginator.count,
        distance_available=query.origin is not None,
    )

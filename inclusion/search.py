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

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast

from audits.models import Answer, AnswerReviewState, Declaration, DeclarationStatus, ReviewStatus
from inclusion.locations import Placement
from inclusion.models import InclusionPlan, PlaceKind, PlanStatus, SpecialistPlace
from inclusion.needs import BROAD_AREA_OF, NeedType
from providers.models import OPEN_STATUSES, Area, Phase, Provider
from standards.vocabulary import ProviderType

METRES_PER_MILE = 1609.344
DISTANCES_MILES = (1, 3, 5, 10, 20, 50)
MIN_AGE, MAX_AGE = 0, 25
PAGE_SIZE = 20
# How far to look for settings around a postcode to tell which area it is in.
AREA_RADIUS_METRES = 10_000
AREA_NEIGHBOURS = 9

# Requirements whose accepted answer lists the needs a setting makes provision for, as GIAS
# need codes in lower case ("asd", "spld") or broad areas ("communication_interaction"). The statutory baseline 1.0
# has none yet; a standard that adds one makes this reason appear with no code change.
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


@dataclass
class SettingResult:
    provider: Provider
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
        raise SearchError("area", "Select a local authority from the list")
    return area


def area_of_placement(*, placement: Placement) -> Area | None:
    """The area a placed postcode is in: the most common area of the nearest known settings.

    Postcode districts cross the Welsh and Scottish borders, so the letters cannot say; the
    settings around the place can. None when no setting in England is near enough to judge.
    """
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
    chosen = next(a for a in area_ids if counts[a] == best)  # ties go to the nearest
    return Area.objects.get(pk=chosen)


def _within(origin: Placement, radius: float) -> tuple[Q, Any]:
    """A condition for providers within `radius` metres of `origin`, and their squared distance.

    The box on the grid comes first, so that an index on easting and northing can find the
    rows; the circle is then checked on those rows.
    """
    r = int(radius) + 1
    dx = Cast(F("easting"), FloatField()) - Value(float(origin.easting))
    dy = Cast(F("northing"), FloatField()) - Value(float(origin.northing))
    box = Q(
        easting__gte=max(0, origin.easting - r),
        easting__lte=origin.easting + r,
        northing__gte=max(0, origin.northing - r),
        northing__lte=origin.northing + r,
    )
    return box & Q(distance_sq__lte=float(radius) ** 2), dx * dx + dy * dy


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


def candidates(*, query: SearchQuery) -> QuerySet[Provider]:
    """Every open setting that could take the child, in the family's areas or within reach."""
    settings = Provider.objects.filter(
        status__in=OPEN_STATUSES, provider_type__in=SETTING_TYPES
    ).filter(_age_filter(query.age))
    area_ids = [a.pk for a in query.areas]
    if query.origin is not None and query.distance_miles:
        near, distance_sq = _within(query.origin, query.distance_miles * METRES_PER_MILE)
        # Settings with no known location are found by area, as without a distance. One scan:
        # each arm of the OR can use its own index.
        unplaced = Q(area_id__in=area_ids[:1], easting__isnull=True)
        return settings.annotate(distance_sq=distance_sq).filter(
            near | unplaced | Q(area_id__in=area_ids[1:])
        )
    return settings.filter(area_id__in=area_ids)


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


def place_reasons(
    *, provider_ids: Collection[int], area_ids: Collection[int], query: SearchQuery
) -> dict[int, list[Reason]]:
    """Confirmed specialist places for the need, in the latest published plans.

    Read by the settings' areas (an index), then kept for the settings in `provider_ids`.
    """
    codes = query.need_codes
    reasons: dict[int, list[Reason]] = {}
    if not codes or not provider_ids:
        return reasons
    rows = SpecialistPlace.objects.filter(
        plan__in=latest_published_plans(), confirmed=True, provider__area_id__in=list(area_ids)
    ).values_list("provider_id", "kind", "need_types", "age_low", "age_high", "plan__area__name")
    for provider_id, kind, need_types, low, high, area_name in rows:
        if provider_id not in provider_ids:
            continue
        matched = [c for c in (need_types or []) if c in codes]
        if not matched:
            continue
        if (low is not None and query.age < low) or (high is not None and query.age > high):
            continue
        needs = ", ".join(_need_label(c).lower() for c in matched)
        text = f"{PlaceKind(kind).label} for {needs}, in {area_name}'s local inclusion plan"
        reasons.setdefault(provider_id, []).append(Reason("place", text))
    return reasons


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


def declared_reasons(
    *, provider_ids: Collection[int], area_ids: Collection[int], query: SearchQuery
) -> dict[int, list[Reason]]:
    """Provision for the need in the accepted answers of a latest, accepted declaration."""
    codes = {c.upper() for c in query.need_codes}
    broad = {BROAD_AREA_OF[c] for c in query.need_codes}
    reasons: dict[int, list[Reason]] = {}
    if not codes or not provider_ids:
        return reasons
    rows = Answer.objects.filter(
        requirement_key__in=DECLARED_NEEDS_KEYS,
        review_state=AnswerReviewState.ACCEPTED,
        declaration__in=latest_accepted_declarations().filter(provider__area_id__in=list(area_ids)),
    ).values_list("declaration__provider_id", "value_choices")
    for provider_id, choices in rows:
        if provider_id not in provider_ids:
            continue
        values = {str(v) for v in (choices or [])}
        if {v.upper() for v in values} & codes or values & broad:
            text = "The setting says it makes provision for this need, and the area has accepted it"
            reasons.setdefault(provider_id, []).append(Reason("declared", text))
    return reasons


def find_settings(
    *, query: SearchQuery, page: int | str = 1, per_page: int = PAGE_SIZE
) -> SearchResults:
    """One page of settings for the query, those with places or support for the need first.

    The database finds the candidates in one query (by area through its index, or by a box on
    the grid, then the circle), returning four small columns; they are ordered here, and only
    the page's settings are then read in full.
    """
    rows = list(candidates(query=query).values_list("pk", "area_id", "name", "easting", "northing"))
    ids = {row[0] for row in rows}
    area_ids = {row[1] for row in rows if row[1] is not None}
    reasons = place_reasons(provider_ids=ids, area_ids=area_ids, query=query)
    declared = declared_reasons(provider_ids=ids, area_ids=area_ids, query=query)
    for provider_id, extra in declared.items():
        reasons.setdefault(provider_id, []).extend(extra)
    origin = query.origin

    def metres(easting: int | None, northing: int | None) -> float | None:
        if origin is None or easting is None or northing is None:
            return None
        return float(((easting - origin.easting) ** 2 + (northing - origin.northing) ** 2) ** 0.5)

    keyed = []
    for pk, _area, name, easting, northing in rows:
        distance = metres(easting, northing)
        keyed.append(
            (
                0 if pk in reasons else 1,
                distance is None,
                distance or 0.0,
                name.casefold(),
                pk,
                distance,
            )
        )
    keyed.sort()
    paginator = Paginator(keyed, per_page)
    current = paginator.get_page(page)
    on_page = list(current.object_list)
    providers = Provider.objects.select_related("area").in_bulk([k[4] for k in on_page])
    results = [
        SettingResult(
            provider=providers[k[4]],
            distance_miles=None if k[5] is None else round(k[5] / METRES_PER_MILE, 1),
            reasons=reasons.get(k[4], []),
        )
        for k in on_page
        if k[4] in providers
    ]
    return SearchResults(
        query=query,
        page=current,
        results=results,
        with_support_count=len(reasons),
        total=paginator.count,
        distance_available=origin is not None,
    )

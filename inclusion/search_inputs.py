"""Reading a family's search from a query string, for the pages and the API alike.

Every problem is collected and named by its input, so that the page shows them all in one
error summary (keeping the answers given) and the API answers 400 with the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from inclusion.locations import MalformedPostcode, Placement, normalise_postcode, place_postcode
from inclusion.needs import BROAD_AREA_OF, BroadArea, NeedType
from inclusion.search import (
    DISTANCES_MILES,
    MAX_AGE,
    MIN_AGE,
    YEAR_GROUPS,
    EhcPlan,
    SearchError,
    SearchQuery,
    area_for_code,
    area_of_placement,
)
from providers.models import Area

# The inputs, in the order the page asks for them (and the error summary lists them).
FIELDS = ("postcode", "area", "also", "distance", "age", "year_group", "need", "need_type", "ehc")
MAX_ADDED_AREAS = 5


class SearchInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = {name: errors[name] for name in FIELDS if name in errors}


@dataclass(frozen=True)
class Inputs:
    """The raw answers, as given, to show back on the page."""

    postcode: str = ""
    area: str = ""
    also: tuple[str, ...] = ()
    distance: str = ""
    age: str = ""
    year_group: str = ""
    need: str = ""
    need_type: tuple[str, ...] = ()
    ehc: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.postcode or self.area or self.age or self.year_group)


def _printable(text: str) -> str:
    """The text without control characters (PostgreSQL refuses NUL), trimmed."""
    return "".join(c for c in text if c.isprintable()).strip()


def _one(data: Mapping[str, object], name: str) -> str:
    getter = getattr(data, "get", None)
    value = getter(name, "") if getter else ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return _printable(str(value or ""))[:100]


def _many(data: Mapping[str, object], name: str) -> tuple[str, ...]:
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        values: Sequence[object] = getlist(name)
    else:
        raw = data.get(name, [])
        values = raw if isinstance(raw, list | tuple) else [raw]
    cleaned = (_printable(str(v))[:20] for v in values)
    return tuple(dict.fromkeys(v for v in cleaned if v))[:20]


def read_inputs(data: Mapping[str, object]) -> Inputs:
    return Inputs(
        postcode=_one(data, "postcode"),
        area=_one(data, "area"),
        also=_many(data, "also"),
        distance=_one(data, "distance"),
        age=_one(data, "age"),
        year_group=_one(data, "year_group"),
        need=_one(data, "need"),
        need_type=_many(data, "need_type"),
        ehc=_one(data, "ehc"),
    )


def _age(inputs: Inputs, errors: dict[str, str]) -> int | None:
    if inputs.age:
        if not inputs.age.isdigit():
            errors["age"] = "Enter your child's age as a number, like 7"
            return None
        age = int(inputs.age)
        if not MIN_AGE <= age <= MAX_AGE:
            errors["age"] = f"Enter an age from {MIN_AGE} to {MAX_AGE}"
            return None
        return age
    if inputs.year_group:
        if inputs.year_group not in YEAR_GROUPS:
            errors["year_group"] = "Select the year group your child will join"
            return None
        return YEAR_GROUPS[inputs.year_group][1]
    errors["age"] = "Enter your child's age, or select the year group they will join"
    return None


def _home(
    inputs: Inputs, area: Area | None, errors: dict[str, str]
) -> tuple[Placement | None, Area | None]:
    """Where the family lives: the placed postcode and its area, else the chosen council."""
    origin: Placement | None = None
    home: Area | None = None
    if inputs.postcode:
        try:
            normalise_postcode(inputs.postcode)
            origin = place_postcode(inputs.postcode)
        except MalformedPostcode:
            errors["postcode"] = "Enter a full postcode, like SW1A 1AA"
        else:
            home = area_of_placement(placement=origin) if origin else None
            if home is None:
                origin = None
                errors["postcode"] = (
                    "We cannot find this postcode in England. Check it, or pick your council "
                    "instead"
                )
    if home is None and "postcode" not in errors:
        if inputs.area:
            try:
                home = area_for_code(code=inputs.area)
            except SearchError as error:
                errors["area"] = error.message
        elif area is not None:
            home = area
        elif not inputs.postcode:
            errors["postcode"] = "Enter your postcode, or pick your council"
    return origin, home


def _added_areas(inputs: Inputs, errors: dict[str, str]) -> list[Area]:
    added: list[Area] = []
    for code in inputs.also[:MAX_ADDED_AREAS]:
        try:
            added.append(area_for_code(code=code))
        except SearchError:
            errors["also"] = "Select another council from the list"
    return added


def _distance(inputs: Inputs, origin: Placement | None, errors: dict[str, str]) -> int | None:
    if not inputs.distance:
        return None
    if not inputs.distance.isdigit() or int(inputs.distance) not in DISTANCES_MILES:
        errors["distance"] = "Select how far you could travel"
    elif origin is None and "postcode" not in errors:
        errors["distance"] = "Enter your postcode to search by distance"
    else:
        return int(inputs.distance)
    return None


def _check_needs(inputs: Inputs, errors: dict[str, str]) -> None:
    if inputs.need and inputs.need not in BroadArea.values:
        errors["need"] = "Select the main area of your child's needs"
    if any(c not in NeedType.values for c in inputs.need_type):
        errors["need_type"] = "Select the types of need from the list"
    if inputs.ehc and inputs.ehc not in {v for v, _ in EhcPlan.CHOICES}:
        errors["ehc"] = "Select yes, being assessed, or no"


def parse_search(data: Mapping[str, object], *, area: Area | None = None) -> SearchQuery:
    """The search the inputs ask for; SearchInvalid naming every problem.

    `area` is the area of an area page: the home area unless a postcode is given.
    """
    inputs = read_inputs(data)
    errors: dict[str, str] = {}
    origin, home = _home(inputs, area, errors)
    added = _added_areas(inputs, errors)
    distance = _distance(inputs, origin, errors)
    age = _age(inputs, errors)
    _check_needs(inputs, errors)
    if errors or home is None or age is None:
        raise SearchInvalid(errors or {"postcode": "Enter your postcode"})
    need_types = tuple(inputs.need_type)
    broad = inputs.need or (BROAD_AREA_OF[need_types[0]] if len(need_types) == 1 else "")
    areas = (home, *(a for a in added if a.pk != home.pk))
    return SearchQuery(
        areas=tuple(dict.fromkeys(areas)),
        age=age,
        broad_area=broad,
        need_types=need_types,
        ehc_plan=inputs.ehc,
        origin=origin,
        distance_miles=distance,
    )

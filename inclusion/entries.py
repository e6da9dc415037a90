"""What a specialist place entry holds, and the checks every way of writing one shares.

The officer pages, the spreadsheet upload and the services all check an entry here, so each
says the same thing about the same mistake. The database's constraints are the backstop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inclusion.models import PlaceKind
from inclusion.needs import NeedType, need_type_code
from providers.models import OPEN_STATUSES, Provider, ResourcedProvision
from standards.vocabulary import ProviderType

MAX_AGE = 25
MAX_PLACES = 100_000
_CODE_BY_UPPER = {code.upper(): code for code in NeedType.values}
_KIND_BY_TEXT = {
    **{kind.value: kind.value for kind in PlaceKind},
    **{str(kind.label).lower(): kind.value for kind in PlaceKind},
}


@dataclass
class PlaceValues:
    kind: str
    need_types: list[str] = field(default_factory=list)
    age_low: int | None = None
    age_high: int | None = None
    places: int | None = None
    on_roll: int | None = None


def place_problems(values: PlaceValues) -> dict[str, str]:
    """Each field's problem, in words for the officer; empty when the entry is fine."""
    problems: dict[str, str] = {}
    if values.kind not in PlaceKind.values:
        problems["kind"] = "Select the kind of place"
    unknown = [code for code in values.need_types if code not in NeedType.values]
    if unknown:
        problems["need_types"] = f"{', '.join(unknown)} is not a GIAS need type"
    for name, label in (("age_low", "youngest age"), ("age_high", "oldest age")):
        age = getattr(values, name)
        if age is not None and not 0 <= age <= MAX_AGE:
            problems[name] = f"The {label} must be between 0 and {MAX_AGE}"
    if (
        "age_low" not in problems
        and "age_high" not in problems
        and values.age_low is not None
        and values.age_high is not None
        and values.age_low > values.age_high
    ):
        problems["age_high"] = "The oldest age must be the same as or more than the youngest age"
    for name, label in (("places", "places commissioned"), ("on_roll", "number on roll")):
        number = getattr(values, name)
        if number is not None and not 0 <= number <= MAX_PLACES:
            problems[name] = f"The {label} must be 0 or more"
    return problems


def parse_need_types(text: str) -> tuple[list[str], list[str]]:
    """Need codes from text such as "ASD; SLCN" (or GIAS names): (codes, the parts not known)."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        code = _CODE_BY_UPPER.get(part.upper()) or need_type_code(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return sorted(codes), unknown


def parse_kind(text: str) -> str | None:
    return _KIND_BY_TEXT.get(text.strip().lower())


def need_types_of(provider: Provider) -> list[str]:
    """The need codes of a provider's GIAS SEN provision types, unknown names left out."""
    codes = {need_type_code(name) for name in provider.sen_provision_types or []}
    return sorted(code for code in codes if code is not None)


def gias_proposals(provider: Provider) -> list[tuple[str, int | None, int | None]]:
    """The specialist places GIAS suggests at a provider: (kind, places, on roll) each.

    Special schools, alternative provision (pupil referral units, AP academies and free
    schools) and specialist post-16 institutions by their type; resourced provision and SEN
    units by GIAS's TypeOfResourcedProvision, with its capacity as the places commissioned.
    """
    if provider.status not in OPEN_STATUSES:
        return []
    found: list[tuple[str, int | None, int | None]] = []
    by_type = {
        ProviderType.SPECIAL_SCHOOL: PlaceKind.SPECIAL_SCHOOL,
        ProviderType.ALTERNATIVE_PROVISION: PlaceKind.ALTERNATIVE_PROVISION,
        ProviderType.INDEPENDENT_SPECIALIST_PROVIDER: PlaceKind.SPECIALIST_POST16,
    }
    kind = by_type.get(provider.provider_type)  # type: ignore[call-overload]
    if kind is not None:
        found.append((kind.value, None, None))
    if provider.resourced_provision in (
        ResourcedProvision.RESOURCED_PROVISION,
        ResourcedProvision.BOTH,
    ):
        found.append(
            (
                PlaceKind.RESOURCED_PROVISION.value,
                provider.resourced_provision_capacity,
                provider.resourced_provision_on_roll,
            )
        )
    if provider.resourced_provision in (ResourcedProvision.SEN_UNIT, ResourcedProvision.BOTH):
        found.append(
            (PlaceKind.SEN_UNIT.value, provider.sen_unit_capacity, provider.sen_unit_on_roll)
        )
    return found

"""Which GIAS establishment types the service covers, and as which provider type.

Used by the GIAS importer and by the demo data (the school information file names types the
same way). Names are matched without regard to case, spacing or the "16-19"/"16 to 19" spelling.
A type in SKIPPED is not a provider the service covers (it is counted and left out); a type in
neither table is unknown, and the row is rejected so that a new GIAS type is noticed.
"""

from __future__ import annotations

import re

from standards.vocabulary import ProviderType

MAINSTREAM = ProviderType.MAINSTREAM_SCHOOL
SPECIAL = ProviderType.SPECIAL_SCHOOL
AP = ProviderType.ALTERNATIVE_PROVISION
NURSERY = ProviderType.MAINTAINED_NURSERY_SCHOOL
FE = ProviderType.FURTHER_EDUCATION_COLLEGE
ISP = ProviderType.INDEPENDENT_SPECIALIST_PROVIDER

_COVERED: dict[str, ProviderType] = {
    # Local authority maintained schools
    "Community school": MAINSTREAM,
    "Voluntary aided school": MAINSTREAM,
    "Voluntary controlled school": MAINSTREAM,
    "Foundation school": MAINSTREAM,
    "Pupil referral unit": AP,
    "Local authority nursery school": NURSERY,
    # Special schools
    "Community special school": SPECIAL,
    "Foundation special school": SPECIAL,
    "Non-maintained special school": SPECIAL,
    "Other independent special school": SPECIAL,
    # Independent schools
    "Other independent school": MAINSTREAM,
    "City technology college": MAINSTREAM,
    # Academies
    "Academy sponsor led": MAINSTREAM,
    "Academy converter": MAINSTREAM,
    "Academy special sponsor led": SPECIAL,
    "Academy special converter": SPECIAL,
    "Academy alternative provision converter": AP,
    "Academy alternative provision sponsor led": AP,
    "Academy 16-19 converter": FE,
    "Academy 16 to 19 sponsor led": FE,
    # Free schools
    "Free schools": MAINSTREAM,
    "Free schools special": SPECIAL,
    "Free schools alternative provision": AP,
    "Free schools 16 to 19": FE,
    "University technical college": MAINSTREAM,
    "Studio schools": MAINSTREAM,
    # Colleges
    "Further education": FE,
    "Sixth form centres": FE,
    # Other types
    "Special post 16 institution": ISP,
}

# Types the service does not cover, with the reason given in the import summary.
_SKIPPED: dict[str, str] = {
    "Welsh establishment": "Welsh establishment",
    "British schools overseas": "British school overseas",
    "Offshore schools": "offshore school",
    "Service children's education": "service children's education (overseas)",
    "Higher education institutions": "higher education institution",
    "Secure units": "secure unit",
    "Academy secure 16 to 19": "secure unit",
    "Miscellaneous": "miscellaneous establishment",
    "Institution funded by other government department": (
        "institution funded by another government department"
    ),
    "Children's centre": "children's centre",
    "Children's centre linked site": "children's centre",
    "Online provider": "online provider",
}


def _key(name: str) -> str:
    text = name.strip().lower().replace("’", "'")
    text = re.sub(r"16\s*-\s*19", "16 to 19", text)
    return re.sub(r"\s+", " ", text)


COVERED = {_key(name): provider_type for name, provider_type in _COVERED.items()}
SKIPPED = {_key(name): reason for name, reason in _SKIPPED.items()}


def provider_type_for(type_name: str) -> ProviderType | None:
    """The provider type for a GIAS establishment type name, or None if not covered."""
    return COVERED.get(_key(type_name))


def skip_reason_for(type_name: str) -> str | None:
    """Why an establishment type is left out, or None if it is covered or unknown."""
    return SKIPPED.get(_key(type_name))

"""Placing a postcode on the British National Grid, from the copy in `inclusion/data/`.

A postcode is placed by its exact match in the 2011 Census postcode estimates if it is there,
else at the average of its postcode sector (e.g. "SW1P 3"), else at the average of its district
("SW1P"); the placement says which. The file covers the postcodes of schools in England only,
so a postcode that cannot be placed is usually outside England or newer than 2011.

The lookup is three dictionaries built once per process, on first use, from a 17,346-row CSV
(about 40 ms and a few megabytes). The data is static and ships with the code, so it needs no
table, no migration and no loading step; a table would add a query to every search for nothing.
"""

from __future__ import annotations

import csv
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from providers.models import LocationSource

DATA_FILE = Path(__file__).resolve().parent / "data" / "school_postcodes_bng_2011.csv"

# The shapes of a UK postcode's outward code (A9, A99, AA9, AA99, A9A, AA9A) and inward code (9AA).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])([A-Z]{2})$")


class MalformedPostcode(ValueError):
    """Text that is not shaped like a UK postcode."""


@dataclass(frozen=True)
class Placement:
    """Where a postcode is, in British National Grid metres, and how it was worked out."""

    easting: int
    northing: int
    source: str  # a LocationSource value: POSTCODE, SECTOR or DISTRICT


@dataclass(frozen=True)
class Postcode:
    """A well-formed postcode, split into its parts."""

    outward: str  # the district, e.g. "SW1P"
    sector_digit: str
    unit: str

    @property
    def district(self) -> str:
        return self.outward

    @property
    def sector(self) -> str:
        return f"{self.outward} {self.sector_digit}"

    def __str__(self) -> str:
        return f"{self.outward} {self.sector_digit}{self.unit}"


def parse_postcode(text: str) -> Postcode:
    """The postcode in `text`, in any case and spacing; MalformedPostcode if it is not one."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if len(compact) < 5 or len(compact) > 7:
        raise MalformedPostcode(text)
    match = _POSTCODE.match(compact)
    if match is None:
        raise MalformedPostcode(text)
    return Postcode(outward=match.group(1), sector_digit=match.group(2), unit=match.group(3))


def normalise_postcode(text: str) -> str:
    """The postcode in its usual form ("sw1p3bt" → "SW1P 3BT"); MalformedPostcode if not one."""
    return str(parse_postcode(text))


@dataclass(frozen=True)
class _Lookup:
    exact: dict[str, tuple[int, int]]
    sector: dict[str, tuple[int, int]]
    district: dict[str, tuple[int, int]]


_lookup: _Lookup | None = None
_lock = threading.Lock()


def _averages(sums: dict[str, list[int]]) -> dict[str, tuple[int, int]]:
    return {key: (round(e / n), round(no / n)) for key, (e, no, n) in sums.items()}


def _load() -> _Lookup:
    exact: dict[str, tuple[int, int]] = {}
    sectors: dict[str, list[int]] = {}
    districts: dict[str, list[int]] = {}
    with DATA_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            postcode = parse_postcode(row["postcode"])
            point = (int(row["easting"]), int(row["northing"]))
            exact[str(postcode)] = point
            for key, sums in ((postcode.sector, sectors), (postcode.district, districts)):
                total = sums.setdefault(key, [0, 0, 0])
                total[0] += point[0]
                total[1] += point[1]
                total[2] += 1
    return _Lookup(exact=exact, sector=_averages(sectors), district=_averages(districts))


def _get_lookup() -> _Lookup:
    global _lookup
    if _lookup is None:
        with _lock:
            if _lookup is None:
                _lookup = _load()
    return _lookup


def place_postcode(postcode: str) -> Placement | None:
    """Where `postcode` is: exact, else its sector's average, else its district's; None if unknown.

    Raises MalformedPostcode if the text is not shaped like a postcode. None means a well-formed
    postcode that the data cannot place (outside England, or created after 2011 in a district
    with no school).
    """
    parsed = parse_postcode(postcode)
    lookup = _get_lookup()
    for key, table, source in (
        (str(parsed), lookup.exact, LocationSource.POSTCODE),
        (parsed.sector, lookup.sector, LocationSource.SECTOR),
        (parsed.district, lookup.district, LocationSource.DISTRICT),
    ):
        point = table.get(key)
        if point is not None:
            return Placement(easting=point[0], northing=point[1], source=str(source))
    return None


def try_place_postcode(postcode: str) -> Placement | None:
    """As place_postcode, but None for a malformed postcode too (for placing stored addresses)."""
    try:
        return place_postcode(postcode)
    except MalformedPostcode:
        return None


def distance_metres(a: tuple[int, int], b: tuple[int, int]) -> float:
    """The straight-line distance between two grid points, in metres."""
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


def provider_placement(
    *, easting: int | None, northing: int | None, postcode: str
) -> Placement | None:
    """A provider's location: GIAS's easting and northing where known, else from its postcode."""
    if easting is not None and northing is not None:
        return Placement(easting=easting, northing=northing, source=str(LocationSource.GIAS))
    return try_place_postcode(postcode)

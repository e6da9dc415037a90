"""Placing postcodes: exact, then sector, then district; malformed is not the same as unknown."""

import pytest

from inclusion.locations import (
    MalformedPostcode,
    Placement,
    normalise_postcode,
    place_postcode,
    provider_placement,
    try_place_postcode,
)
from providers.models import LocationSource

SW1P = {
    "SW1P 2DG": (529811, 179262),
    "SW1P 3NY": (529923, 179405),
    "SW1P 3PF": (530046, 179411),
    "SW1P 1QH": (529231, 179110),
    "SW1P 4HR": (529889, 178598),
}


def _mean(points):
    points = list(points)
    return (
        round(sum(p[0] for p in points) / len(points)),
        round(sum(p[1] for p in points) / len(points)),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sw1p3ny", "SW1P 3NY"),
        ("  SW1P   3NY ", "SW1P 3NY"),
        ("m11ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("w1a 0ax", "W1A 0AX"),
        ("EC1A1BB", "EC1A 1BB"),
    ],
)
def test_postcodes_are_normalised(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "SW1P", "SW1P 3N", "123 456", "SW1P 3NYX", "QQ", "SW1P-3NY", "1AB 2CD"]
)
def test_malformed_postcodes_raise(text):
    with pytest.raises(MalformedPostcode):
        normalise_postcode(text)
    with pytest.raises(MalformedPostcode):
        place_postcode(text)
    assert try_place_postcode(text) is None


def test_an_exact_postcode_is_placed_exactly():
    assert place_postcode("sw1p 3ny") == Placement(529923, 179405, LocationSource.POSTCODE)


def test_an_unknown_postcode_in_a_known_sector_gets_the_sector_average():
    expected = _mean([SW1P["SW1P 3NY"], SW1P["SW1P 3PF"]])
    assert place_postcode("SW1P 3AA") == Placement(*expected, LocationSource.SECTOR)


def test_an_unknown_sector_in_a_known_district_gets_the_district_average():
    expected = _mean(SW1P.values())
    assert place_postcode("SW1P 9ZZ") == Placement(*expected, LocationSource.DISTRICT)


@pytest.mark.parametrize("text", ["EH1 1AA", "ZE1 0AA", "BT1 1AA", "GY1 1AA"])
def test_well_formed_postcodes_outside_the_data_cannot_be_placed(text):
    assert place_postcode(text) is None


def test_a_placement_is_frozen():
    placement = place_postcode("SW1P 3NY")
    with pytest.raises(AttributeError):
        placement.easting = 1  # type: ignore[misc]


def test_a_provider_is_placed_from_gias_first_then_its_postcode():
    assert provider_placement(easting=1, northing=2, postcode="SW1P 3NY") == Placement(
        1, 2, LocationSource.GIAS
    )
    assert provider_placement(easting=None, northing=None, postcode="SW1P 3NY") == Placement(
        529923, 179405, LocationSource.POSTCODE
    )
    assert provider_placement(easting=None, northing=None, postcode="nonsense") is None

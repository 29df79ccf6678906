"""Ward names for the duplicates report's area filter (venues.areas)."""

import pytest

from venues.areas import area_label, ward_at
from venues.geo import locate_postcode


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        ("L25 2RG", "Belle Vale (Liverpool)"),
        ("L13 3DL", "Old Swan East (Liverpool)"),
        ("L17 1AP", "Sefton Park (Liverpool)"),
        ("L3 8EW", "City Centre North (Liverpool)"),
        ("PR8 4ET", "Birkdale (Sefton)"),
    ],
)
def test_area_label_names_the_ward_a_postcode_is_in(postcode, expected):
    point = locate_postcode(postcode)

    assert area_label(latitude=point.latitude, longitude=point.longitude) == expected


def test_area_label_outside_city_region_uses_postcode_district():
    manchester = locate_postcode("M1 1AE")

    label = area_label(
        latitude=manchester.latitude, longitude=manchester.longitude, postcode="M1 1AE"
    )

    assert (ward_at(round(manchester.latitude, 5), round(manchester.longitude, 5)), label) == (
        None,
        "M1 (postcode district)",
    )


def test_area_label_without_coordinates():
    assert (
        area_label(latitude=None, longitude=None, online=True),
        area_label(latitude=None, longitude=None),
        area_label(latitude=None, longitude=None, postcode="l8 7lb"),
    ) == ("Online", "Place not known", "L8 (postcode district)")
